"""An app on an embedded database of the test's own, for tests that hurt the database
(kill it, fill its disk, back it up under load) and must not hurt the shared one."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from auth.passwords import hash_password
from graph.driver import Database
from graph.embedded import EmbeddedServer
from graph.migrations import migrate
from graph.users import upsert_user
from kam.runtime import schema_to_disk
from kam.settings import Settings
from tests.conftest import LoopThread, start_app

ADMIN = "own-admin"
ADMIN_PASSWORD = "own-password-1"


@dataclass
class OwnApp:
    url: str
    server: EmbeddedServer
    loop: LoopThread
    db: Database
    headers: dict[str, str]

    def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self.loop.run(self.db.read(query, params))  # type: ignore[arg-type]


@contextmanager
def own_app(data_dir: Path, app_dir: Path, **settings: Any) -> Iterator[OwnApp]:
    """Start the database and the app (supervising it), log in an admin; stop both after."""
    loop = LoopThread()
    server = EmbeddedServer(data_dir, "kam", "512m")
    conn = server.start()
    db = loop.run(Database.connect(conn.uri, conn.user, conn.password, conn.database))
    loop.run(migrate(db))
    loop.run(
        upsert_user(
            db,
            "user-own-admin",
            ADMIN,
            hash_password(ADMIN_PASSWORD),
            ["ADMIN"],
            None,
            datetime.now(UTC),
        )
    )
    # What the app does after migrations that changed the schema (kam/app.py).
    conn = loop.run(schema_to_disk(server, db))
    config = Settings(
        db_uri=conn.uri,
        db_user=conn.user,
        db_password=conn.password,  # type: ignore[arg-type]
        data_dir=app_dir,
        token_secret=secrets.token_urlsafe(48),  # type: ignore[arg-type]
        rate_limit_per_minute=1_000_000,
        rate_limit_per_minute_address=1_000_000,
        login_attempts_per_minute=1_000_000,
        login_failures_per_address=1_000_000,
        principal_cache_seconds=60,
        **settings,
    )
    app, thread, url = start_app(config, conn, embedded_server=server)
    try:
        login = httpx.post(
            f"{url}/graphql",
            json={
                "query": (
                    f'mutation {{ login(username: "{ADMIN}", password: "{ADMIN_PASSWORD}") '
                    "{ token } }"
                )
            },
        ).json()
        headers = {"Authorization": f"Bearer {login['data']['login']['token']}"}
        yield OwnApp(url, server, loop, db, headers)
    finally:
        app.should_exit = True
        thread.join(15)
        loop.run(db.close())
        loop.close()
        server.stop()
