"""The first page of an account's contacts, read up to where it reached last time
(graph/contacts.py, ContactReach), is exactly the page read without it, whatever changed in
between: archived, renamed, new and moved contacts, and reaches made up at random."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from graph.account_page import account_with_lists
from graph.contacts import ContactReach, ContactRow
from graph.driver import start_counting
from graph.scope import Scope
from tests.client_fixture import ClientFixture, am_login, build_client
from tests.conftest import Backend, LiveApp

EVERYTHING = Scope(all_accounts=True, member_id=None, today=datetime.now(UTC).date())
LIVE_CONTACTS = """
MATCH (:Account {id: $a})-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)
WHERE coalesce(c.archived, false) = false
RETURN c.id AS id, c.name AS name ORDER BY c.name, c.id"""
# Six more people in Germany, three of them of one name: rows tie at a page's edge.
MORE = [("ada1", "Ada Same"), ("ada2", "Ada Same"), ("ada3", "Ada Same"), ("bo", "Bo Brink")]
MORE += [("cy", "Cy Carter"), ("dee", "Dee Dorn")]


@pytest.fixture
def client(backend: Backend, uid: str) -> ClientFixture:
    made = build_client(backend, uid)
    for key, name in MORE:
        add_contact(backend, made, key, name)
    return made


def add_contact(backend: Backend, client: ClientFixture, key: str, name: str) -> None:
    backend.write(
        "MATCH (u:ClientUnit {id: $u}) "
        "MERGE (c:Contact {id: $id}) SET c.name = $name MERGE (c)-[:WORKS_IN]->(u)",
        u=client.id("N"),
        id=client.id(key),
        name=name,
    )


def truth(backend: Backend, client: ClientFixture, first: int) -> list[str]:
    """The first page as the plain order has it: first+1 rows (the last tells more follow)."""
    return [r["id"] for r in backend.read(LIVE_CONTACTS, a=client.account)][: first + 1]


def first_page(backend: Backend, client: ClientFixture, first: int) -> tuple[list[str], int]:
    """The page's contacts as the account page reads them, and its round trips."""

    async def read() -> tuple[list[str], int]:
        counter = start_counting()
        page = await account_with_lists(
            backend.db, EVERYTHING, client.account, None, (first, None), False, None
        )
        assert page is not None and page.contacts is not None
        return [c.id for c in page.contacts], counter.count

    return backend.run(read())


def fresh_reach(backend: Backend) -> ContactReach:
    reach = ContactReach()
    reach.install(backend.db)
    return reach


def pretend(reach: ContactReach, account_id: str, name: str, rows: int) -> None:
    """Make the reach hold `name` as the end of a first page of `rows` rows."""
    fake = ContactRow("x", name, None, None, None, None, None, None, None)
    reach.saw(account_id, [fake] * rows, rows)


def test_a_page_read_again_is_the_same_page_in_one_round_trip(
    backend: Backend, client: ClientFixture
) -> None:
    reach = fresh_reach(backend)
    everyone = len(backend.read(LIVE_CONTACTS, a=client.account))
    for first in (1, 2, 3, 4, 5, 11, everyone):
        expected = truth(backend, client, first)
        assert first_page(backend, client, first) == (expected, 1)
        bound = reach.up_to(client.account, first + 1)
        # A page that held every contact has nothing to narrow.
        assert (bound is None) == (first >= everyone), first
        assert first_page(backend, client, first) == (expected, 1)


def test_contacts_changed_since_the_page_was_read(backend: Backend, client: ClientFixture) -> None:
    reach = fresh_reach(backend)
    first = 3
    # Ada Same (3), Bea Buyer, ... : the page ends inside the tie of three names.
    assert first_page(backend, client, first)[0] == truth(backend, client, first)
    assert reach.up_to(client.account, first + 1) == "Bea Buyer"

    def read_again(trips: int) -> None:
        assert first_page(backend, client, first) == (truth(backend, client, first), trips)

    # One of the page archived: the page comes back short and is read again.
    backend.write("MATCH (c:Contact {id: $id}) SET c.archived = true", id=client.id("ada2"))
    read_again(2)
    read_again(1)
    # Someone from further down renamed to sort first; someone new sorting first.
    backend.write("MATCH (c:Contact {id: $id}) SET c.name = 'Aaron Early'", id=client.id("site"))
    read_again(1)
    add_contact(backend, client, "new", "Aa New")
    read_again(1)
    # One of the page renamed to sort last; one moved to another account.
    backend.write("MATCH (c:Contact {id: $id}) SET c.name = 'Zed Last'", id=client.id("new"))
    read_again(2)
    backend.write(
        "MATCH (c:Contact {id: $c})-[w:WORKS_IN]->() DELETE w WITH c "
        "MATCH (a:Account {id: $other}) MERGE (u:ClientUnit {id: $u}) MERGE (a)-[:HAS_UNIT]->(u) "
        "MERGE (c)-[:WORKS_IN]->(u)",
        c=client.id("site"),
        other=client.other,
        u=client.id("other-unit"),
    )
    read_again(2)
    assert client.id("site") not in truth(backend, client, 50)


def test_any_reach_gives_the_page(backend: Backend, client: ClientFixture) -> None:
    """Reaches made up at random: names that are there or not, too low, too high, ties."""
    reach = fresh_reach(backend)
    names = [r["name"] for r in backend.read(LIVE_CONTACTS, a=client.account)]
    pool = [*names, "", "A", "Ada", "Ada Same ", "Bz", "Zz", "\uffff", "ada same"]
    rng = random.Random(20261125)
    for _ in range(40):
        first = rng.choice((1, 2, 3, 4, 6, 20))
        pretend(reach, client.account, rng.choice(pool), first + 1 + rng.randint(0, 3))
        found, trips = first_page(backend, client, first)
        assert found == truth(backend, client, first), (first, reach.up_to(client.account, 1))
        assert trips <= 2


def test_later_pages_and_other_lists_are_not_narrowed(
    backend: Backend, client: ClientFixture
) -> None:
    reach = fresh_reach(backend)
    pretend(reach, client.account, "A", 5)  # wrong: Ada Same sorts after it

    async def second_page() -> list[str]:
        page = await account_with_lists(
            backend.db, EVERYTHING, client.account, None, (2, ("Ada Same", "")), False, None
        )
        assert page is not None and page.contacts is not None
        return [c.id for c in page.contacts]

    assert backend.run(second_page()) == truth(backend, client, 3)[:3]
    assert reach.up_to(client.account, 5) == "A"  # a later page neither uses nor teaches it


def test_the_reach_keeps_the_accounts_read_last() -> None:
    reach = ContactReach(size=2)
    for account_id in ("a", "b", "c"):
        pretend(reach, account_id, f"{account_id} name", 3)
    assert reach.up_to("a", 3) is None
    assert reach.up_to("b", 3) == "b name"
    assert reach.up_to("b", 4) is None  # it saw 3 rows, it cannot tell about 4
    pretend(reach, "d", "d name", 3)  # b was asked for last: c goes
    assert reach.up_to("c", 3) is None and reach.up_to("b", 2) == "b name"
    reach.saw("b", [], 3)  # fewer than asked for: nothing to narrow any more
    assert reach.up_to("b", 1) is None


def test_the_account_page_over_http_after_an_archive(live: LiveApp, uid: str) -> None:
    """The app's own reach: the page read, a contact of it archived through the API, the page
    read again."""
    client = build_client(live.backend, uid)
    for key, name in MORE:
        add_contact(live.backend, client, key, name)
    am = am_login(live.backend, client)
    page = """query($id: ID!) { account(id: $id) { name
      contacts(first: 2) { edges { node { id } } pageInfo { hasNextPage } } } }"""

    def shown() -> list[str]:
        body = live.gql(page, {"id": client.account}, as_user=am)
        assert "errors" not in body, body["errors"]
        found = body["data"]["account"]["contacts"]
        assert found["pageInfo"]["hasNextPage"] is True
        return [e["node"]["id"] for e in found["edges"]]

    assert shown() == shown() == truth(live.backend, client, 2)[:2]
    archive = "mutation($k: NodeKind!, $id: ID!) { archiveNode(kind: $k, id: $id) { __typename } }"
    done = live.gql(archive, {"k": "CONTACT", "id": client.id("ada1")}, as_user=am)
    assert done["data"]["archiveNode"]["__typename"] == "NodePayload"
    assert shown() == truth(live.backend, client, 2)[:2] == [client.id("ada2"), client.id("ada3")]
