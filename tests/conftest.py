"""Test harness: one real database per session, the real app on a loopback port, HTTP clients.

The backend is the embedded ArcadeDB server (always) and Neo4j 5 through testcontainers
(when a Docker engine answers; otherwise those runs are skipped with the reason).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn

from graph.driver import Database
from graph.embedded import Connection, EmbeddedServer, free_port
from graph.migrations import migrate
from graph.seed import seed_demo
from kam.app import create_app
from kam.settings import Settings

# Every statement the app sends is checked with Neo4j's own Cypher 5 front end at the end.
pytest_plugins = ("tests.cypher_gate.plugin",)

T = TypeVar("T")
DEMO_PASSWORD = "demo-password-for-tests"


class LoopThread:
    """An event loop in a thread, so sync tests can drive the async driver directly."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 300) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@dataclass
class Backend:
    name: str
    connection: Connection
    loop: LoopThread
    db: Database

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run(coro)

    def cli_env(self) -> dict[str, str]:
        """This process's environment pointing a `kam` subprocess at this database."""
        return {
            **os.environ,
            "KAM_DB_URI": self.connection.uri,
            "KAM_DB_USER": self.connection.user,
            "KAM_DB_PASSWORD": self.connection.password,
            "KAM_DB_NAME": self.connection.database,
        }

    def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        async def sent_by_test() -> list[dict[str, Any]]:
            return await self.db.read(query, params)  # type: ignore[arg-type]

        # Awaited here, so the Cypher gate sees a test, not the app, sending it.
        return self.run(sent_by_test())

    def write(self, query: str, **params: Any) -> list[dict[str, Any]]:
        async def sent_by_test() -> list[dict[str, Any]]:
            return await self.db.write(query, params)  # type: ignore[arg-type]

        return self.run(sent_by_test())


def _docker_answers() -> str | None:
    """None when a Docker engine answers, else why not."""
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception as exc:
        return (
            f"no Docker engine answers here ({type(exc).__name__}), so the Neo4j 5 run is skipped"
        )
    return None


@pytest.fixture(scope="session", params=["embedded", "neo4j"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    loop = LoopThread()
    if request.param == "embedded":
        server = EmbeddedServer(tmp_path_factory.mktemp("kam-data"), "kam", "768m")
        connection = server.start()
        stop = server.stop
    else:
        why = _docker_answers()
        if why:
            loop.close()
            pytest.skip(why)
        from testcontainers.neo4j import Neo4jContainer

        container = Neo4jContainer("neo4j:5", password="test-password-123")
        container.start()
        connection = Connection(
            uri=container.get_connection_url(),
            user="neo4j",
            password="test-password-123",
            database="neo4j",
            pid=0,
            started_seconds=0.0,
        )
        stop = container.stop
    db = loop.run(
        Database.connect(connection.uri, connection.user, connection.password, connection.database)
    )
    loop.run(migrate(db))
    loop.run(seed_demo(db, DEMO_PASSWORD))
    try:
        yield Backend(request.param, connection, loop, db)
    finally:
        loop.run(db.close())
        loop.close()
        stop()


@dataclass
class LiveApp:
    url: str
    settings: Settings = field(repr=False)
    backend: Backend = field(repr=False)
    _tokens: dict[str, str] = field(repr=False)

    def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=60,
        )

    def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_user: str | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        """POST a GraphQL operation; returns the JSON body (data, errors, extensions)."""
        if as_user is not None:
            token = self.token(as_user)
        response = self.post(query, variables, token)
        assert response.status_code in (200, 401), response.text
        body: dict[str, Any] = response.json()
        return body

    def login(self, username: str, password: str = DEMO_PASSWORD) -> dict[str, Any]:
        body = self.gql(
            "mutation($u: String!, $p: String!) "
            "{ login(username: $u, password: $p) { token refreshToken expiresAt } }",
            {"u": username, "p": password},
        )
        return body

    def token(self, username: str) -> str:
        if username not in self._tokens:
            body = self.login(username)
            assert body.get("data") and body["data"]["login"], body
            self._tokens[username] = body["data"]["login"]["token"]
        return self._tokens[username]


def start_app(
    settings: Settings, connection: Connection, embedded_server: EmbeddedServer | None = None
) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_port()
    app = create_app(
        settings.model_copy(update={"port": port}),
        connection=connection,
        embedded_server=embedded_server,
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if server.started:
            break
        threading.Event().wait(0.05)
    assert server.started, "the app did not start"
    return server, thread, url


@pytest.fixture(scope="session")
def live(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    settings = Settings(
        db_uri=backend.connection.uri,
        db_user=backend.connection.user,
        db_password=backend.connection.password,  # type: ignore[arg-type]
        db_name=backend.connection.database,
        data_dir=tmp_path_factory.mktemp("app-data"),
        token_secret=secrets.token_urlsafe(48),  # type: ignore[arg-type]
        login_max_failures=3,
        login_lock_minutes=1,
        # One loopback address sends the whole suite: rates are tested on their own app.
        login_attempts_per_minute=1_000_000,
        login_failures_per_address=1_000_000,
        rate_limit_per_minute=1_000_000,
        rate_limit_per_minute_address=1_000_000,
    )
    server, thread, url = start_app(settings, backend.connection)
    try:
        yield LiveApp(url, settings, backend, {})
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture
def uid() -> str:
    """A unique id prefix, so each test's own graph data is its own."""
    return "t" + secrets.token_hex(5)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


os.environ.setdefault("KAM_EXPOSE_METRICS", "true")
