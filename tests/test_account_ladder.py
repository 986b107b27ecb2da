"""The name-sorted account list read through the name ladder (graph/accounts.py, NameLadder)
answers exactly what it answers without, whatever the ladder holds; a member's list, found
from the member, is exactly the accounts of their current windows."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from graph.accounts import AccountFilter, NameLadder, account_page, sort_key
from graph.driver import start_counting
from graph.scope import Scope
from kam.settings import Settings
from tests.conftest import Backend, LiveApp, start_app
from tests.factories import account, member_login

TODAY = datetime.now(UTC).date()
EVERYTHING = Scope(all_accounts=True, member_id=None, today=TODAY)
LIVE = "MATCH (a:Account) WHERE coalesce(a.archived, false) = false "


def expected(backend: Backend) -> list[str]:
    rows = backend.read(LIVE + "RETURN a.id AS id ORDER BY a.name, a.id")
    return [r["id"] for r in rows]


def names(backend: Backend) -> list[str]:
    return sorted(r["n"] for r in backend.read(LIVE + "RETURN a.name AS n"))


def walk(backend: Backend, first: int, rungs: list[str] | None) -> tuple[list[str], list[int]]:
    """Every page in turn (the ladder holding `rungs` before each, when given): the ids and
    the round trips of each page."""
    ladder = NameLadder(step=1, max_age=3600)
    ladder.install(backend.db)
    ids: list[str] = []
    trips: list[int] = []
    after: tuple[str, str] | None = None

    async def page() -> tuple[object, int]:
        counter = start_counting()
        found = await account_page(backend.db, EVERYTHING, AccountFilter(), first, after)
        return found, counter.count

    while True:
        if rungs is not None:
            ladder.hold(rungs)
        found, count = backend.run(page())
        trips.append(count)
        ids += [r.id for r in found.rows]  # type: ignore[attr-defined]
        if not found.more:  # type: ignore[attr-defined]
            return ids, trips
        last = found.rows[-1]  # type: ignore[attr-defined]
        after = sort_key(last, "NAME")


@pytest.fixture
def own_accounts(backend: Backend, uid: str) -> Iterator[list[str]]:
    """Ten accounts in a row by name, several of them sharing a name, then six more; gone
    after the test."""
    made = [account(backend, f"{uid}-a{i:02d}", name=f"{uid} a{i % 4}") for i in range(10)]
    made += [account(backend, f"{uid}-b{i:02d}", name=f"{uid} b{i}") for i in range(6)]
    yield made
    backend.write("MATCH (a:Account) WHERE a.id IN $ids DETACH DELETE a", ids=made)


def test_a_true_ladder_gives_every_page_in_one_round_trip(
    backend: Backend, own_accounts: list[str]
) -> None:
    for first in (1, 2, 3, 7):
        ids, trips = walk(backend, first, names(backend))
        assert ids == expected(backend)
        assert set(trips) == {1}, (first, trips)


def test_a_ladder_out_of_date_still_gives_every_page(
    backend: Backend, own_accounts: list[str]
) -> None:
    before = names(backend)
    backend.write(
        "MATCH (a:Account) WHERE a.id IN $ids SET a.archived = true", ids=own_accounts[:10]
    )
    backend.write("MATCH (a:Account {id: $id}) SET a.name = 'zzz ' + a.name", id=own_accounts[10])
    try:
        for first in (1, 2, 5):
            ids, trips = walk(backend, first, before)
            assert ids == expected(backend)
            assert own_accounts[0] not in ids and ids[-1] == own_accounts[10]
            # A page the old ladder cut short is read again: two round trips, never more.
            assert max(trips) == 2, trips
    finally:
        backend.write(
            "MATCH (a:Account) WHERE a.id IN $ids SET a.archived = false", ids=own_accounts
        )


def test_any_ladder_gives_every_page(backend: Backend, own_accounts: list[str]) -> None:
    """Rungs made up at random (names, names that are not there, too low, too high)."""
    pool = [*names(backend), "", "A", "Ladder", "Ladder 2", "Zz", "\uffff", "ladder 1"]
    rng = random.Random(20261125)
    truth = expected(backend)
    for _ in range(12):
        rungs = sorted(rng.sample(pool, rng.randint(0, len(pool))))
        ids, trips = walk(backend, rng.choice((1, 2, 3, 4, 9)), rungs)
        assert ids == truth, rungs
        assert max(trips) <= 2


def test_the_ladder_is_read_in_the_background_and_kept_fresh(
    backend: Backend, own_accounts: list[str]
) -> None:
    ladder = NameLadder(step=3, max_age=3600)
    ladder.install(backend.db)
    assert ladder.up_to(None, 2) is None  # not read yet: no bound

    async def first_page() -> int:
        counter = start_counting()
        await account_page(backend.db, EVERYTHING, AccountFilter(), 2, None)
        trips = counter.count
        for _ in range(100):
            if ladder.rungs:
                break
            await asyncio.sleep(0.05)
        return trips

    # The ladder's own read is not one of the page's round trips.
    assert backend.run(first_page()) == 1
    assert ladder.rungs == names(backend)[::3]
    assert ladder.up_to(None, 2) == ladder.rungs[2]
    # Past the last rungs it cannot tell, so it does not bound the page.
    assert ladder.up_to(ladder.rungs[-1], 2) is None
    ladder.missed()
    assert ladder.up_to(None, 2) is None


def test_a_ladder_that_cannot_be_read_is_tried_again_only_after_a_while() -> None:
    """With the database down, pages go on without the ladder; it is not asked for again on
    every page (each failure would log a warning and cost a connection attempt)."""
    from neo4j import AsyncGraphDatabase

    from graph.driver import Database
    from tests.conftest import free_port

    async def scenario() -> tuple[int, int]:
        driver = AsyncGraphDatabase.driver(
            f"bolt://127.0.0.1:{free_port()}", auth=("root", "none"), connection_timeout=0.5
        )
        dead = Database(driver, "kam", 4, None)
        ladder = NameLadder(step=2, max_age=3600)
        try:
            for _ in range(5):
                ladder.keep_fresh(dead)
                assert ladder._reading is not None
                await asyncio.wait({ladder._reading}, timeout=10)
            return ladder.failures, len(ladder.rungs)
        finally:
            await driver.close()

    failures, rungs = asyncio.run(scenario())
    assert (failures, rungs) == (1, 0)


def test_a_members_list_holds_each_account_of_a_current_window_once(
    live: LiveApp, backend: Backend, uid: str
) -> None:
    now, later = date(2020, 1, 1), None
    mine = [account(backend, f"{uid}-m{i}", name=f"{uid} mine {i}") for i in range(3)]
    gone = account(backend, f"{uid}-gone", name=f"{uid} gone")
    member_login(
        backend,
        uid,
        "ACCOUNT_MANAGER",
        {a: (now, later) for a in mine} | {gone: (now, TODAY - timedelta(days=1))},
    )
    # A second window on the same account (left, then back): the account is listed once.
    backend.write(
        "MATCH (m:TeamMember {id: $m}), (a:Account {id: $a}) "
        "CREATE (m)-[:ON_TEAM {role: 'ACCOUNT_MANAGER', from: $from, until: $until}]->(a)",
        m=f"{uid}-tm-account_manager",
        a=mine[0],
        **{"from": date(2010, 1, 1), "until": date(2015, 1, 1)},
    )
    query = """query($after: String) { accounts(first: 2, after: $after) {
        edges { node { id } } pageInfo { hasNextPage endCursor } } }"""
    seen: list[str] = []
    after = None
    while True:
        body = live.gql(query, {"after": after}, as_user=f"{uid}-account_manager")
        assert "errors" not in body, body["errors"]
        found = body["data"]["accounts"]
        seen += [e["node"]["id"] for e in found["edges"]]
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert seen == sorted(mine)


def test_the_list_over_http_with_a_ladder_of_every_name(
    live: LiveApp, backend: Backend, own_accounts: list[str]
) -> None:
    """An app whose ladder holds every name: each page as the plain app gives it, also after
    an account is archived between two pages."""
    settings: Settings = live.settings.model_copy(update={"account_ladder_step": 1})
    server, thread, url = start_app(settings, backend.connection)
    try:
        laddered = LiveApp(url, settings, backend, {})
        query = """query($after: String) { accounts(first: 3, after: $after) {
            edges { node { id name } } pageInfo { hasNextPage endCursor } } }"""

        def pages(app: LiveApp, archive_at: int | None = None) -> list[str]:
            seen: list[str] = []
            after = None
            while True:
                body = app.gql(query, {"after": after}, as_user="executive")
                assert "errors" not in body, body["errors"]
                found = body["data"]["accounts"]
                seen += [e["node"]["id"] for e in found["edges"]]
                if len(seen) == archive_at:
                    backend.write(
                        "MATCH (a:Account {id: $id}) SET a.archived = true", id=own_accounts[-1]
                    )
                if not found["pageInfo"]["hasNextPage"]:
                    return seen
                after = found["pageInfo"]["endCursor"]

        laddered.gql(query, {"after": None}, as_user="executive")  # the ladder is read now
        assert pages(laddered) == pages(live) == expected(backend)
        archived_after = pages(laddered, archive_at=3)
        assert own_accounts[-1] not in archived_after
        assert archived_after == pages(live) == expected(backend)
    finally:
        backend.write("MATCH (a:Account {id: $id}) SET a.archived = false", id=own_accounts[-1])
        server.should_exit = True
        thread.join(15)
