"""Audit entries of restricted reads, stored off the request path without losing any.

A request that read an audited section appends its entries to this process's journal file
(one `write`, no wait for the database) and answers. A writer task stores the journal in the
graph in batches, one transaction each (lingering `linger_seconds` so that several requests
share one commit). The journal is a series of segment files: before each batch the writer
starts a new segment, and a segment is deleted once every entry in it is stored, so under
steady load the journal holds only what is not stored yet.

- The app dies: the journal is on disk; the next process to start on the same data
  directory takes it over and stores it. A torn last line (death mid-write) is skipped, logged.
- The database is down or full: entries wait in the journal and the writer retries.
- An entry stored twice (death between the commit and emptying the journal) is merged on its
  id, never duplicated.
- `max_pending` entries waiting: further requests wait for the writer (back pressure).
- The journal cannot be written (disk full): the request stores its entries itself.

Each live process holds an exclusive lock on its own journal, so a journal that can be locked
belongs to a process that is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import orjson

from graph.audit import AuditEvent, entries
from graph.driver import Database

log = logging.getLogger(__name__)

# Entries go in groups that share their request's fields (time, user, action, request): a
# page read audits dozens of rows at once, and packing each entry's time costs the driver more
# than the rest of the entry.
SHARED: Final = ("at", "userId", "username", "action", "requestId")
OWN: Final = ("id", "section", "targetType", "targetId", "outcome")
STORE: Final = """
UNWIND $groups AS g
UNWIND g.entries AS e
MERGE (x:AuditEntry {id: e[0]})
ON CREATE SET x.at = g.at, x.userId = g.userId, x.username = g.username, x.action = g.action,
  x.requestId = g.requestId, x.section = e[1], x.targetType = e[2], x.targetId = e[3],
  x.outcome = e[4]
RETURN count(x) AS n
"""


def grouped(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as STORE takes them: one group per request's shared fields, in row order."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row.get(k) for k in SHARED)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {**dict(zip(SHARED, key, strict=True)), "entries": []}
        group["entries"].append([row.get(k) for k in OWN])
    return list(groups.values())


PATTERN: Final = "audit-*.jsonl"


class AuditSpool:
    def __init__(
        self,
        db: Database,
        directory: Path,
        *,
        batch: int = 500,
        max_pending: int = 50_000,
        retry_seconds: float = 1.0,
        rescan_seconds: float = 60.0,
        linger_seconds: float = 0.05,
    ) -> None:
        self.db = db
        self.directory = directory
        self.batch = batch
        self.max_pending = max_pending
        self.retry_seconds = retry_seconds
        self.rescan_seconds = rescan_seconds
        self.linger_seconds = linger_seconds
        directory.mkdir(parents=True, exist_ok=True)
        self._queued = 0  # entries queued so far (pending is first in, first stored)
        self._stored_upto = 0  # how many of those are stored
        self._sealed: list[tuple[Path, int, int]] = []  # (path, fd, entries queued up to it)
        self.path, self._fd = self._new_segment()
        self._segment_from = 0
        self._pending: list[dict[str, Any]] = []
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        self._room = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._flushing = 0  # callers waiting in flush(): no lingering for them
        self._hurry = asyncio.Event()  # set by flush(): stop lingering
        self.stored = 0
        self.taken_over = 0
        self.peak = 0  # the most entries that waited at once
        self.commits = 0

    # -- the request side -------------------------------------------------------------

    async def submit(self, events: Sequence[AuditEvent]) -> None:
        """Journal the events; they reach the graph shortly after, in the writer's batch."""
        if not events:
            return
        while len(self._pending) >= self.max_pending:
            self._room.clear()
            await self._room.wait()
        rows = entries(events, datetime.now(UTC))
        try:
            self._journal(rows)
        except OSError as exc:
            log.warning("audit journal %s not writable (%s); storing directly", self.path, exc)
            await self.db.write(STORE, {"groups": grouped(rows)})
            self.stored += len(rows)
            return
        self._queue(rows)

    async def flush(self, within: float = 5.0) -> bool:
        """Wait until every entry submitted so far is stored; False if that took too long."""
        self._flushing += 1
        self._hurry.set()
        self._wake.set()
        try:
            await asyncio.wait_for(self._drained.wait(), within)
        except TimeoutError:
            return False
        finally:
            self._flushing -= 1
            if not self._flushing:
                self._hurry.clear()
        return True

    @property
    def pending(self) -> int:
        return len(self._pending)

    # -- lifetime -----------------------------------------------------------------------

    def start(self) -> None:
        self.take_over()
        self._task = asyncio.create_task(self._run(), name="audit-spool")

    async def close(self, within: float = 5.0) -> None:
        """Store what is waiting (for up to `within` seconds); what is left stays in the journal."""
        if self._task is not None:
            await self.flush(within)
            self._closing = True
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=within)
            self._task = None
        current_empty = self._queued == self._segment_from
        segments = [*((path, fd, False) for path, fd, _ in self._sealed)]
        segments.append((self.path, self._fd, current_empty))
        for path, fd, empty in segments:
            os.close(fd)
            if empty or not self._pending:
                path.unlink(missing_ok=True)
        self._sealed.clear()
        if self._pending:
            log.warning(
                "%d audit entries wait in %s for the next start", self.pending, self.directory
            )

    def take_over(self) -> int:
        """Queue the entries of journals whose processes are gone; returns how many."""
        found = 0
        own = {self.path, *(path for path, _, _ in self._sealed)}
        for path in sorted(self.directory.glob(PATTERN)):
            if path in own:
                continue
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a live process's journal
                rows = _read_journal(path)
                if rows:
                    self._journal(rows)
                    self._queue(rows)
                    found += len(rows)
                path.unlink()
            finally:
                os.close(fd)
        if found:
            log.info("audit: took over %d entries left by earlier processes", found)
        self.taken_over += found
        return found

    # -- the writer -----------------------------------------------------------------------

    def _journal(self, rows: list[dict[str, Any]]) -> None:
        view = memoryview(b"".join(orjson.dumps(r) + b"\n" for r in rows))
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def _new_segment(self) -> tuple[Path, int]:
        path = self.directory / f"audit-{os.getpid()}-{secrets.token_hex(4)}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # ours while this process lives
        return path, fd

    def _seal(self) -> None:
        """Close the current segment to new entries (if it has any) and start another."""
        if self._queued == self._segment_from:
            return
        try:
            path, fd = self._new_segment()
        except OSError as exc:  # keep appending to the current one
            log.warning("audit journal: no new segment in %s: %s", self.directory, exc)
            return
        self._sealed.append((self.path, self._fd, self._queued))
        self.path, self._fd, self._segment_from = path, fd, self._queued

    def _release(self) -> None:
        """Delete the sealed segments whose entries are all stored."""
        while self._sealed and self._sealed[0][2] <= self._stored_upto:
            path, fd, _ = self._sealed.pop(0)
            os.close(fd)
            try:
                path.unlink()
            except OSError as exc:  # stored; merging them again later is harmless
                log.warning("audit journal %s not deleted: %s", path, exc)

    def _queue(self, rows: list[dict[str, Any]]) -> None:
        self._queued += len(rows)
        self._pending.extend(rows)
        self.peak = max(self.peak, len(self._pending))
        self._drained.clear()
        self._wake.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_scan = loop.time() + self.rescan_seconds
        while not self._closing:
            if not self._pending:
                self._drained.set()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.rescan_seconds):
                        await self._wake.wait()
                self._wake.clear()
                if loop.time() >= next_scan:
                    next_scan = loop.time() + self.rescan_seconds
                    self.take_over()
                continue
            if len(self._pending) < self.batch and not self._flushing and self.linger_seconds:
                # Let the entries of the next few requests join this one's transaction:
                # one commit (and one fsync) for several requests.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.linger_seconds):
                        await self._hurry.wait()  # a flush() cuts the wait short
            self._seal()
            batch = self._pending[: self.batch]
            try:
                await self.db.write(STORE, {"groups": grouped(batch)})
            except Exception:  # the writer must outlive any failure; the entries wait
                log.exception("audit: %d entries not stored yet; retrying", len(self._pending))
                await asyncio.sleep(self.retry_seconds)
                continue
            del self._pending[: len(batch)]
            self.stored += len(batch)
            self._stored_upto += len(batch)
            self.commits += 1
            self._release()
            if len(self._pending) < self.max_pending:
                self._room.set()


def _read_journal(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            try:
                row = json.loads(line)
                row["at"] = datetime.fromisoformat(row["at"])
            except (ValueError, KeyError, TypeError):
                log.warning(
                    "audit journal %s: line %d is torn or unreadable; skipped", path, number
                )
                continue
            rows.append(row)
    return rows
