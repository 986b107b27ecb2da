"""What every `kam` command shares: settings, the database (embedded or configured), a
driver for one piece of work, and one clear message on failure."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from graph.driver import Database
from graph.embedded import Connection, EmbeddedServer
from graph.errors import AuthFailed, ConfigError, DatabaseUnavailable
from kam.settings import Settings

err = Console(stderr=True)
out = Console()
T = TypeVar("T")


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def load_settings() -> Settings:
    try:
        settings = Settings()
        settings.check_for_start()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "KAM_" + str(first["loc"][0]).upper() if first["loc"] else "a KAM_ setting"
        raise fail(f"{name}: {first['msg']}") from None
    except ConfigError as exc:
        raise fail(str(exc)) from None
    return settings


@contextmanager
def database(settings: Settings) -> Iterator[Connection | None]:
    """The embedded server when no URI is configured (started here, stopped after) or None."""
    if not settings.embedded:
        yield None
        return
    server = EmbeddedServer(settings.data_dir, settings.embedded_db_name, settings.embedded_heap)
    servers.append(server)
    try:
        connection = server.start()
    except ConfigError as exc:
        raise fail(str(exc)) from None
    try:
        yield connection
    finally:
        servers.remove(server)
        server.stop()


# The embedded server this process started, handed to the app so it can restart a dead one.
servers: list[EmbeddedServer] = []


def run_db(
    settings: Settings, connection: Connection | None, work: Callable[[Database], Awaitable[T]]
) -> T:
    """Open a driver, run `work`, close; database problems become one clear message."""
    from kam.runtime import open_database

    async def main() -> T:
        db = await open_database(settings, connection)
        try:
            return await work(db)
        finally:
            await db.close()

    try:
        return asyncio.run(main())
    except AuthFailed:
        raise fail(
            "the database refused the user or password: check KAM_DB_USER and KAM_DB_PASSWORD"
        ) from None
    except DatabaseUnavailable as exc:
        where = settings.db_uri or "the embedded database"
        raise fail(
            f"cannot reach {where} ({exc}): check KAM_DB_URI and that the server runs"
        ) from None
    except ConfigError as exc:
        raise fail(str(exc)) from None
