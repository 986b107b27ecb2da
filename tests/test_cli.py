"""The `kam` CLI: help everywhere, clear one-line errors and non-zero exits for mistakes."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from kam.cli import check_port_free
from tests.conftest import Backend

KAM = [sys.executable, "-m", "kam"]


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KAM, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["demo"],
        ["migrate"],
        ["db"],
        ["db", "status"],
        ["db", "start"],
        ["db", "stop"],
        ["schema", "export"],
        ["seed", "demo"],
        ["user"],
        ["user", "add"],
        ["user", "passwd"],
        ["user", "deactivate"],
        ["user", "list"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def test_wrong_uri_is_one_clear_message(tmp_path: Path) -> None:
    result = run("migrate", env={"KAM_DB_URI": "bolt://127.0.0.1:1", "KAM_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "KAM_DB_URI" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_uri_scheme_is_one_clear_message() -> None:
    result = run("migrate", env={"KAM_DB_URI": "mysql://x"})
    assert result.returncode == 1
    assert "KAM_DB_URI" in result.stderr and "Traceback" not in result.stderr


def test_unwritable_data_dir_is_one_clear_message(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")
    result = run("migrate", env={"KAM_DATA_DIR": str(blocked / "d")})
    assert result.returncode == 1
    assert "KAM_DATA_DIR" in result.stderr and "Traceback" not in result.stderr


def test_busy_port_is_one_clear_message(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = run("serve", "--port", str(port), env={"KAM_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert f"port {port}" in result.stderr and "KAM_PORT" in result.stderr


def _time_wait_port() -> int:
    """A loopback port whose only socket is in TIME_WAIT: a server that closed first, as the
    app does with clients that send `Connection: close`, then stopped listening."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port: int = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            served, _ = listener.accept()
            served.close()  # the server's side closes first: it is the one left in TIME_WAIT
            assert client.recv(1) == b""
    return port


def test_a_port_in_time_wait_is_free_and_a_listener_is_busy() -> None:
    port = _time_wait_port()
    # What made `kam demo` refuse a restart: a plain bind sees the TIME_WAIT socket.
    with socket.socket() as plain, pytest.raises(OSError, match="in use") as refused:
        plain.bind(("127.0.0.1", port))
    assert refused.value.errno == errno.EADDRINUSE
    check_port_free("127.0.0.1", port)
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen()
        with pytest.raises(typer.Exit) as busy:
            check_port_free("127.0.0.1", port)
    assert busy.value.exit_code == 1


def test_production_default_secret_refuses_to_start(tmp_path: Path) -> None:
    result = run("serve", env={"KAM_ENV": "production", "KAM_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "KAM_TOKEN_SECRET" in result.stderr


def test_db_start_status_stop(tmp_path: Path) -> None:
    env = {"KAM_DATA_DIR": str(tmp_path), "KAM_EMBEDDED_HEAP": "256m"}
    assert run("db", "status", "--json", env=env).returncode == 3
    started = run("db", "start", "--json", env=env)
    assert started.returncode == 0, started.stderr
    try:
        status = run("db", "status", "--json", env=env)
        assert status.returncode == 0, status.stderr
        assert '"answers": true' in status.stdout
        migrated = run("migrate", "--json", env=env)  # reuses the background server
        assert migrated.returncode == 0, migrated.stderr
    finally:
        assert run("db", "stop", env=env).returncode == 0
    assert run("db", "status", "--json", env=env).returncode == 3


def test_schema_export_check(repo_root: Path) -> None:
    result = subprocess.run(
        [*KAM, "schema", "export", "--check"],
        capture_output=True,
        text=True,
        cwd=repo_root,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _env(backend: Backend, **extra: str) -> dict[str, str]:
    return {
        "KAM_DB_URI": backend.connection.uri,
        "KAM_DB_USER": backend.connection.user,
        "KAM_DB_PASSWORD": backend.connection.password,
        "KAM_DB_NAME": backend.connection.database,
        **extra,
    }


def test_wrong_database_password_names_the_settings(backend: Backend) -> None:
    result = run("migrate", env=_env(backend, KAM_DB_PASSWORD="not-the-password"))
    assert result.returncode == 1
    assert "KAM_DB_USER" in result.stderr and "KAM_DB_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_user_add_passwd_deactivate_list(backend: Backend, uid: str) -> None:
    import json as _json

    env = _env(backend)
    name = f"{uid}-cli"
    added = subprocess.run(
        [
            *KAM,
            "user",
            "add",
            name,
            "--role",
            "controlling",
            "--member",
            "tm-controlling-3",
            "--password-stdin",
        ],
        input="first-password-1\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert added.returncode == 0, added.stderr
    listed = _json.loads(run("user", "list", "--json", env=env).stdout)
    mine = next(u for u in listed if u["username"] == name)
    assert (
        mine["roles"] == ["CONTROLLING"]
        and mine["active"] is True
        and mine["memberId"] == "tm-controlling-3"
    )
    short = subprocess.run(
        [*KAM, "user", "passwd", name, "--password-stdin"],
        input="short\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert short.returncode == 2 and "at least 8" in short.stderr
    changed = subprocess.run(
        [*KAM, "user", "passwd", name, "--password-stdin"],
        input="second-password-2\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert changed.returncode == 0, changed.stderr
    bad_role = run("user", "add", f"{uid}-x", "--role", "wizard", "--password-stdin", env=env)
    assert bad_role.returncode == 2 and "unknown role" in bad_role.stderr
    assert run("user", "deactivate", name, env=env).returncode == 0
    listed = _json.loads(run("user", "list", "--json", env=env).stdout)
    assert next(u for u in listed if u["username"] == name)["active"] is False
    assert run("user", "deactivate", f"{uid}-nobody", env=env).returncode == 3
