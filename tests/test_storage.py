"""Storage faults of the embedded database: the disk fills up. Writes are refused with
UNAVAILABLE (nothing half-written), /readyz says why, and everything works again, with every
acknowledged write intact, once space returns.

A read-only disk is not simulated here: remounting a tmpfs read-only is refused while the
database holds files open for writing, and root ignores file permissions."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.driver import Database
from tests.conftest import LoopThread
from tests.own_app import own_app

CREATE = """mutation($n: String!) { createNode(input: {kind: COMPETITOR, properties: {name: $n}}) {
  __typename ... on NodePayload { id } } }"""


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 200 MB tmpfs of the test's own, so filling it harms nothing else."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small disk here ({made.stderr.strip() or 'not permitted'})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(path: Path) -> None:
    chunk = b"\0" * (1 << 20)
    with contextlib.suppress(OSError), open(path, "wb") as handle:
        while True:
            handle.write(chunk)
            handle.flush()


@pytest.mark.slow
def test_disk_full_is_clear_and_recoverable(small_disk: Path) -> None:
    acked: list[str] = []
    with own_app(small_disk / "db", small_disk.parent / "app") as own:
        url = own.url
        client = httpx.Client(headers=own.headers, timeout=30)

        def create(name: str) -> dict[str, object]:
            return client.post(
                f"{url}/graphql", json={"query": CREATE, "variables": {"n": name}}
            ).json()

        def count() -> int:
            return int(own.read("MATCH (c:Competitor) RETURN count(c) AS n")[0]["n"])

        for i in range(5):
            body = create(f"before-{i}")
            assert body["data"]["createNode"]["__typename"] == "NodePayload", body
            acked.append(f"before-{i}")

        # The disk fills up.
        filler = small_disk / "filler"
        fill(filler)
        before = count()
        answers = [(f"full-{i}", create(f"full-{i}")) for i in range(20)]
        # A write may still fit in space the database had set aside: then it is acknowledged.
        acked += [n for n, r in answers if (r.get("data") or {}).get("createNode")]
        refused = [r for _, r in answers if "errors" in r]
        assert len(refused) >= 15, answers[:3]
        codes = {e["extensions"]["code"] for r in refused for e in r["errors"]}
        assert codes == {"UNAVAILABLE"}, refused[:2]
        message = refused[0]["errors"][0]["message"]
        assert "cannot store" in message and "/" not in message  # no paths, no driver text
        ready = httpx.get(f"{url}/readyz")
        assert ready.status_code == 503 and ready.json()["database"] == "storage disk full"
        assert count() == before + len(answers) - len(refused)  # nothing half-written
        filler.unlink()
        body = create("after-full")
        assert body["data"]["createNode"]["__typename"] == "NodePayload", body
        acked.append("after-full")
        assert httpx.get(f"{url}/readyz").status_code == 200

        client.close()

    # After a restart every acknowledged write is there exactly once, and nothing refused is.
    conn = own.server.start()
    loop = LoopThread()
    try:
        db = loop.run(Database.connect(conn.uri, conn.user, conn.password, conn.database))
        names = [r["name"] for r in loop.run(db.read("MATCH (c:Competitor) RETURN c.name AS name"))]
        loop.run(db.close())
    finally:
        own.server.stop()
        loop.close()
    assert sorted(names) == sorted(acked)
