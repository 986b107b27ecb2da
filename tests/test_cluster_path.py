"""The cluster story against the embedded server: a `neo4j://` URI routes, and every session
of a process shares the driver's bookmark manager, so a read follows the writes before it."""

from __future__ import annotations

from typing import Any

import neo4j
import pytest
from neo4j import AsyncGraphDatabase, Bookmarks

from graph.driver import Database, Transaction
from tests.conftest import Backend


class BookmarkLog:
    """What a bookmark manager was told (writes committed) and asked (sessions opened)."""

    def __init__(self) -> None:
        self.committed: list[frozenset[str]] = []
        self.asked = 0

    def consumer(self, bookmarks: Bookmarks) -> None:
        self.committed.append(frozenset(bookmarks.raw_values))

    def supplier(self) -> Bookmarks:
        self.asked += 1
        return Bookmarks()


@pytest.fixture
def routed(backend: Backend) -> Any:
    """A Database of its own on the embedded server, through a routing (`neo4j://`) URI."""
    conn = backend.connection
    uri = conn.uri.replace("bolt://", "neo4j://", 1)
    db = backend.run(Database.connect(uri, conn.user, conn.password, conn.database))
    yield db
    backend.run(db.close())


def test_a_neo4j_uri_routes_reads_and_writes(backend: Backend, routed: Database, uid: str) -> None:
    assert isinstance(routed._driver, neo4j.AsyncNeo4jDriver), type(routed._driver)

    async def write_then_read() -> list[dict[str, Any]]:
        await routed.write("CREATE (:Probe {id: $id})", {"id": uid})
        return await routed.read("MATCH (p:Probe {id: $id}) RETURN count(p) AS n", {"id": uid})

    assert backend.run(write_then_read()) == [{"n": 1}]
    backend.write("MATCH (p:Probe {id: $id}) DELETE p", id=uid)


def test_each_path_shares_the_drivers_bookmark_manager(
    backend: Backend, routed: Database, uid: str
) -> None:
    log = BookmarkLog()
    routed.bookmarks = AsyncGraphDatabase.bookmark_manager(
        bookmarks_supplier=log.supplier, bookmarks_consumer=log.consumer
    )

    async def write_then_read() -> list[dict[str, Any]]:
        await routed.write("CREATE (:Probe {id: $id})", {"id": uid})
        after_write = await routed.bookmarks.get_bookmarks()
        asked = log.asked
        rows = await routed.read("MATCH (p:Probe {id: $id}) RETURN count(p) AS n", {"id": uid})
        # The read session was opened with the manager, which held the write's bookmark.
        assert log.asked > asked
        assert after_write and after_write <= log.committed[-1]
        return rows

    assert backend.run(write_then_read()) == [{"n": 1}]
    first = log.committed[-1]

    async def in_one_transaction(tx: Transaction) -> list[dict[str, Any]]:
        return await tx.run(
            "MATCH (p:Probe {id: $id}) SET p.seen = true RETURN p.id AS id", {"id": uid}
        )

    assert backend.run(routed.write_transaction(in_one_transaction)) == [{"id": uid}]
    # The managed transaction's commit replaced the bookmark the read had waited for.
    assert log.committed[-1] and log.committed[-1] != first
    held = backend.run(routed.bookmarks.get_bookmarks())
    assert held == set(log.committed[-1])
    backend.write("MATCH (p:Probe {id: $id}) DELETE p", id=uid)


def test_a_reconnect_starts_a_fresh_bookmark_manager(backend: Backend, routed: Database) -> None:
    before = routed.bookmarks
    conn = backend.connection
    backend.run(routed.reconnect(conn.uri, conn.user, conn.password))
    assert routed.bookmarks is not before
    assert backend.run(routed.read("RETURN 1 AS one")) == [{"one": 1}]
