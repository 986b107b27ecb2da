"""Export and import: validated before writing, all or nothing, idempotent, and a round trip
into an empty database gives back the same graph (the backup and restore procedure)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graph.driver import Database
from graph.embedded import EmbeddedServer
from graph.migrations import migrate
from graph.transfer import export_lines, import_lines
from tests.client_fixture import ClientFixture, build_client
from tests.conftest import Backend, LiveApp
from tests.contact_keys import all_out_of_step


async def _export(db: Database, account: str | None = None) -> list[dict[str, Any]]:
    return [line async for line in export_lines(db, account)]


def _canon(lines: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(line, sort_keys=True) for line in lines)


@pytest.fixture
def client(live: LiveApp, uid: str) -> ClientFixture:
    return build_client(live.backend, uid)


def test_account_export_round_trips_into_an_empty_database(
    live: LiveApp, client: ClientFixture, tmp_path: Path
) -> None:
    lines = live.backend.run(_export(live.backend.db, client.account))
    kinds = {(line["kind"], line.get("label") or line.get("type")) for line in lines}
    assert (
        ("node", "Account") in kinds
        and ("node", "Contact") in kinds
        and ("rel", "INFLUENCES") in kinds
    )
    assert sum(1 for line in lines if line.get("label") == "Contact") == 6
    server = EmbeddedServer(tmp_path / "restore", "kam", "256m")
    conn = server.start()
    try:

        async def restore() -> tuple[Any, list[dict[str, Any]], Any]:
            db = await Database.connect(conn.uri, conn.user, conn.password, conn.database)
            try:
                await migrate(db)
                text = [json.dumps(line) for line in lines]
                report = await import_lines(db, text)
                again = await import_lines(db, text)  # idempotent
                # Each contact's account id is derived again, not exported.
                assert not any("accountId" in line.get("props", {}) for line in lines)
                assert await all_out_of_step(db) == []
                return report, await _export(db, client.account), again
            finally:
                await db.close()

        report, restored, again = live.backend.run(restore())
        assert report.ok and report.applied and again.ok
        assert _canon(restored) == _canon(lines)
    finally:
        server.stop()


def test_bad_lines_are_reported_with_numbers_and_nothing_is_written(
    live: LiveApp, uid: str
) -> None:
    good = {"kind": "node", "label": "Competitor", "id": f"{uid}-c1", "props": {"name": "Ok"}}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"kind": "node", "label": "Martian", "id": f"{uid}-m", "props": {}}),
        json.dumps(
            {
                "kind": "node",
                "label": "Competitor",
                "id": f"{uid}-c2",
                "props": {"name": {"evil": "}) MATCH (n) DETACH DELETE n //"}},
            }
        ),
        json.dumps(
            {
                "kind": "rel",
                "type": "COMPETES_AT",
                "from": f"{uid}-c1",
                "fromLabel": "Competitor",
                "to": "nowhere",
                "toLabel": "Account",
                "props": {},
            }
        ),
        json.dumps(
            {"kind": "node", "label": "Competitor", "id": f"{uid}-c1", "props": {"name": "Twice"}}
        ),
    ]
    report = live.backend.run(import_lines(live.backend.db, lines))
    numbers = [n for n, _ in report.errors]
    assert numbers == [2, 3, 4, 6]
    assert (
        "label" in report.errors[1][1]
        and "object" in report.errors[2][1]
        and "line 1" in report.errors[3][1]
    )
    assert not report.applied
    assert (
        live.backend.read(
            "MATCH (c:Competitor) WHERE c.id STARTS WITH $p RETURN count(c) AS n", p=uid
        )[0]["n"]
        == 0
    )
    # With the file otherwise fixed, the dangling relationship is still refused, by line.
    report = live.backend.run(import_lines(live.backend.db, [lines[0], lines[4]]))
    assert report.errors == [(2, "no Account nowhere in the file or the graph")]
    assert (
        live.backend.read("MATCH (c:Competitor {id: $id}) RETURN count(c) AS n", id=f"{uid}-c1")[0][
            "n"
        ]
        == 0
    )


def test_accounts_and_contacts_need_a_name(live: LiveApp, uid: str) -> None:
    """Both are sorted by a name the index holds as text: a line without one is refused."""
    lines = [
        json.dumps({"kind": "node", "label": "Contact", "id": f"{uid}-c", "props": {}}),
        json.dumps({"kind": "node", "label": "Contact", "id": f"{uid}-d", "props": {"name": 7}}),
        json.dumps({"kind": "node", "label": "Account", "id": f"{uid}-a", "props": {"name": " "}}),
        json.dumps(
            {"kind": "node", "label": "Contact", "id": f"{uid}-e", "props": {"name": "Eve"}}
        ),
    ]
    report = live.backend.run(import_lines(live.backend.db, lines))
    assert [n for n, _ in report.errors] == [1, 2, 3] and not report.applied
    assert "Contact needs a name" in report.errors[0][1]
    assert "Account needs a name" in report.errors[2][1]
    assert live.backend.read(
        "MATCH (n) WHERE n.id STARTS WITH $p RETURN count(n) AS n", p=f"{uid}-"
    ) == [{"n": 0}]


def test_dry_run_writes_nothing(live: LiveApp, uid: str) -> None:
    line = json.dumps(
        {"kind": "node", "label": "Partner", "id": f"{uid}-p", "props": {"name": "Dry"}}
    )
    report = live.backend.run(import_lines(live.backend.db, [line], dry_run=True))
    assert report.ok and report.nodes == 1 and not report.applied
    assert (
        live.backend.read("MATCH (p:Partner {id: $id}) RETURN count(p) AS n", id=f"{uid}-p")[0]["n"]
        == 0
    )


def test_cli_export_and_import(backend: Backend, client: ClientFixture, tmp_path: Path) -> None:
    env = backend.cli_env()
    out = tmp_path / "account.jsonl"
    exported = subprocess.run(
        [sys.executable, "-m", "kam", "export", "--account", client.account, "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr
    dry = subprocess.run(
        [sys.executable, "-m", "kam", "import", str(out), "--dry-run", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert report["applied"] is False and report["nodes"] > 10 and report["errors"] == []
    broken = tmp_path / "broken.jsonl"
    broken.write_text(out.read_text() + "{oops\n")
    failed = subprocess.run(
        [sys.executable, "-m", "kam", "import", str(broken), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["errors"][0]["line"] == len(out.read_text().splitlines()) + 1
    csv_dir = tmp_path / "csv"
    as_csv = subprocess.run(
        [
            sys.executable,
            "-m",
            "kam",
            "export",
            "--account",
            client.account,
            "--format",
            "csv",
            "-o",
            str(csv_dir),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert as_csv.returncode == 0, as_csv.stderr
    assert (csv_dir / "Contact.csv").read_text().splitlines()[0].startswith("id,")


def test_bulk_relationships_from_a_hub_are_merged_from_the_other_side_same_graph(
    backend: Backend, uid: str
) -> None:
    """Two competitors at many accounts: the loader writes the MERGE from the accounts' side
    (much faster on ArcadeDB), and the graph is the same: direction, properties, no
    duplicates on a second run, props added to on a third."""
    from graph.batch import merge_nodes, merge_rels
    from graph.dialect import merge_from_target as from_target
    from graph.model import Label, Rel

    comps = [{"id": f"{uid}-c{i}", "props": {"name": f"C{i}"}} for i in range(2)]
    accounts = [{"id": f"{uid}-a{i}", "props": {"name": f"A{i}"}} for i in range(12)]
    rows = [
        {"from": c["id"], "to": a["id"], "props": {"share": 0.1 * (k % 4)}}
        for k, (c, a) in enumerate((c, a) for c in comps for a in accounts)
    ]
    assert from_target(rows) and not from_target([{"from": r["to"], "to": r["from"]} for r in rows])

    async def load(props: dict[str, Any] | None = None) -> None:
        await merge_nodes(backend.db, Label.COMPETITOR, comps)
        await merge_nodes(backend.db, Label.ACCOUNT, accounts)
        chunk = [{**r, "props": props or r["props"]} for r in rows]
        await merge_rels(backend.db, Rel.COMPETES_AT, Label.COMPETITOR, Label.ACCOUNT, chunk)

    def stored() -> list[dict[str, Any]]:
        return backend.read(
            "MATCH (c:Competitor)-[r:COMPETES_AT]->(a:Account) WHERE c.id STARTS WITH $u "
            "RETURN c.id AS from, a.id AS to, r.share AS share, r.position AS position "
            "ORDER BY from, to",
            u=uid,
        )

    backend.run(load())
    backend.run(load())
    first = stored()
    assert len(first) == 24
    assert [(r["from"], r["to"], r["share"]) for r in first] == sorted(
        (r["from"], r["to"], r["props"]["share"]) for r in rows
    )
    assert backend.read(
        "MATCH (a:Account)-[r:COMPETES_AT]->() WHERE a.id STARTS WITH $u RETURN count(r) AS n",
        u=uid,
    ) == [{"n": 0}]
    backend.run(load({"position": "LEADER"}))
    again = stored()
    assert [r["share"] for r in again] == [r["share"] for r in first]
    assert {r["position"] for r in again} == {"LEADER"}
