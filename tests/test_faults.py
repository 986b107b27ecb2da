"""Faults: the embedded database is killed in the middle of a write load. While it is down
requests get UNAVAILABLE and /readyz says so; the app starts it again by itself; afterwards
every acknowledged write is there exactly once (retries are idempotent)."""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.own_app import own_app

WRITERS = 4
WRITES_EACH = 30
CREATE = """mutation($c: String!, $n: String!) { createNode(input: {kind: COMPETITOR,
  properties: {name: $n}, clientMutationId: $c}) {
  __typename ... on NodePayload { id replayed } } }"""


@pytest.mark.slow
def test_killed_database_loses_no_acknowledged_write(tmp_path: Path) -> None:
    prefix = "fault" + secrets.token_hex(3)
    acked: dict[str, str] = {}
    tried = [0]
    unavailable = [0]
    lock = threading.Lock()
    with own_app(tmp_path / "db", tmp_path / "app") as own:
        url, headers, server, db, loop = own.url, own.headers, own.server, own.db, own.loop

        def writer(w: int) -> None:
            deadline = time.monotonic() + 120
            with httpx.Client(headers=headers, timeout=20) as client:
                for i in range(WRITES_EACH):
                    cmid = f"{prefix}-{w}-{i}"
                    while time.monotonic() < deadline:
                        with lock:
                            tried[0] += 1
                        try:
                            body = client.post(
                                f"{url}/graphql",
                                json={"query": CREATE, "variables": {"c": cmid, "n": cmid}},
                            ).json()
                        except httpx.HTTPError:
                            continue
                        result = (body.get("data") or {}).get("createNode")
                        if result and result["__typename"] == "NodePayload":
                            with lock:
                                acked[cmid] = result["id"]
                            break
                        if any(
                            e["extensions"]["code"] == "UNAVAILABLE" for e in body.get("errors", [])
                        ):
                            with lock:
                                unavailable[0] += 1
                        time.sleep(0.05)

        done = threading.Event()
        reads_unavailable = [0]

        def reader() -> None:
            with httpx.Client(headers=headers, timeout=20) as client:
                while not done.is_set():
                    try:
                        body = client.post(
                            f"{url}/graphql", json={"query": "{ users { username } }"}
                        ).json()
                    except httpx.HTTPError:
                        continue
                    if any(
                        e["extensions"]["code"] == "UNAVAILABLE" for e in body.get("errors", [])
                    ):
                        reads_unavailable[0] += 1
                    time.sleep(0.02)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
        watcher = threading.Thread(target=reader)
        watcher.start()
        for t in threads:
            t.start()
        while len(acked) < WRITERS * WRITES_EACH // 4:
            time.sleep(0.02)
        os.kill(server.pid or 0, signal.SIGKILL)
        saw_down = False
        for _ in range(200):
            if httpx.get(f"{url}/readyz").status_code == 503:
                saw_down = True
                break
            time.sleep(0.02)
        for t in threads:
            t.join(150)
        done.set()
        watcher.join(30)
        assert reads_unavailable[0] > 0, "no request was told the database was unavailable"
        assert saw_down, "/readyz never said the database was down"
        assert httpx.get(f"{url}/readyz").status_code == 200, (
            "the app did not bring the database back"
        )
        assert len(acked) == WRITERS * WRITES_EACH, f"{len(acked)} writes acknowledged"
        found = loop.run(
            db.read(
                "MATCH (c:Competitor) WHERE c.name STARTS WITH $p RETURN c.id AS id, "
                "c.name AS name",
                {"p": prefix},
            )
        )
        by_name: dict[str, list[str]] = {}
        for row in found:
            by_name.setdefault(row["name"], []).append(row["id"])
        assert all(len(ids) == 1 for ids in by_name.values()), "a retried write was duplicated"
        assert {name: ids[0] for name, ids in by_name.items()} == acked
        print(
            f"fault run: {tried[0]} writes tried, "
            f"{unavailable[0] + reads_unavailable[0]} requests answered UNAVAILABLE, "
            f"{len(acked)} writes acknowledged, {len(found)} found"
        )
