"""Audit entries of restricted reads leave the request path through a journal and lose nothing:
not when the database is down, not when the app dies, not when a journal is torn."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from neo4j import AsyncGraphDatabase

from graph.audit import AuditEvent
from graph.audit_spool import AuditSpool
from graph.driver import Database
from graph.embedded import free_port
from kam.runtime import audit_journal_dir
from tests.conftest import Backend, LiveApp


def events(uid: str, n: int) -> list[AuditEvent]:
    return [
        AuditEvent(
            "user-x", "x", "READ", "account.market_potential", "Account", f"{uid}-{i}", "OK", uid
        )
        for i in range(n)
    ]


def stored(backend: Backend, request_id: str) -> list[dict[str, object]]:
    return backend.read(
        "MATCH (x:AuditEntry) WHERE x.requestId = $r RETURN x.id AS id, x.targetId AS target",
        r=request_id,
    )


def stored_count(backend: Backend, request_prefix: str) -> int:
    rows = backend.read(
        "MATCH (x:AuditEntry) WHERE x.requestId STARTS WITH $u RETURN count(x) AS n",
        u=request_prefix,
    )
    return int(rows[0]["n"])


def dead_database() -> Database:
    """A driver pointed at a loopback port where nothing listens: every write fails."""
    driver = AsyncGraphDatabase.driver(
        f"bolt://127.0.0.1:{free_port()}",
        auth=("root", "none"),
        connection_timeout=0.5,
        max_transaction_retry_time=0.2,
    )
    return Database(driver, "kam", 4, None)


def journal_line(event: AuditEvent) -> str:
    row = event.params(datetime.now(UTC))
    return json.dumps({**row, "at": row["at"].isoformat()})


def journal_lines(directory: Path) -> int:
    return sum(len(p.read_text().splitlines()) for p in directory.glob("audit-*.jsonl"))


def next_process(backend: Backend, directory: Path) -> int:
    """A process starting on the data directory: it takes over the journals it may, stores
    them and stops. Returns how many entries it took over."""

    async def run() -> int:
        spool = AuditSpool(backend.db, directory)
        spool.start()
        assert await spool.flush(within=20)
        await spool.close()
        return spool.taken_over

    return backend.run(run())


def test_a_restricted_read_is_in_the_audit_trail_once_and_the_journal_empties(
    live: LiveApp, uid: str
) -> None:
    response = live.post(
        "{ accounts(first: 1) { edges { node { id marketPotential } } } }",
        token=live.token("executive"),
    )
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    request_id = response.headers["x-request-id"]
    deadline = time.monotonic() + 10
    while not (rows := stored(live.backend, request_id)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(rows) == 1, rows
    directory = audit_journal_dir(live.settings)
    deadline = time.monotonic() + 10
    while journal_lines(directory) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert journal_lines(directory) == 0  # stored segments are deleted
    assert len(list(directory.glob("audit-*.jsonl"))) == 1  # the app's current one, locked


def test_entries_wait_out_a_dead_database_and_the_next_process_stores_them_once(
    backend: Backend, tmp_path: Path, uid: str
) -> None:
    async def while_down() -> None:
        dead = dead_database()
        first = AuditSpool(dead, tmp_path, retry_seconds=0.1)
        first.start()
        await first.submit(events(uid, 3))
        await first.submit(events(uid + "b", 2))
        assert not await first.flush(within=1.0)  # the database never answered
        assert first.pending == 5
        await first.close(within=0.2)
        await dead.close()

    backend.run(while_down())
    assert journal_lines(tmp_path) == 5
    assert next_process(backend, tmp_path) == 5
    assert list(tmp_path.glob("audit-*.jsonl")) == []
    assert len(stored(backend, uid)) == 3
    assert len(stored(backend, uid + "b")) == 2


def test_a_journal_stored_before_its_process_died_is_merged_not_duplicated_and_a_torn_line_skipped(
    backend: Backend, tmp_path: Path, uid: str
) -> None:
    lines = [journal_line(e) for e in events(uid, 2)]
    first = json.loads(lines[0])
    first["at"] = datetime.fromisoformat(first["at"])
    backend.write(
        "CREATE (x:AuditEntry) SET x = $e", e=first
    )  # the first was stored, then the process died before emptying its journal
    orphan = tmp_path / "audit-1-dead.jsonl"
    orphan.write_text("\n".join(lines) + "\n" + lines[0][:25])  # and died mid-line
    assert next_process(backend, tmp_path) == 2
    assert sorted(r["target"] for r in stored(backend, uid)) == [f"{uid}-0", f"{uid}-1"]
    assert not orphan.exists()


def test_a_live_process_journal_is_not_taken_over(
    backend: Backend, tmp_path: Path, uid: str
) -> None:
    live_journal = tmp_path / "audit-2-live.jsonl"
    live_journal.write_text(journal_line(events(uid, 1)[0]) + "\n")
    fd = os.open(live_journal, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # held the way a running app holds its own
    try:
        assert next_process(backend, tmp_path) == 0
        assert live_journal.exists() and stored(backend, uid) == []
    finally:
        os.close(fd)


def test_many_waiting_entries_hold_requests_back_until_the_writer_catches_up(
    backend: Backend, tmp_path: Path, uid: str
) -> None:
    async def scenario() -> int:
        spool = AuditSpool(backend.db, tmp_path, batch=50, max_pending=100)
        spool.start()
        await asyncio.gather(*(spool.submit(events(f"{uid}-{i}", 40)) for i in range(10)))
        await spool.close()
        return spool.peak

    assert backend.run(scenario()) <= 100 + 40
    assert stored_count(backend, uid) == 400


def test_requests_close_together_share_one_commit_and_a_flush_does_not_linger(
    backend: Backend, tmp_path: Path, uid: str
) -> None:
    async def scenario() -> tuple[int, float]:
        spool = AuditSpool(backend.db, tmp_path, linger_seconds=5.0)
        spool.start()
        for i in range(5):  # five requests, each with its own entries, within the linger
            await spool.submit(events(f"{uid}-{i}", 2))
            await asyncio.sleep(0.01)
        started = time.monotonic()
        assert await spool.flush(within=20)
        took = time.monotonic() - started
        commits = spool.commits
        await spool.close()
        return commits, took

    commits, took = backend.run(scenario())
    assert commits == 1
    assert took < 4.0, "flush() waited out the linger"
    assert stored_count(backend, uid) == 10


def test_under_steady_load_the_journal_holds_only_what_is_not_stored_yet(
    backend: Backend, tmp_path: Path, uid: str
) -> None:
    """Requests keep coming while the writer commits, so there is never a moment with
    nothing waiting: stored segments must still go, or the journal grows without end."""

    async def scenario() -> tuple[int, int, int]:
        spool = AuditSpool(backend.db, tmp_path, batch=100_000, linger_seconds=0.01)
        spool.start()
        for i in range(400):
            await spool.submit(events(f"{uid}-{i}", 1))
            await asyncio.sleep(0.002)
        waiting, commits = spool.pending, spool.commits
        lines = journal_lines(tmp_path)  # read here, between two steps of the writer
        await spool.close()
        return lines, waiting, commits

    lines, waiting, commits = backend.run(scenario())
    assert commits >= 3
    assert lines == waiting < 400
    assert stored_count(backend, uid) == 400


def test_entries_of_several_requests_in_one_commit_keep_every_field(
    backend: Backend, tmp_path: Path, uid: str
) -> None:
    """The writer sends entries grouped by their request's shared fields; each stored entry
    must still carry exactly its own values and its request's."""
    batches = [
        [
            AuditEvent(
                f"user-{k}" if k else None,
                f"name-{k}",
                "READ",
                f"section-{k}-{i}",
                "Account",
                f"{uid}-{k}-{i}",
                "FORBIDDEN" if i % 2 else "OK",
                f"{uid}-r{k}",
            )
            for i in range(3)
        ]
        for k in range(3)
    ]

    async def scenario() -> list[datetime]:
        spool = AuditSpool(backend.db, tmp_path, linger_seconds=5.0)
        spool.start()
        times = []
        for batch in batches:
            times.append(datetime.now(UTC))
            await spool.submit(batch)
            await asyncio.sleep(0.01)  # a later time for the next request
        assert await spool.flush(within=20)
        await spool.close()
        assert spool.commits == 1
        return times

    times = backend.run(scenario())
    rows = backend.read(
        "MATCH (x:AuditEntry) WHERE x.requestId STARTS WITH $u "
        "RETURN x.userId AS userId, x.username AS username, x.action AS action, "
        "x.section AS section, x.targetType AS targetType, x.targetId AS targetId, "
        "x.outcome AS outcome, x.requestId AS requestId, x.at AS at, x.id AS id",
        u=uid,
    )
    assert len(rows) == 9 and len({r["id"] for r in rows}) == 9
    by_target = {r["targetId"]: r for r in rows}
    for k, batch in enumerate(batches):
        ats = set()
        for e in batch:
            r = by_target[e.target_id]
            assert (r["userId"], r["username"], r["action"], r["section"]) == (
                e.user_id,
                e.username,
                e.action,
                e.section,
            )
            assert (r["targetType"], r["outcome"], r["requestId"]) == (
                e.target_type,
                e.outcome,
                e.request_id,
            )
            ats.add(str(r["at"]))
        assert len(ats) == 1, "one request's entries share its time"
        at = datetime.fromisoformat(ats.pop()[:26])
        assert abs((at.replace(tzinfo=None) - times[k].replace(tzinfo=None)).total_seconds()) < 1
