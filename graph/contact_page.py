"""A contact with its unit, everything around it and the people its asked-for links name, in
one round trip.

A contact's page asks for the contact, its unit and its links (managers, reports, influence,
buying roles, who knows them), then the people those links name: five loaders, so five queries
in three levels. One query built from the loaders' own pieces answers them; the rows are
exactly the loaders' rows. A linked person is fetched with the page only when the loader would
give them to the caller anyway: a contact of the same account (in scope, as the page's contact
is) and not archived, or one of our team members. Anyone else is left to the loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, LiteralString

from graph.contacts import (
    CONTACT_FIELDS,
    LINK_LISTS,
    ContactLinks,
    ContactRow,
    contact_fields,
    to_contact,
    to_links,
)
from graph.driver import Database
from graph.org import UNIT_FIELDS, UnitRow, to_unit
from graph.scope import ACCOUNT_IN_SCOPE, Scope
from graph.team import MEMBER_FIELDS, MemberRow, to_member

CONTACT_PAGE: Final = (
    """
MATCH (c:Contact {id: $id}) WHERE coalesce(c.archived, false) = false
MATCH (c)-[:WORKS_IN]->(u:ClientUnit)<-[:HAS_UNIT]-(a:Account)
WHERE """
    + ACCOUNT_IN_SCOPE
    + """
RETURN """
    + CONTACT_FIELDS
    + " AS contact, "
    + UNIT_FIELDS
    + " AS unit, a.id AS accountId,"
    + LINK_LISTS
)
# The people each link list names (by the list's GraphQL name), as `x`.
LINKED: Final[dict[str, LiteralString]] = {
    "managers": "(c)-[:REPORTS_TO]->(x:Contact)",
    "reports": "(c)<-[:REPORTS_TO]-(x:Contact)",
    "influences": "(c)-[:INFLUENCES]->(x:Contact)",
    "influencedBy": "(c)<-[:INFLUENCES]-(x:Contact)",
}
KNOWN_BY: Final = "knownBy"


def _query(people_of: frozenset[str]) -> LiteralString:
    text: LiteralString = CONTACT_PAGE
    for name, pattern in LINKED.items():
        if name in people_of:
            text += (
                ",\n  ["
                + pattern
                + "-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a)"
                + " WHERE coalesce(x.archived, false) = false | "
                + contact_fields("x")
                + "] AS "
                + name
                + "People"
            )
    if KNOWN_BY in people_of:
        text += ",\n  [(c)<-[:KNOWS]-(m:TeamMember) | " + MEMBER_FIELDS + "] AS knownByPeople"
    return text


@dataclass(frozen=True)
class ContactPage:
    contact: ContactRow
    unit: UnitRow | None  # the unit the contact's `unitId` names
    links: ContactLinks
    people: dict[str, ContactRow]  # linked contacts the contact loader would give, by id
    members: dict[str, MemberRow]  # the team members who know the contact, by id


async def contact_with_links(
    db: Database, scope: Scope, contact_id: str, people_of: frozenset[str] = frozenset()
) -> ContactPage | None:
    """The contact, its unit and its links, and the people of the links in `people_of`
    (names of `LINKED`, and `KNOWN_BY`); None when missing or out of scope."""
    rows = await db.read(_query(people_of), {"id": contact_id, **scope.params()})
    if not rows:
        return None
    contact = to_contact(rows[0]["contact"])
    units = [to_unit(r["unit"]) for r in rows]
    unit = next((u for u in units if u.id == contact.unit_id), None)
    people: dict[str, ContactRow] = {}
    members: dict[str, MemberRow] = {}
    for r in rows:
        for name in LINKED:
            for x in r.get(name + "People", ()):
                people[x["id"]] = to_contact(x)
        for m in r.get("knownByPeople", ()):
            members[m["id"]] = to_member(m)
    return ContactPage(contact, unit, to_links(rows[-1]), people, members)
