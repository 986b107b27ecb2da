"""The embedded ArcadeDB server process: `python -m graph.embedded_child`.

Started by `graph.embedded.EmbeddedServer`. It reads its configuration (JSON, password included,
so it never shows in `ps`) from the first line of stdin, takes an exclusive lock on the data
directory, starts ArcadeDB with the Bolt plugin on loopback and reports one JSON line on the
file descriptor named by `--report-fd`. It stops the server cleanly on SIGTERM, and, unless
detached, when its stdin reaches EOF: the parent died or closed it, so no JVM outlives the app.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import sys
import time
from pathlib import Path
from typing import Any

WAL_FLUSH = 2  # arcadedb.txWalFlush: 0 none, 1 data only, 2 data and metadata

LOCK_FILE = "server.lock"


def _report(fd: int, **payload: Any) -> None:
    os.write(fd, (json.dumps(payload) + "\n").encode())


def _lock(data_dir: Path) -> int:
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise
    return fd


def main() -> int:
    report_fd = int(sys.argv[sys.argv.index("--report-fd") + 1])
    config = json.loads(sys.stdin.readline())
    data_dir = Path(config["data_dir"])
    detached = bool(config.get("detached"))
    os.chdir(data_dir)  # ArcadeDB writes ./log relative to the working directory
    try:
        lock_fd = _lock(data_dir)
    except BlockingIOError:
        _report(report_fd, status="locked")
        return 3
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    started = time.monotonic()
    try:
        from arcadedb_embedded.jvm import start_jvm

        # Each commit is fsynced (WAL and its metadata) before it is acknowledged: ArcadeDB's
        # default (0) leaves commits in the page cache, lost if the disk or machine fails.
        start_jvm(heap_size=config["heap"], jvm_args=[f"-Darcadedb.txWalFlush={WAL_FLUSH}"])
        import arcadedb_embedded

        server = arcadedb_embedded.create_server(
            str(data_dir / "databases"),
            config["password"],
            {
                "host": "127.0.0.1",
                "bolt_host": "127.0.0.1",
                "http_port": config["http_port"],
                "bolt_port": config["bolt_port"],
                "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
                "server_defaultDatabases": f"{config['database']}[root]",
            },
        )
        server.start()
    except Exception as exc:  # reported to the parent, which turns it into one clear message
        _report(report_fd, status="error", message=str(exc).splitlines()[0][:500])
        return 4

    stopping = False

    def _on_term(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    # Installed after the JVM started, so Python (not the JVM) owns SIGTERM and stops cleanly.
    signal.signal(signal.SIGTERM, _on_term)
    state = {
        "pid": os.getpid(),
        "bolt_port": config["bolt_port"],
        "http_port": config["http_port"],
        "database": config["database"],
        "detached": detached,
        "started_at": time.time(),
    }
    (data_dir / "server.json").write_text(json.dumps(state))
    _report(report_fd, status="ready", seconds=round(time.monotonic() - started, 3))
    os.close(report_fd)
    while not stopping:
        if detached:
            time.sleep(0.5)
            continue
        readable, _, _ = select.select([sys.stdin], [], [], 0.5)
        if readable and not os.read(sys.stdin.fileno(), 4096):
            break
    try:
        server.stop()
    finally:
        (data_dir / "server.json").unlink(missing_ok=True)
        os.close(lock_fd)
    # The JVM's non-daemon threads would keep a normal exit waiting.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
