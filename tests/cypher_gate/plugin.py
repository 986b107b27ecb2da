"""pytest hooks of the Cypher gate: record during the run, check at its end, fail on errors.

Every distinct statement the app sent (in this process or a `kam` subprocess), plus every
whole statement held as a module constant in graph/ that no test executed, goes through
Neo4j's Cypher 5 front end once, at session finish. An error fails the run (exit status 1)
naming the statement and its sender; warnings are listed. `KAM_CYPHER_GATE=off` skips it for
a quick local run; the test command never sets it. `KAM_CYPHER_GATE_PACKAGES` (default
`graph`) names the packages whose constants are checked; `KAM_CYPHER_GATE_DUMP=FILE` writes
what was checked, with its senders, as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.cypher_gate.gate import (
    Diagnostic,
    GateUnavailable,
    is_fragment,
    lint,
    module_statements,
)
from tests.cypher_gate.recorder import SPOOL_ENV, Recorder, install

HOOK_DIR = Path(__file__).resolve().parent / "subprocess_hook"


@dataclass
class Finding:
    text: str
    senders: list[str]
    diagnostics: list[Diagnostic]


@dataclass
class GateRun:
    recorder: Recorder
    spool: Path
    checked: int = 0
    test_only: int = 0
    unexecuted: int = 0
    fragments: int = 0
    seconds: float = 0.0
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    unavailable: str | None = None

    def check(self) -> None:
        self.recorder.merge_spool(self.spool)
        sent = self.recorder.sent
        app = {text: entry.senders for text, entry in sent.items() if entry.from_app}
        self.test_only = len(sent) - len(app)
        unexecuted = set()
        packages = os.environ.get("KAM_CYPHER_GATE_PACKAGES", "graph").split(",")
        for package in filter(None, packages):
            for text, where in module_statements(package).items():
                if not any(text in other for other in sent):
                    app.setdefault(text, [f"{where} (not executed by any test)"])
                    unexecuted.add(text)
        texts = sorted(app)
        dump = os.environ.get("KAM_CYPHER_GATE_DUMP")
        if dump:  # for a look at what was sent: {statement: senders}
            Path(dump).write_text(json.dumps(app, indent=1))
        started = time.perf_counter()
        results = lint(texts)
        self.seconds = time.perf_counter() - started
        for text, found in zip(texts, results, strict=True):
            if text in unexecuted and is_fragment(text, found):
                self.fragments += 1
                continue
            self.checked += 1
            self.unexecuted += text in unexecuted
            errors = [d for d in found if d.severity == "error"]
            others = [d for d in found if d.severity != "error"]
            if errors:
                self.errors.append(Finding(text, app[text], errors))
            if others:
                self.warnings.append(Finding(text, app[text], others))


GATE = pytest.StashKey[GateRun]()


def _enabled() -> bool:
    return os.environ.get("KAM_CYPHER_GATE", "on").lower() not in ("off", "0", "no")


def pytest_configure(config: pytest.Config) -> None:
    if not _enabled() or hasattr(config, "workerinput"):
        return
    spool = Path(tempfile.mkdtemp(prefix="kam-cypher-gate-"))
    # `kam` subprocesses started by tests record into the spool through sitecustomize.py.
    os.environ[SPOOL_ENV] = str(spool)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(HOOK_DIR), os.environ.get("PYTHONPATH", "")) if p
    )
    config.stash[GATE] = GateRun(install(), spool)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    gate = session.config.stash.get(GATE, None)
    if gate is None or session.config.option.collectonly:
        return
    if exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.USAGE_ERROR):
        return
    try:
        gate.check()
    except GateUnavailable as exc:
        gate.unavailable = str(exc)
    finally:
        shutil.rmtree(gate.spool, ignore_errors=True)
    if gate.errors or gate.unavailable:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _show(text: str) -> str:
    return "\n".join("      | " + line for line in text.strip().splitlines())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    gate = terminalreporter.config.stash.get(GATE, None)
    if gate is None or (gate.checked == 0 and gate.unavailable is None):
        return
    write = terminalreporter.write_line
    terminalreporter.section("Cypher gate (Neo4j 5 front end)")
    if gate.unavailable:
        write(f"FAILED: {gate.unavailable}", red=True)
        return
    write(
        f"{gate.checked} statements checked ({gate.unexecuted} of them module constants no "
        f"test executed), {gate.fragments} unexecuted constants that are pieces of statements "
        f"and {gate.test_only} statements sent by tests only left out, in {gate.seconds:.1f} s"
    )
    for finding in gate.warnings:
        write(f"warning: sent by {', '.join(finding.senders)}", yellow=True)
        for d in finding.diagnostics:
            write(f"    {d.short()}")
    for finding in gate.errors:
        write(f"ERROR: Neo4j 5 rejects a statement sent by {', '.join(finding.senders)}", red=True)
        for d in finding.diagnostics:
            write(f"    {d.short()}", red=True)
        write(_show(finding.text))
    if gate.errors:
        write(
            f"Cypher gate FAILED: {len(gate.errors)} statements Neo4j 5 rejects",
            red=True,
            bold=True,
        )
