"""The embedded server: a child process on loopback, its data reused, its directory locked."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from graph.driver import Database
from graph.embedded import EmbeddedServer, pid_alive
from graph.errors import ConfigError


async def _roundtrip(uri: str, user: str, password: str, db: str, write: str | None) -> list[str]:
    database = await Database.connect(uri, user, password, db)
    try:
        if write:
            await database.write("MERGE (n:Probe {id: $id})", {"id": write})
        return [
            r["id"] for r in await database.read("MATCH (n:Probe) RETURN n.id AS id ORDER BY id")
        ]
    finally:
        await database.close()


def test_data_survives_restart_and_password_is_private(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path, "kam", "256m")
    first = server.start()
    try:
        assert first.uri.startswith("bolt://127.0.0.1:")
        ids = asyncio.run(_roundtrip(first.uri, first.user, first.password, "kam", "probe-1"))
        assert ids == ["probe-1"]
        mode = stat.S_IMODE((tmp_path / "root-password").stat().st_mode)
        assert mode == 0o600
        # A second server on the same data directory is refused, naming the setting.
        with pytest.raises(ConfigError, match="KAM_DATA_DIR"):
            EmbeddedServer(tmp_path, "kam", "256m").start()
    finally:
        server.stop()
    assert not pid_alive(first.pid)
    second = server.start()
    try:
        assert second.password == first.password
        assert asyncio.run(_roundtrip(second.uri, second.user, second.password, "kam", None)) == [
            "probe-1"
        ]
    finally:
        server.stop()


def test_child_stops_when_its_parent_is_killed(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from graph.embedded import EmbeddedServer\n"
        f"c = EmbeddedServer(__import__('pathlib').Path({str(tmp_path)!r}), 'kam', "
        "'256m').start()\n"
        "print(c.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    assert pid_alive(child_pid)
    parent.kill()
    parent.wait()
    for _ in range(100):
        if not pid_alive(child_pid):
            break
        asyncio.run(asyncio.sleep(0.1))
    else:
        os.kill(child_pid, 9)
        pytest.fail("the database outlived its killed parent")


def test_unwritable_data_dir_names_the_setting(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(ConfigError, match="KAM_DATA_DIR"):
        EmbeddedServer(blocked / "data").start()
