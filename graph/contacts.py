"""Contacts: the client's people, whom they report to, whom they influence, who knows them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, LiteralString

from graph.convert import native
from graph.driver import Database
from graph.scope import ACCOUNT_IN_SCOPE, Scope, page_params


@dataclass(slots=True)
class ContactRow:
    id: str
    name: str
    title: str | None
    buying_role: str | None
    location: str | None
    email: str | None
    phone: str | None
    linkedin_url: str | None
    unit_id: str | None


def contact_fields(var: LiteralString) -> LiteralString:
    """The projection of the contact named `var` that `to_contact` reads."""
    return (
        var
        + """ {
  .id, .name, .title, .buyingRole, .location, .email, .phone, .linkedinUrl,
  unitId: head([("""
        + var
        + """)-[:WORKS_IN]->(wu:ClientUnit) | wu.id])
}"""
    )


CONTACT_FIELDS: Final = contact_fields("c")


def to_contact(r: dict[str, Any]) -> ContactRow:
    return ContactRow(
        id=r["id"],
        name=r["name"],
        title=r.get("title"),
        buying_role=r.get("buyingRole"),
        location=r.get("location"),
        email=r.get("email"),
        phone=r.get("phone"),
        linkedin_url=r.get("linkedinUrl"),
        unit_id=r.get("unitId"),
    )


CONTACTS_BY_IDS: Final = (
    """
MATCH (c:Contact) WHERE c.id IN $ids AND coalesce(c.archived, false) = false
MATCH (c)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)
WHERE """
    + ACCOUNT_IN_SCOPE
    + """
RETURN """
    + CONTACT_FIELDS
    + " AS contact"
)


async def contacts_by_ids(db: Database, scope: Scope, ids: Sequence[str]) -> dict[str, ContactRow]:
    """In-scope contacts among `ids` (one whose account is out of reach is simply absent)."""
    rows = await db.read(CONTACTS_BY_IDS, {"ids": list(ids), **scope.params()})
    return {r["contact"]["id"]: to_contact(r["contact"]) for r in rows}


# The first of an account's contacts in name order, sorted after finding them all: the body of
# a subquery with `a` bound, returning `contacts` (first+1 rows of a keyset page).
_SORTED: Final = (
    """  MATCH (a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)
  WHERE coalesce(c.archived, false) = false
    AND ($contactsAfterName IS NULL OR c.name > $contactsAfterName
         OR (c.name = $contactsAfterName AND c.id > $contactsAfterId))
  WITH c, c.name AS byName, c.id AS byId ORDER BY byName, byId LIMIT $contactsLimit
  RETURN collect("""
    + CONTACT_FIELDS
    + """) AS contacts
}
"""
)
# A page of contacts for each account `a` of a batch (the loader).
CONTACTS_PAGE: Final = "CALL (a) {\n" + _SORTED
# The account page's: sorted in its own statement when the account has at most
# `$contactsInline` people in its units (`contactsFound`), else left empty for
# `CONTACTS_BY_KEY` to read from the index (graph/account_page.py). Sorting a large account's
# contacts costs more than a second statement; a statement of its own costs more than sorting
# a small account's. The count walks relationships only, and only decides which way is read.
CONTACTS_PAGE_IF_FEW: Final = (
    """WITH a, COUNT { (a)-[:HAS_UNIT]->()<-[:WORKS_IN]-() } AS contactsFound
CALL (a, contactsFound) {
  WITH a, contactsFound WHERE contactsFound <= $contactsInline
"""
    + _SORTED
)
# One account's page of contacts, by the index of (accountId, name, id) (each contact's account
# id is kept by every write: graph/contact_keys.py): its first rows in order, however many
# contacts the account has. Its own statement, run once the account is known to be in the
# caller's reach (graph/account_page.py): ArcadeDB walks the index in order only when
# `ORDER BY … LIMIT` closes the statement, over a range on the index's first key
# (graph/dialect.py); an equality is written as that range. Each row is checked to work in
# a unit of the account, so a key out of step can drop a contact, never add one.
CONTACTS_BY_KEY: Final = (
    """
MATCH (c:Contact)
WHERE c.accountId >= $id AND c.accountId <= $id AND coalesce(c.archived, false) = false
  AND ($contactsAfterName IS NULL OR c.name > $contactsAfterName
       OR (c.name = $contactsAfterName AND c.id > $contactsAfterId))
  AND EXISTS { (c)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(:Account {id: $id}) }
RETURN """
    + CONTACT_FIELDS
    + """ AS contact
ORDER BY c.accountId, c.name, c.id LIMIT $contactsLimit
"""
)

CONTACTS_OF_ACCOUNTS: Final = (
    "UNWIND $ids AS accountId MATCH (a:Account {id: accountId}) "
    + CONTACTS_PAGE
    + "RETURN accountId, contacts"
)


async def contacts_of_accounts(
    db: Database, ids: Sequence[str], first: int, after: tuple[str, str] | None
) -> dict[str, list[ContactRow]]:
    rows = await db.read(CONTACTS_OF_ACCOUNTS, page_params(ids, first, after, "contacts"))
    return {r["accountId"]: [to_contact(c) for c in r["contacts"]] for r in rows}


@dataclass(slots=True)
class ContactLinks:
    """Everything around one contact, fetched in one round trip for a batch of contacts."""

    account_id: str
    manager_ids: list[tuple[str, str]]  # (contact id, SOLID | DOTTED | MATRIX)
    report_ids: list[str]
    influences: list[tuple[str, float | None]]
    influenced_by: list[tuple[str, float | None]]
    decides: list[tuple[str, str]]  # (project id, buying role)
    known_by: list[tuple[str, float | None, date | None]]


# What surrounds a contact `c` (its account `a` bound), as lists of ids: see `to_links`.
LINK_LISTS: Final = """
  [(c)-[r:REPORTS_TO]->(m:Contact) | [m.id, coalesce(r.kind, 'SOLID')]] AS managers,
  [(c)<-[r:REPORTS_TO]-(x:Contact) WHERE coalesce(r.kind, 'SOLID') = 'SOLID' | x.id] AS reports,
  [(c)-[r:INFLUENCES]->(x:Contact) | [x.id, r.strength]] AS influences,
  [(c)<-[r:INFLUENCES]-(x:Contact) | [x.id, r.strength]] AS influencedBy,
  [(c)-[r:DECIDES]->(p:Project) | [p.id, r.role]] AS decides,
  [(c)<-[r:KNOWS]-(m:TeamMember) | [m.id, r.strength, r.since]] AS knownBy
"""
CONTACT_LINKS: Final = (
    """
UNWIND $ids AS contactId
MATCH (c:Contact {id: contactId})-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)
RETURN contactId, a.id AS accountId,"""
    + LINK_LISTS
)


def to_links(r: dict[str, Any]) -> ContactLinks:
    return ContactLinks(
        account_id=r["accountId"],
        manager_ids=[(m[0], m[1]) for m in r["managers"]],
        report_ids=sorted(r["reports"]),
        influences=sorted(((x[0], x[1]) for x in r["influences"]), key=lambda x: -(x[1] or 0)),
        influenced_by=sorted(((x[0], x[1]) for x in r["influencedBy"]), key=lambda x: -(x[1] or 0)),
        decides=[(d[0], d[1]) for d in r["decides"]],
        known_by=sorted(
            ((k[0], k[1], native(k[2])) for k in r["knownBy"]), key=lambda k: -(k[1] or 0)
        ),
    )


async def contact_links(db: Database, ids: Sequence[str]) -> dict[str, ContactLinks]:
    rows = await db.read(CONTACT_LINKS, {"ids": list(ids)})
    return {r["contactId"]: to_links(r) for r in rows}
