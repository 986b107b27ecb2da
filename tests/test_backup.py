"""Backup and restore drill: back up while clients write, restore into an empty database, and
check the restored graph against the clients' own logs of acknowledged writes."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.driver import Database
from graph.embedded import EmbeddedServer
from graph.migrations import migrate
from graph.transfer import export_lines, import_lines
from tests.conftest import LoopThread
from tests.own_app import own_app

WRITERS = 4
WRITES_EACH = 40
CREATE = """mutation($in: CreateNodeInput!) { createNode(input: $in) {
  __typename ... on NodePayload { id } } }"""


@pytest.mark.slow
def test_backup_during_writes_restores_every_write_acknowledged_before_it(
    tmp_path: Path,
) -> None:
    acked: dict[str, float] = {}  # contact name -> when the client saw the acknowledgement
    lock = threading.Lock()
    with own_app(tmp_path / "db", tmp_path / "app") as own:
        client = httpx.Client(headers=own.headers, timeout=30)

        def create(data: dict[str, Any]) -> str:
            body = client.post(
                f"{own.url}/graphql", json={"query": CREATE, "variables": {"in": data}}
            ).json()
            assert body["data"]["createNode"]["__typename"] == "NodePayload", body
            return str(body["data"]["createNode"]["id"])

        account = create({"kind": "ACCOUNT", "properties": {"name": "Drill Group"}})
        unit = create(
            {
                "kind": "CLIENT_UNIT",
                "parentId": account,
                "properties": {"name": "HQ", "level": "GLOBAL"},
            }
        )

        def writer(w: int) -> None:
            with httpx.Client(headers=own.headers, timeout=30) as mine:
                for i in range(WRITES_EACH):
                    name = f"drill-{w}-{i}"
                    # A contact and its WORKS_IN are one write: both or neither.
                    data = {
                        "kind": "CONTACT",
                        "parentId": unit,
                        "properties": {"name": name},
                        "clientMutationId": name,
                    }
                    body = mine.post(
                        f"{own.url}/graphql", json={"query": CREATE, "variables": {"in": data}}
                    ).json()
                    if (body.get("data") or {}).get("createNode", {}).get(
                        "__typename"
                    ) == "NodePayload":
                        with lock:
                            acked[name] = time.monotonic()

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        while len(acked) < WRITERS * WRITES_EACH // 3:
            time.sleep(0.01)
        with lock:
            started = time.monotonic()
            before_backup = set(acked)
        lines = own.loop.run(_export(own.db))
        finished = time.monotonic()
        for t in threads:
            t.join(120)
        client.close()
        during = {n for n, at in acked.items() if started <= at <= finished}

    restore = EmbeddedServer(tmp_path / "restored", "kam", "512m")
    conn = restore.start()
    loop = LoopThread()
    try:

        async def restored() -> tuple[Any, list[dict[str, Any]]]:
            db = await Database.connect(conn.uri, conn.user, conn.password, conn.database)
            try:
                await migrate(db)
                report = await import_lines(db, [json.dumps(line) for line in lines])
                rows = await db.read(
                    "MATCH (u:ClientUnit {id: $u}) MATCH (c:Contact) WHERE c.name STARTS "
                    "WITH 'drill-' "
                    "OPTIONAL MATCH (c)-[w:WORKS_IN]->(u) RETURN c.name AS name, count(w) AS links",
                    {"u": unit},
                )
                return report, rows
            finally:
                await db.close()

        report, rows = loop.run(restored())
    finally:
        restore.stop()
        loop.close()
    assert report.ok and report.applied, report.errors[:3]
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names)), "a write is in the backup twice"
    assert before_backup <= set(names), sorted(before_backup - set(names))[:5]
    assert set(names) <= set(acked), "the backup holds a write no client saw acknowledged"
    assert all(r["links"] == 1 for r in rows), "a contact came back without its unit"
    assert len(acked) == WRITERS * WRITES_EACH
    print(
        f"backup drill: {len(acked)} writes acknowledged, {len(before_backup)} before the backup "
        f"and {len(during)} while it ran; {len(names)} restored ({len(lines)} lines), "
        f"backup took {finished - started:.2f} s"
    )


async def _export(db: Database) -> list[dict[str, Any]]:
    return [line async for line in export_lines(db)]
