"""The account page's contacts (graph/account_page.py, with graph/contacts.py) come in name
order, ties by id, whatever changed between two reads: archived, renamed, new and moved
contacts; later pages follow their cursor. Both ways the page reads them: sorted in the page's
one statement (`CONTACTS_PAGE_IF_FEW`, an account of up to `CONTACTS_INLINE` people), and from
the index of account and name in a second statement (`CONTACTS_BY_KEY`, a larger one)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph.account_page import CONTACTS_INLINE, account_with_lists
from graph.contact_keys import keep_account_ids
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


# Each way: the largest account read inline, and its round trips.
WAYS = {"sorted inline": (CONTACTS_INLINE, 1), "by key": (0, 2)}


@pytest.fixture(params=list(WAYS))
def way(request: pytest.FixtureRequest) -> tuple[int, int]:
    return WAYS[request.param]


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
    backend.run(keep_account_ids(backend.db.write, [client.id(key)]))


def truth(backend: Backend, client: ClientFixture, first: int) -> list[str]:
    """The first page as the plain order has it: first+1 rows (the last tells more follow)."""
    return [r["id"] for r in backend.read(LIVE_CONTACTS, a=client.account)][: first + 1]


def first_page(
    backend: Backend, client: ClientFixture, first: int, way: tuple[int, int]
) -> tuple[list[str], int]:
    """The page's contacts as the account page reads them, and its round trips."""

    async def read() -> tuple[list[str], int]:
        counter = start_counting()
        page = await account_with_lists(
            backend.db,
            EVERYTHING,
            client.account,
            None,
            (first, None),
            False,
            None,
            contacts_inline=way[0],
        )
        assert page is not None and page.contacts is not None
        return [c.id for c in page.contacts], counter.count

    return backend.run(read())


def test_the_first_page_in_name_order(
    backend: Backend, client: ClientFixture, way: tuple[int, int]
) -> None:
    everyone = len(backend.read(LIVE_CONTACTS, a=client.account))
    for first in (1, 2, 3, 4, 5, 11, everyone):
        expected = truth(backend, client, first)
        assert first_page(backend, client, first, way) == (expected, way[1])


def test_contacts_changed_since_the_page_was_read(
    backend: Backend, client: ClientFixture, way: tuple[int, int]
) -> None:
    first = 3
    # Ada Same (3), Bea Buyer, ... : the page ends inside the tie of three names.
    assert first_page(backend, client, first, way) == (truth(backend, client, first), way[1])
    assert truth(backend, client, first)[first] == client.id("buyer")

    def read_again() -> None:
        assert first_page(backend, client, first, way) == (truth(backend, client, first), way[1])

    # One of the page archived: the page comes back short and is read again.
    backend.write("MATCH (c:Contact {id: $id}) SET c.archived = true", id=client.id("ada2"))
    read_again()
    read_again()
    # Someone from further down renamed to sort first; someone new sorting first.
    backend.write("MATCH (c:Contact {id: $id}) SET c.name = 'Aaron Early'", id=client.id("site"))
    read_again()
    add_contact(backend, client, "new", "Aa New")
    read_again()
    # One of the page renamed to sort last; one moved to another account.
    backend.write("MATCH (c:Contact {id: $id}) SET c.name = 'Zed Last'", id=client.id("new"))
    read_again()
    backend.write(
        "MATCH (c:Contact {id: $c})-[w:WORKS_IN]->() DELETE w WITH c "
        "MATCH (a:Account {id: $other}) MERGE (u:ClientUnit {id: $u}) MERGE (a)-[:HAS_UNIT]->(u) "
        "MERGE (c)-[:WORKS_IN]->(u)",
        c=client.id("site"),
        other=client.other,
        u=client.id("other-unit"),
    )
    backend.run(keep_account_ids(backend.db.write, [client.id("site")]))
    read_again()
    assert client.id("site") not in truth(backend, client, 50)


def test_a_later_page_follows_its_cursor(
    backend: Backend, client: ClientFixture, way: tuple[int, int]
) -> None:
    async def second_page() -> list[str]:
        page = await account_with_lists(
            backend.db,
            EVERYTHING,
            client.account,
            None,
            (2, ("Ada Same", "")),
            False,
            None,
            contacts_inline=way[0],
        )
        assert page is not None and page.contacts is not None
        return [c.id for c in page.contacts]

    # After the first "Ada Same" (the cursor's id sorts before every id): the other two, then on.
    assert backend.run(second_page()) == truth(backend, client, 3)[:3]


def test_the_account_page_over_http_after_an_archive(live: LiveApp, uid: str) -> None:
    """The page read, a contact of it archived through the API, the page read again."""
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
