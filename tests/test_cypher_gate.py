"""The Cypher gate itself: Neo4j's front end rejects what Neo4j rejects, the recorder names
the app function that sent a statement, and an error fails the whole pytest run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.migrations import applied
from tests.conftest import Backend
from tests.cypher_gate.gate import GateUnavailable, is_fragment, lint, module_statements
from tests.cypher_gate.recorder import REPO, install

PLANTED = {
    "a variable reused as node and relationship": (
        "MATCH (t:Contact {id: $id})<-[:INFLUENCES]-(c:Contact) "
        "WHERE EXISTS { MATCH (c)<-[t:KNOWS]-(:TeamMember) } RETURN c.id AS id",
        "Type mismatch: t defined with conflicting type",
    ),
    "an implicit grouping key": (
        "MATCH (a:Account {id: $id})-[:HAS_UNIT]->(x:ClientUnit) "
        "RETURN collect(DISTINCT x.id) + [a.id] AS ids",
        "implicit grouping",
    ),
    "an APOC procedure": (
        "MATCH (a:Account) CALL apoc.path.subgraphNodes(a, {}) YIELD node RETURN node",
        "Procedure apoc.path.subgraphNodes is not present",
    ),
    "an APOC function": (
        "RETURN apoc.coll.sum([1, 2]) AS total",
        "Function apoc.coll.sum is not present",
    ),
    "exists() on a property": (
        "MATCH (c:Contact) WHERE exists(c.email) RETURN c.id AS id",
        "exists(variable.property)` is no longer supported",
    ),
}
GOOD = (
    "MATCH (a:Account {id: $id}) WHERE a.status IS NOT NULL "
    "CALL (a) { MATCH (a)-[:HAS_UNIT]->(u:ClientUnit) RETURN count(u) AS units } "
    "WITH a, units, COUNT { (a)<-[:ON_TEAM]-(:TeamMember) } AS team "
    "RETURN a {.id, .name} AS account, units, team, datetime() AS now"
)


def test_the_front_end_rejects_each_planted_statement_and_passes_a_good_one() -> None:
    texts = [text for text, _ in PLANTED.values()]
    found = lint([*texts, GOOD])
    for (what, (_, expected)), diagnostics in zip(PLANTED.items(), found, strict=False):
        errors = [d.message for d in diagnostics if d.severity == "error"]
        assert any(expected in m for m in errors), f"{what}: {errors}"
    assert [d for d in found[-1] if d.severity == "error"] == [], found[-1]


def test_a_head_of_a_statement_is_a_fragment_and_a_wrong_statement_is_not() -> None:
    head = "MATCH (a:Account {id: $id}) WHERE a.status = 'ACTIVE'"
    tail = "RETURN p {.id, .period} AS plan, a.id AS accountId"
    wrong = PLANTED["a variable reused as node and relationship"][0]
    found = dict(zip([head, tail, wrong], lint([head, tail, wrong]), strict=True))
    assert is_fragment(head, found[head])
    assert is_fragment(tail, found[tail])
    assert not is_fragment(wrong, found[wrong])


def test_module_statements_include_each_entry_of_a_table_of_statements() -> None:
    found = set(module_statements().values())
    assert "graph/network.py:INFLUENCE_PATHS[3]" in found
    assert "graph/migrations.py:APPLIED" in found


def test_the_recorder_names_the_app_function_that_sent_a_statement(backend: Backend) -> None:
    recorder = install()
    backend.run(applied(backend.db))
    senders = {s for entry in recorder.sent.values() for s in entry.senders if entry.from_app}
    assert "graph/migrations.py:applied" in senders, senders
    # A test's own Cypher is told apart from the app's.
    backend.read("RETURN 41 + 1 AS answer")
    entry = recorder.sent["RETURN 41 + 1 AS answer"]
    assert not entry.from_app
    assert entry.senders[0].startswith("tests/conftest.py:Backend.read"), entry.senders


PLANTED_RUN = """
from tests.cypher_gate.recorder import install

def test_sends_a_statement():
    install().note({text!r}, "graph/planted.py:send", True)
"""


def _pytest_run(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ("tests.cypher_gate.plugin",)\n')
    (tmp_path / "test_planted.py").write_text(PLANTED_RUN.format(text=text))
    # Only the planted statement: graph/'s own constants are the main run's business.
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "KAM_CYPHER_GATE": "on",
        "KAM_CYPHER_GATE_PACKAGES": "",
    }
    env.pop("KAM_CYPHER_GATE_SPOOL", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            tmp_path,
            "-c",
            os.devnull,
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize("planted", ["a variable reused as node and relationship", None])
def test_an_error_fails_the_run_naming_the_statement_and_its_sender(
    tmp_path: Path, planted: str | None
) -> None:
    text = PLANTED[planted][0] if planted else GOOD
    done = _pytest_run(tmp_path, text)
    out = done.stdout + done.stderr
    assert "Cypher gate (Neo4j 5 front end)" in out, out
    if planted:
        assert done.returncode == 1, out
        assert "Neo4j 5 rejects a statement sent by graph/planted.py:send" in out, out
        assert "Type mismatch: t defined with conflicting type" in out, out
        assert "1 passed" in out, out
    else:
        assert done.returncode == 0, out
        assert "statements checked" in out and "ERROR" not in out, out


def test_without_node_the_gate_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no node, no npm
    with pytest.raises(GateUnavailable, match=r"needs Node\.js >= 18\.18 and npm"):
        lint(["RETURN 1 AS one"])
