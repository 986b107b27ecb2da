"""The embedded default: an ArcadeDB server (Bolt plugin) run as a child process on loopback.

The app owns the child: it is stopped when the app stops, and, because it watches its stdin,
also when the app dies without a word. `kam db start` runs one detached instead, which the app
then reuses. Data, the generated root password (0600) and the logs live in the data directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from graph.errors import ConfigError

PASSWORD_FILE = "root-password"  # noqa: S105 - a file name
STATE_FILE = "server.json"
LOCK_FILE = "server.lock"
ROOT_USER = "root"


@dataclass(frozen=True)
class Connection:
    """Where and how to reach a running embedded server."""

    uri: str
    user: str
    password: str
    database: str
    pid: int
    started_seconds: float


def write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner alone (0600), durably: a crash or a disk that
    turns read-only leaves the old file or the new one, never an empty one."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prepare_data_dir(data_dir: Path) -> None:
    """Create the data directory, or say which setting to change when it can't be written."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"the data directory {data_dir} cannot be written ({exc.strerror or exc}): "
            "set KAM_DATA_DIR to a writable folder"
        ) from exc


def root_password(data_dir: Path) -> str:
    """The server's root password: generated on first start, kept 0600 in the data directory."""
    path = data_dir / PASSWORD_FILE
    if path.exists():
        password = path.read_text().strip()
        if not password:
            raise ConfigError(
                f"{path} is empty (damaged by a crash?): restore it from a backup of the data "
                "directory, or restore the graph into a new KAM_DATA_DIR"
            )
        return password
    password = secrets.token_urlsafe(24)
    write_private(path, password)
    return password


def is_locked(data_dir: Path) -> bool:
    """True while some server process holds the data directory."""
    path = data_dir / LOCK_FILE
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the lock if we took it
    return False


def read_state(data_dir: Path) -> dict[str, object] | None:
    """The running server's state file, if a live server holds the data directory."""
    path = data_dir / STATE_FILE
    if not path.exists() or not is_locked(data_dir):
        return None
    try:
        state: dict[str, object] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return state


def pid_alive(pid: int) -> bool:
    """True while the process runs (a zombie waiting to be reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


class EmbeddedServer:
    """Starts, reuses and stops the embedded ArcadeDB server for one data directory."""

    def __init__(self, data_dir: Path, database: str = "kam", heap: str = "1g") -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.database = database
        self.heap = heap
        self._process: subprocess.Popen[bytes] | None = None
        self._ports: tuple[int, int] | None = None

    @property
    def log_path(self) -> Path:
        return self.data_dir / "log" / "server.out"

    def connection_from_state(self) -> Connection | None:
        """A connection to a detached server already running on this data directory."""
        state = read_state(self.data_dir)
        if state is None or not state.get("detached"):
            return None
        return Connection(
            uri=f"bolt://127.0.0.1:{state['bolt_port']}",
            user=ROOT_USER,
            password=root_password(self.data_dir),
            database=str(state["database"]),
            pid=int(str(state["pid"])),
            started_seconds=0.0,
        )

    def start(
        self,
        *,
        detached: bool = False,
        timeout: float = 120.0,
        ports: tuple[int, int] | None = None,
    ) -> Connection:
        """Start the server and return once it reports ready; reuse a detached one.

        `ports` (bolt, http) asks for the same ports again, as after a crash, so the
        driver's pool reconnects to the same address."""
        prepare_data_dir(self.data_dir)
        reused = self.connection_from_state()
        if reused is not None:
            return reused
        if is_locked(self.data_dir):
            raise ConfigError(
                f"another KAM server already holds the data directory {self.data_dir}: "
                "stop it, or set KAM_DATA_DIR to another folder"
            )
        password = root_password(self.data_dir)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):  # a port picked free can be taken before the JVM binds it
            bolt, http = ports if ports and attempt == 0 else (free_port(), free_port())
            config = {
                "data_dir": str(self.data_dir),
                "database": self.database,
                "heap": self.heap,
                "password": password,
                "bolt_port": bolt,
                "http_port": http,
                "detached": detached,
            }
            result = self._spawn(config, detached=detached, timeout=timeout)
            if result is not None:
                return result
        raise ConfigError(
            f"the embedded database could not bind a loopback port; see {self.log_path}"
        )

    def _spawn(
        self, config: dict[str, object], *, detached: bool, timeout: float
    ) -> Connection | None:
        read_fd, write_fd = os.pipe()
        started = time.monotonic()
        with open(self.log_path, "ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "graph.embedded_child", "--report-fd", str(write_fd)],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                cwd=str(self.data_dir),
                start_new_session=detached,
                env={**os.environ, "PYTHONPATH": _import_root()},
            )
        os.close(write_fd)
        assert process.stdin is not None
        process.stdin.write((json.dumps(config) + "\n").encode())
        process.stdin.flush()
        report = _read_report(read_fd, timeout)
        os.close(read_fd)
        status = report.get("status") if report else None
        if status == "ready":
            if detached:
                process.stdin.close()
            else:
                self._process = process
                self._ports = (int(str(config["bolt_port"])), int(str(config["http_port"])))
            return Connection(
                uri=f"bolt://127.0.0.1:{config['bolt_port']}",
                user=ROOT_USER,
                password=str(config["password"]),
                database=self.database,
                pid=process.pid,
                started_seconds=round(time.monotonic() - started, 3),
            )
        _terminate(process)
        if status == "locked":
            raise ConfigError(
                f"another KAM server already holds the data directory {self.data_dir}: "
                "stop it, or set KAM_DATA_DIR to another folder"
            )
        message = str(report.get("message", "")) if report else ""
        if "bind" in message.lower() or "address already in use" in message.lower():
            return None
        if report is None:
            raise ConfigError(
                f"the embedded database did not start within {timeout:.0f} s; see {self.log_path}"
            )
        raise ConfigError(f"the embedded database failed to start: {message}; see {self.log_path}")

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the child this object started (closing its stdin asks it to stop)."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            if process.stdin is not None:
                process.stdin.close()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            _terminate(process)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def died(self) -> bool:
        """True when the child this object started is gone (killed, crashed)."""
        return self._process is not None and self._process.poll() is not None

    def restart_cleanly(self) -> Connection:
        """Stop the running child cleanly (it writes every page to disk) and start it again,
        on the same ports when they are still free."""
        ports = self._ports
        self.stop()
        return self.start(ports=ports)

    def restart(self) -> Connection:
        """Start a dead child again, on the same ports when they are still free."""
        ports = self._ports
        if self._process is not None:
            with contextlib.suppress(OSError):
                if self._process.stdin is not None:
                    self._process.stdin.close()
            self._process = None
        return self.start(ports=ports)


def stop_detached(data_dir: Path, timeout: float = 20.0) -> bool:
    """Stop a detached server on this data directory; False when none runs."""
    state = read_state(data_dir.expanduser().resolve())
    if state is None:
        return False
    pid = int(str(state["pid"]))
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    return True


def _terminate(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def _read_report(fd: int, timeout: float) -> dict[str, object] | None:
    deadline = time.monotonic() + timeout
    buffer = b""
    while time.monotonic() < deadline:
        readable, _, _ = select.select([fd], [], [], 0.2)
        if not readable:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buffer += chunk
        if b"\n" in buffer:
            report: dict[str, object] = json.loads(buffer.split(b"\n", 1)[0])
            return report
    return None


def _import_root() -> str:
    """The folder holding the `graph` package, so the child imports the same code."""
    root = str(Path(__file__).resolve().parent.parent)
    existing = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{existing}" if existing else root
