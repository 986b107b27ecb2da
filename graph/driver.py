"""The one way to the database: an async neo4j driver behind a bounded gate.

Every write is one managed auto-retried transaction (`execute_query`), so a write function is
one transaction and the driver may retry it: writes are written to be idempotent. Reads go out
in read access mode and writes in write mode, so with a `neo4j://` URI the driver routes reads
to followers and read replicas and writes to the leader. One bookmark manager per driver
chains them: every session of this process starts after the last commit it saw, on whichever
cluster member it lands (read your own writes). The gate (a semaphore no larger than the
connection pool) keeps thousands of waiting tasks away from the pool, where the async driver
slows badly. Each query counts as one round trip in the counter of
the current request, so tests and the bench can see N+1 patterns.
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction, Query, RoutingControl
from neo4j import exceptions as neo4j_errors

from graph.dialect import NEO4J, Dialect, dialect_of
from graph.errors import DatabaseUnavailable, StorageUnavailable, translate

T = TypeVar("T")
MIN_FREE_BYTES = 1 << 20  # below this, a failed write is put down to a full disk
Row = dict[str, Any]
# Something that runs one statement: a transaction's `run`, or `Database.read`/`write`.
Runner = Callable[[LiteralString, Mapping[str, Any]], Awaitable[list[Row]]]


@dataclass
class RoundTrips:
    """Database round trips made while serving one request."""

    count: int = 0


_round_trips: contextvars.ContextVar[RoundTrips | None] = contextvars.ContextVar(
    "kam_round_trips", default=None
)


def start_counting() -> RoundTrips:
    """Start a fresh round-trip counter for the current request (task context)."""
    counter = RoundTrips()
    _round_trips.set(counter)
    return counter


def _count() -> None:
    counter = _round_trips.get()
    if counter is not None:
        counter.count += 1


async def _rows(session: neo4j.AsyncSession, query: Query, params: dict[str, Any]) -> list[Row]:
    result = await session.run(query, params)
    keys = result.keys()
    return [dict(zip(keys, r.values(), strict=True)) async for r in result]


class Database:
    """The app's driver, its database name and its in-flight gate."""

    def __init__(
        self,
        driver: neo4j.AsyncDriver,
        database: str | None,
        max_in_flight: int,
        tx_timeout: float | None = None,
    ) -> None:
        self._driver = driver
        self.bookmarks = AsyncGraphDatabase.bookmark_manager()
        # None: the server's default database (the driver asks the server which it is).
        self.database = database
        self._gate = asyncio.Semaphore(max_in_flight)
        self._tx_timeout = tx_timeout
        self.pool_size = max_in_flight
        # Where an embedded database keeps its files: a failed write is checked against it.
        self.storage_dir: Path | None = None
        # The engine's quirks (graph/dialect.py), learnt from the server on `connect`.
        self.dialect: Dialect = NEO4J

    def storage_problem(self) -> str | None:
        """'disk full' or 'read-only' when the storage folder cannot take writes, else None."""
        if self.storage_dir is None:
            return None
        try:
            stat = os.statvfs(self.storage_dir)
        except OSError:
            return None
        if stat.f_flag & os.ST_RDONLY:
            return "read-only"
        if stat.f_bavail * stat.f_frsize < MIN_FREE_BYTES:
            return "disk full"
        # A file system that turned read-only after an error (ext4's emergency read-only)
        # does not say so in statvfs: only trying to write tells.
        probe = self.storage_dir / ".kam-write-probe"
        try:
            os.close(os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
            os.unlink(probe)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                return "disk full"
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO):
                return "read-only"
        return None

    def _write_failed(self, exc: Exception) -> Exception:
        """A failed write is blamed on storage only when the database itself refused it."""
        if not isinstance(exc, neo4j_errors.Neo4jError | neo4j_errors.DriverError):
            return translate(exc)
        problem = self.storage_problem()
        if problem is not None:
            return StorageUnavailable(f"the database cannot write: its storage is {problem}")
        return translate(exc)

    @classmethod
    async def connect(
        cls,
        uri: str,
        user: str,
        password: str,
        database: str | None,
        *,
        pool_size: int = 32,
        max_in_flight: int = 32,
        connect_timeout: float = 30.0,
        tx_timeout: float | None = None,
    ) -> Database:
        """Open the driver and wait until the server answers (or fail with our error)."""
        driver = AsyncGraphDatabase.driver(
            uri,
            auth=(user, password),
            max_connection_pool_size=pool_size,
            connection_acquisition_timeout=connect_timeout,
            connection_timeout=min(connect_timeout, 10.0),
            max_transaction_retry_time=min(connect_timeout, 15.0),
        )
        db = cls(driver, database, min(max_in_flight, pool_size), tx_timeout)
        db.pool_size = pool_size
        try:
            await driver.verify_connectivity()
            db.dialect = dialect_of((await driver.get_server_info()).agent)
        except Exception as exc:
            await driver.close()
            raise translate(exc) from exc
        return db

    async def close(self) -> None:
        await self._driver.close()

    async def reconnect(self, uri: str, user: str, password: str) -> None:
        """Point at a server that came back elsewhere: a new driver, the old one closed."""
        old = self._driver
        self._driver = AsyncGraphDatabase.driver(
            uri, auth=(user, password), max_connection_pool_size=self.pool_size
        )
        # A restarted server may not know the old bookmarks; its data is the same.
        self.bookmarks = AsyncGraphDatabase.bookmark_manager()
        await old.close()

    def _query(self, text: LiteralString) -> Query:
        return Query(text, timeout=self._tx_timeout)

    async def read(self, text: LiteralString, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a read query; rows as dicts keyed by the RETURN names.

        An auto-commit read: one network round trip (RUN and PULL pipelined) instead of a
        managed transaction's BEGIN/RUN/PULL/COMMIT. Reads are safe to repeat, so a broken
        connection is retried once on a fresh one."""
        first, _ = await self.read_then(text, None, params)
        return first

    async def read_then(
        self,
        text: LiteralString,
        then: Callable[[list[Row]], LiteralString | None] | None,
        params: Mapping[str, Any] | None = None,
    ) -> tuple[list[Row], list[Row] | None]:
        """Run a read query and then, when it found rows and `then` names a second query for
        them, that query with the same parameters on the same session: each an auto-commit
        read, one round trip each. (The second is None when none ran.) Retried once
        together, as `read` is."""
        async with self._gate:
            for attempt in (1, 2):
                try:
                    async with self._driver.session(
                        database=self.database,
                        default_access_mode=neo4j.READ_ACCESS,
                        bookmark_manager=self.bookmarks,
                    ) as session:
                        values = dict(params or {})
                        first = await _rows(session, self._query(text), values)
                        second = then(first) if then is not None and first else None
                        more = await _rows(session, self._query(second), values) if second else None
                    for _ in range(1 if more is None else 2):
                        _count()  # round trips answered (a retried one counts once)
                    return first, more
                except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as exc:
                    if attempt == 2:
                        raise translate(exc) from exc
                except Exception as exc:
                    raise translate(exc) from exc
        raise AssertionError("unreachable")

    async def write(
        self, text: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """Run a write query as one managed transaction."""
        return await self._run(text, params, RoutingControl.WRITE)

    async def _run(
        self, text: LiteralString, params: Mapping[str, Any] | None, routing: RoutingControl
    ) -> list[Row]:
        _count()
        async with self._gate:
            try:
                records, _, keys = await self._driver.execute_query(
                    self._query(text),
                    parameters_=dict(params or {}),
                    routing_=routing,
                    database_=self.database,
                    bookmark_manager_=self.bookmarks,
                )
            except Exception as exc:
                raise self._write_failed(exc) from exc
        return [dict(zip(keys, record.values(), strict=True)) for record in records]

    async def write_transaction(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run several statements in one managed write transaction (all or nothing)."""
        _count()

        async def unit(tx: AsyncManagedTransaction) -> T:
            return await work(Transaction(tx))

        async with self._gate:
            try:
                async with self._driver.session(
                    database=self.database, bookmark_manager=self.bookmarks
                ) as session:
                    return await session.execute_write(unit)
            except Exception as exc:
                raise self._write_failed(exc) from exc

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            rows = await self.read("RETURN 1 AS ok")
        except DatabaseUnavailable:
            return False
        except Exception:
            return False
        return bool(rows and rows[0]["ok"] == 1)


class Transaction:
    """A managed transaction handed to `Database.write_transaction` work functions."""

    def __init__(self, tx: AsyncManagedTransaction) -> None:
        self._tx = tx

    async def run(self, text: LiteralString, params: Mapping[str, Any] | None = None) -> list[Row]:
        result = await self._tx.run(text, dict(params or {}))
        keys = result.keys()
        return [dict(zip(keys, record.values(), strict=True)) async for record in result]
