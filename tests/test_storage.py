"""Storage faults of the embedded database. The disk fills up: writes are refused with
UNAVAILABLE (nothing half-written), /readyz says why, and everything works again, with every
acknowledged write intact, once space returns. The disk turns read-only the way real ones do
(an ext4 file system hits an error and remounts itself read-only): writes are refused the same
way, and after the operator's repair (stop, fsck, mount) every acknowledged write is there.

Both need root to mount a small disk of the test's own; they skip, saying why, elsewhere."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    made = _run("mount", "-t", "tmpfs", "-o", "size=200m", "tmpfs", str(mount))
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small disk here ({made.stderr.strip() or 'not permitted'})")
    try:
        yield mount
    finally:
        _run("umount", "-l", str(mount))


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


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    """Run a system tool; a missing tool is a failure like any other (exit 127)."""
    try:
        return subprocess.run(list(command), capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return subprocess.CompletedProcess(list(command), 127, "", f"{command[0]} is not installed")


@pytest.fixture
def ext4_disk(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A 300 MB ext4 image mounted with errors=remount-ro, and its image file."""
    image, mount = tmp_path / "disk.img", tmp_path / "ext4"
    mount.mkdir()
    made = _run("truncate", "-s", "300M", str(image))
    if made.returncode == 0:
        made = _run("mkfs.ext4", "-q", "-F", str(image))
    if made.returncode == 0:
        made = _run("mount", "-o", "loop,errors=remount-ro", str(image), str(mount))
    if made.returncode != 0:
        pytest.skip(f"cannot mount an ext4 image here ({made.stderr.strip() or 'not permitted'})")
    try:
        yield mount, image
    finally:
        _run("umount", "-l", str(mount))


def _trigger_error(mount: Path) -> None:
    device = Path(_run("findmnt", "-n", "-o", "SOURCE", str(mount)).stdout.strip()).name
    trigger = Path("/sys/fs/ext4") / device / "trigger_fs_error"
    if not trigger.exists():
        pytest.skip("this kernel cannot trigger an ext4 error")
    trigger.write_text("kam storage test\n")


@pytest.mark.slow
def test_disk_turned_read_only_is_clear_and_loses_nothing(ext4_disk: tuple[Path, Path]) -> None:
    mount, image = ext4_disk
    acked: list[str] = []
    with own_app(mount / "db", mount.parent / "app") as own:
        client = httpx.Client(headers=own.headers, timeout=30)

        def create(name: str) -> dict[str, Any]:
            return client.post(
                f"{own.url}/graphql", json={"query": CREATE, "variables": {"n": name}}
            ).json()

        for i in range(5):
            body = create(f"before-{i}")
            assert body["data"]["createNode"]["__typename"] == "NodePayload", body
            acked.append(f"before-{i}")
        _trigger_error(mount)
        answers = [create(f"ro-{i}") for i in range(10)]
        codes = {e["extensions"]["code"] for r in answers for e in r.get("errors", [])}
        assert codes == {"UNAVAILABLE"} and all("errors" in r for r in answers), answers[:2]
        assert "cannot store" in answers[0]["errors"][0]["message"]
        ready = httpx.get(f"{own.url}/readyz")
        assert ready.status_code == 503 and ready.json()["database"] == "storage read-only"
        client.close()
    # The operator's repair: the database is stopped (above), the disk checked and mounted.
    assert _run("umount", str(mount)).returncode == 0
    assert _run("fsck.ext4", "-fy", str(image)).returncode in (0, 1)  # 1: errors corrected
    assert _run("mount", "-o", "loop,errors=remount-ro", str(image), str(mount)).returncode == 0
    with own_app(mount / "db", mount.parent / "app2") as own:
        body = httpx.post(
            f"{own.url}/graphql",
            json={"query": CREATE, "variables": {"n": "after-repair"}},
            headers=own.headers,
        ).json()
        assert body["data"]["createNode"]["__typename"] == "NodePayload", body
        acked.append("after-repair")
        names = [r["name"] for r in own.read("MATCH (c:Competitor) RETURN c.name AS name")]
    assert sorted(names) == sorted(acked)
