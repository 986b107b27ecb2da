"""Records every distinct Cypher statement sent through the neo4j driver, with its sender.

Installed by the test run (tests/conftest.py) around the driver's own `run` methods, never in
app code: `AsyncSession.run` (auto-commit reads) and `AsyncTransactionBase.run` (managed
transactions, `execute_query` included). The sender is the first frame of the project outside
graph/driver.py: an app function (gated) or a test (listed, not gated). A subprocess started
by a test (the CLI) records too when `SPOOL_ENV` names a folder: see sitecustomize.py.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# The project's code: a statement sent from here is the app's (bench/ sends the raw Cypher
# the bench compares the app with, which must run on Neo4j too).
APP_DIRS = ("graph", "kam", "resolvers", "auth", "loaders", "integrations", "bench")
TEST_DIRS = ("tests",)
SKIPPED_FILES = {REPO / "graph" / "driver.py"}
SPOOL_ENV = "KAM_CYPHER_GATE_SPOOL"


@dataclass
class Sent:
    """One distinct statement: who sent it (first few senders) and whether the app did."""

    text: str
    senders: list[str] = field(default_factory=list)
    from_app: bool = False

    def add(self, sender: str, from_app: bool) -> bool:
        """Note a sender; True when it is new for this statement."""
        self.from_app = self.from_app or from_app
        if sender in self.senders or len(self.senders) >= 3:
            return False
        self.senders.append(sender)
        return True


class Recorder:
    """Distinct statements seen by this process (and its spool, when one is set)."""

    def __init__(self, spool: Path | None = None) -> None:
        self.sent: dict[str, Sent] = {}
        self._lock = threading.Lock()
        self._spool = spool / f"{os.getpid()}.jsonl" if spool else None

    def note(self, text: str, sender: str, from_app: bool) -> None:
        with self._lock:
            entry = self.sent.setdefault(text, Sent(text))
            if entry.add(sender, from_app) and self._spool is not None:
                # Written at once: a CLI subprocess may be killed before any exit hook runs.
                with self._spool.open("a") as out:
                    out.write(json.dumps({"text": text, "sender": sender, "app": from_app}))
                    out.write("\n")

    def merge_spool(self, spool: Path) -> None:
        """Take in what subprocesses recorded."""
        for path in sorted(spool.glob("*.jsonl")):
            for line in path.read_text().splitlines():
                try:
                    row = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a killed process
                entry = self.sent.setdefault(row["text"], Sent(row["text"]))
                entry.add(row["sender"] + " (subprocess)", bool(row["app"]))


def sender_of(frame: FrameType | None) -> tuple[str, bool] | None:
    """`path:function` of the first project frame outside the driver module, and whether it
    is the app's. A query coroutine of the driver module awaited as a task of its own has no
    caller on the stack: it counts as the app's, under the driver's name."""
    driver_frame: str | None = None
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_absolute() and path.is_relative_to(REPO):
            name = f"{path.relative_to(REPO).as_posix()}:{frame.f_code.co_qualname}"
            top = path.relative_to(REPO).parts[0]
            if path in SKIPPED_FILES:
                driver_frame = f"{name} (a task of its own: caller unknown)"
            elif top in APP_DIRS + TEST_DIRS:
                return name, top in APP_DIRS
        frame = frame.f_back
    return None if driver_frame is None else (driver_frame, True)


def _wrap(run: Callable[..., Any], recorder: Recorder) -> Callable[..., Any]:
    @functools.wraps(run)
    def recording_run(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        text = getattr(query, "text", query)
        if isinstance(text, str):
            found = sender_of(sys._getframe(1))
            if found is not None:
                recorder.note(text, *found)
        return run(self, query, *args, **kwargs)

    recording_run.__kam_recorder__ = recorder  # type: ignore[attr-defined]
    return recording_run


def install(spool: Path | None = None) -> Recorder:
    """Wrap the driver's `run` methods (once per process) and return the recorder."""
    from neo4j import AsyncSession
    from neo4j._async.work.transaction import AsyncTransactionBase

    current = getattr(AsyncSession.run, "__kam_recorder__", None)
    if isinstance(current, Recorder):
        return current
    recorder = Recorder(spool)
    # `run` is a coroutine function; the wrapper returns its coroutine unawaited, and the
    # frames above it are those of the caller awaiting it, so the stack names the sender.
    AsyncSession.run = _wrap(AsyncSession.run, recorder)  # type: ignore[method-assign]
    AsyncTransactionBase.run = _wrap(AsyncTransactionBase.run, recorder)  # type: ignore[method-assign]
    return recorder
