"""The name-sorted account list, read in the order of the index of name and id
(graph/migrations.py, 6), gives every account once in name order, one round trip a page,
also when accounts change between pages; a member's list, found from the member, is exactly
the accounts of their current windows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from graph.accounts import AccountFilter, account_page, sort_key
from graph.driver import start_counting
from graph.scope import Scope
from tests.conftest import Backend, LiveApp
from tests.factories import account, member_login

TODAY = datetime.now(UTC).date()
EVERYTHING = Scope(all_accounts=True, member_id=None, today=TODAY)
LIVE = "MATCH (a:Account) WHERE coalesce(a.archived, false) = false "


def expected(backend: Backend) -> list[str]:
    rows = backend.read(LIVE + "RETURN a.id AS id ORDER BY a.name, a.id")
    return [r["id"] for r in rows]


def walk(backend: Backend, first: int) -> tuple[list[str], list[int]]:
    """Every page in turn: the ids and the round trips of each page."""
    ids: list[str] = []
    trips: list[int] = []
    after: tuple[str, str] | None = None

    async def page() -> tuple[object, int]:
        counter = start_counting()
        found = await account_page(backend.db, EVERYTHING, AccountFilter(), first, after)
        return found, counter.count

    while True:
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


def test_every_page_in_name_order_in_one_round_trip(
    backend: Backend, own_accounts: list[str]
) -> None:
    for first in (1, 2, 3, 7):
        ids, trips = walk(backend, first)
        assert ids == expected(backend)
        assert set(trips) == {1}, (first, trips)


def test_pages_after_accounts_are_archived_and_renamed(
    backend: Backend, own_accounts: list[str]
) -> None:
    backend.write(
        "MATCH (a:Account) WHERE a.id IN $ids SET a.archived = true", ids=own_accounts[:10]
    )
    backend.write("MATCH (a:Account {id: $id}) SET a.name = 'zzz ' + a.name", id=own_accounts[10])
    try:
        for first in (1, 2, 5):
            ids, trips = walk(backend, first)
            assert ids == expected(backend)
            assert own_accounts[0] not in ids and ids[-1] == own_accounts[10]
            assert set(trips) == {1}, trips
    finally:
        backend.write(
            "MATCH (a:Account) WHERE a.id IN $ids SET a.archived = false", ids=own_accounts
        )


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


def test_the_list_over_http_when_an_account_is_archived_between_pages(
    live: LiveApp, backend: Backend, own_accounts: list[str]
) -> None:
    query = """query($after: String) { accounts(first: 3, after: $after) {
        edges { node { id name } } pageInfo { hasNextPage endCursor } } }"""

    def pages(archive_at: int | None = None) -> list[str]:
        seen: list[str] = []
        after = None
        while True:
            body = live.gql(query, {"after": after}, as_user="executive")
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

    try:
        assert pages() == expected(backend)
        archived_after = pages(archive_at=3)
        assert own_accounts[-1] not in archived_after
        assert archived_after == expected(backend)
    finally:
        backend.write("MATCH (a:Account {id: $id}) SET a.archived = false", id=own_accounts[-1])
