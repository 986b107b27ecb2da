"""Each contact's `accountId` (graph/contact_keys.py) is the key of the index an account page
reads a large account's contacts from (graph/contacts.py, `CONTACTS_BY_KEY`). A key out of
step would drop a contact from that page, so every write that places a contact keeps it, and
each test here reads the page both ways after the write: sorted in the page's statement, and
by the key. The loader, the import and the Salesforce sync are checked in their own tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph.account_page import CONTACTS_INLINE, account_with_lists
from graph.contact_keys import keep_account_ids
from graph.driver import start_counting
from graph.migrations import migrate
from graph.scope import Scope
from tests.client_fixture import ClientFixture, build_client
from tests.conftest import Backend, LiveApp
from tests.contact_keys import out_of_step
from tests.test_entities import LINK, create

EVERYTHING = Scope(all_accounts=True, member_id=None, today=datetime.now(UTC).date())
UNLINK = """mutation($f: ID!, $t: ID!) { unlink(kind: WORKS_IN, fromId: $f, toId: $t)
  { __typename ... on LinkPayload { present } } }"""


@pytest.fixture
def client(live: LiveApp, uid: str) -> ClientFixture:
    return build_client(live.backend, uid)


def page(backend: Backend, account: str, inline: int) -> list[str]:
    async def read() -> list[str]:
        found = await account_with_lists(
            backend.db, EVERYTHING, account, None, (100, None), False, None, contacts_inline=inline
        )
        assert found is not None and found.contacts is not None
        return [c.id for c in found.contacts]

    return backend.run(read())


def on_page(backend: Backend, account: str) -> list[str]:
    """The account's first hundred contacts, the same both ways."""
    sorted_inline, by_key = page(backend, account, CONTACTS_INLINE), page(backend, account, 0)
    assert sorted_inline == by_key
    return by_key


def test_create_move_and_unlink_keep_the_key(live: LiveApp, client: ClientFixture) -> None:
    made = create(live, "admin", "CONTACT", {"name": "Aaron Arrival"}, client.id("N"))
    assert made["__typename"] == "NodePayload"
    eve = made["id"]
    assert out_of_step(live.backend, [eve]) == []
    assert eve in on_page(live.backend, client.account)

    # Moved to a unit of another account: gone from this page, on that one.
    unit = create(
        live, "admin", "CLIENT_UNIT", {"name": "Elsewhere", "level": "GLOBAL"}, client.other
    )
    assert unit["__typename"] == "NodePayload"
    moved = live.gql(
        LINK, {"in": {"kind": "WORKS_IN", "fromId": eve, "toId": unit["id"]}}, as_user="admin"
    )["data"]["link"]
    assert moved["__typename"] == "LinkPayload"
    assert out_of_step(live.backend, [eve]) == []
    assert eve not in on_page(live.backend, client.account)
    assert eve in on_page(live.backend, client.other)

    # Taken out of every unit: on no page, and no key.
    gone = live.gql(UNLINK, {"f": eve, "t": unit["id"]}, as_user="admin")["data"]["unlink"]
    assert gone == {"__typename": "LinkPayload", "present": False}
    assert live.backend.read("MATCH (c:Contact {id: $c}) RETURN c.accountId AS k", c=eve) == [
        {"k": None}
    ]
    assert eve not in on_page(live.backend, client.other)


def test_out_of_reach_reads_as_missing_and_a_stale_key_adds_no_one(
    backend: Backend, client: ClientFixture
) -> None:
    """Read by key, an account out of the caller's reach is a missing one (no row, one round
    trip: the contacts' statement never runs); a contact whose key names an account it does
    not work for is not on that account's page."""
    stranger = Scope(all_accounts=False, member_id=client.id("nobody"), today=EVERYTHING.today)

    async def read(scope: Scope, account: str) -> tuple[object, int]:
        counter = start_counting()
        page = await account_with_lists(
            backend.db, scope, account, None, (10, None), False, None, contacts_inline=0
        )
        return page, counter.count

    assert backend.run(read(stranger, client.account)) == (None, 1)
    assert backend.run(read(stranger, client.id("no-such-account"))) == (None, 1)
    assert backend.run(read(EVERYTHING, client.id("no-such-account"))) == (None, 1)

    # A key out of step (written by hand here, as no writer does): it drops, never adds.
    backend.write(
        "MATCH (c:Contact {id: $c}) SET c.accountId = $other",
        c=client.id("buyer"),
        other=client.other,
    )
    assert client.id("buyer") not in page(backend, client.other, 0)
    assert client.id("buyer") not in page(backend, client.account, 0)
    assert client.id("buyer") in page(backend, client.account, CONTACTS_INLINE)
    backend.run(keep_account_ids(backend.db.write, [client.id("buyer")]))
    assert client.id("buyer") in on_page(backend, client.account)


def test_the_migration_sets_the_keys_of_contacts_from_before_it(
    backend: Backend, client: ClientFixture
) -> None:
    """A database from before the index: contacts with no key get theirs when it is applied."""
    people = [
        r["id"]
        for r in backend.read(
            "MATCH (:Account {id: $a})-[:HAS_UNIT]->()<-[:WORKS_IN]-(c:Contact) RETURN c.id AS id",
            a=client.account,
        )
    ]
    backend.write("UNWIND $ids AS id MATCH (c:Contact {id: id}) REMOVE c.accountId", ids=people)
    assert len(out_of_step(backend, people)) == len(people) > 0
    backend.write("MATCH (m:Migration {number: 7}) DELETE m")
    assert backend.run(migrate(backend.db)) == [7]
    assert out_of_step(backend, people) == []
    assert sorted(on_page(backend, client.account)) == sorted(people)
