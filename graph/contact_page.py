"""A contact with its unit and everything around it (the ids its links name), in one round trip.

A contact's page asks for the contact, its unit and its links (managers, reports, influence,
buying roles, who knows them): three loaders, so three queries in two levels. One query built
from the loaders' own pieces answers all three; the rows are exactly the loaders' rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from graph.contacts import (
    CONTACT_FIELDS,
    LINK_LISTS,
    ContactLinks,
    ContactRow,
    to_contact,
    to_links,
)
from graph.driver import Database
from graph.org import UNIT_FIELDS, UnitRow, to_unit
from graph.scope import ACCOUNT_IN_SCOPE, Scope

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


@dataclass(frozen=True)
class ContactPage:
    contact: ContactRow
    unit: UnitRow | None  # the unit the contact's `unitId` names
    links: ContactLinks


async def contact_with_links(db: Database, scope: Scope, contact_id: str) -> ContactPage | None:
    """The contact, its unit and its links; None when missing or out of scope."""
    rows = await db.read(CONTACT_PAGE, {"id": contact_id, **scope.params()})
    if not rows:
        return None
    contact = to_contact(rows[0]["contact"])
    units = [to_unit(r["unit"]) for r in rows]
    unit = next((u for u in units if u.id == contact.unit_id), None)
    return ContactPage(contact=contact, unit=unit, links=to_links(rows[-1]))
