"""The client's organisation: units on four levels, their contacts, and the org chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from graph.contacts import CONTACT_FIELDS, ContactRow, to_contact
from graph.driver import Database
from graph.errors import NotFound
from graph.scope import ACCOUNT_IN_SCOPE, Scope, page_params

LEVEL_ORDER = {"GLOBAL": 0, "REGIONAL": 1, "NATIONAL": 2, "STATE": 3}


@dataclass(slots=True)
class UnitRow:
    id: str
    name: str
    level: str
    country: str | None
    region: str | None
    parent_id: str | None
    account_id: str


# `a` is the unit's account: a parent in another account is none of this chart's business.
UNIT_FIELDS: Final = """u {
  .id, .name, .level, .country, .region,
  parentId: head([(u)<-[:PARENT_OF]-(p:ClientUnit)<-[:HAS_UNIT]-(a) | p.id]), accountId: a.id
}"""


def to_unit(r: dict[str, Any]) -> UnitRow:
    return UnitRow(
        id=r["id"],
        name=r["name"],
        level=r["level"],
        country=r.get("country"),
        region=r.get("region"),
        parent_id=r.get("parentId"),
        account_id=r["accountId"],
    )


# A page of an account's units, for any query with `a` bound (see graph/account_page.py).
UNITS_PAGE: Final = (
    """CALL (a) {
  MATCH (a)-[:HAS_UNIT]->(u:ClientUnit)
  WHERE coalesce(u.archived, false) = false
    AND ($unitsAfterName IS NULL OR u.name > $unitsAfterName
         OR (u.name = $unitsAfterName AND u.id > $unitsAfterId))
  WITH a, u, u.name AS byName, u.id AS byId ORDER BY byName, byId LIMIT $unitsLimit
  RETURN collect("""
    + UNIT_FIELDS
    + """) AS units
}
"""
)
UNITS_OF_ACCOUNTS: Final = (
    "UNWIND $ids AS accountId MATCH (a:Account {id: accountId}) "
    + UNITS_PAGE
    + "RETURN accountId, units"
)


async def units_of_accounts(
    db: Database, ids: Sequence[str], first: int, after: tuple[str, str] | None
) -> dict[str, list[UnitRow]]:
    """Up to first+1 units of each account (sorted by name), keyed by account id."""
    rows = await db.read(
        UNITS_OF_ACCOUNTS,
        page_params(ids, first, after, "units"),
    )
    return {r["accountId"]: [to_unit(u) for u in r["units"]] for r in rows}


UNITS_BY_IDS: Final = (
    """
MATCH (u:ClientUnit) WHERE u.id IN $ids
MATCH (a:Account)-[:HAS_UNIT]->(u)
RETURN """
    + UNIT_FIELDS
    + " AS unit"
)


async def units_by_ids(db: Database, ids: Sequence[str]) -> dict[str, UnitRow]:
    """Units by id (reached through an already scoped parent)."""
    rows = await db.read(UNITS_BY_IDS, {"ids": list(ids)})
    return {r["unit"]["id"]: to_unit(r["unit"]) for r in rows}


CHILD_UNITS: Final = (
    """
UNWIND $ids AS parentId
MATCH (p:ClientUnit {id: parentId})<-[:HAS_UNIT]-(a:Account)
CALL (p, a) {
  MATCH (p)-[:PARENT_OF]->(u:ClientUnit)<-[:HAS_UNIT]-(a)
  WITH a, u, u.name AS byName, u.id AS byId ORDER BY byName, byId
  RETURN collect("""
    + UNIT_FIELDS
    + """) AS units
}
RETURN parentId, units
"""
)


async def child_units(db: Database, ids: Sequence[str]) -> dict[str, list[UnitRow]]:
    rows = await db.read(CHILD_UNITS, {"ids": list(ids)})
    return {r["parentId"]: [to_unit(u) for u in r["units"]] for r in rows}


CONTACTS_OF_UNITS: Final = (
    """
UNWIND $ids AS unitId
MATCH (u:ClientUnit {id: unitId})
CALL (u) {
  MATCH (u)<-[:WORKS_IN]-(c:Contact)
  WHERE coalesce(c.archived, false) = false
    AND ($afterName IS NULL OR c.name > $afterName OR (c.name = $afterName AND c.id > $afterId))
  WITH u, c, c.name AS byName, c.id AS byId ORDER BY byName, byId LIMIT $limit
  RETURN collect("""
    + CONTACT_FIELDS
    + """) AS contacts
}
RETURN unitId, contacts
"""
)


async def contacts_of_units(
    db: Database, ids: Sequence[str], first: int, after: tuple[str, str] | None
) -> dict[str, list[ContactRow]]:
    rows = await db.read(
        CONTACTS_OF_UNITS,
        page_params(ids, first, after),
    )
    return {r["unitId"]: [to_contact(c) for c in r["contacts"]] for r in rows}


MIRRORED_BY: Final = """
UNWIND $ids AS unitId
MATCH (u:ClientUnit {id: unitId})
RETURN unitId, [(u)<-[:MIRRORS]-(m:TeamMember) | m.id] AS memberIds
"""


async def mirrored_by(db: Database, ids: Sequence[str]) -> dict[str, list[str]]:
    rows = await db.read(MIRRORED_BY, {"ids": list(ids)})
    return {r["unitId"]: list(r["memberIds"]) for r in rows}


@dataclass(slots=True)
class OrgContact:
    id: str
    name: str
    title: str | None
    buying_role: str | None
    manager_id: str | None


@dataclass(slots=True)
class OrgUnit:
    id: str
    name: str
    level: str
    country: str | None
    region: str | None
    parent_id: str | None
    mirrored_by: list[str]
    contacts: list[OrgContact]


@dataclass(slots=True)
class ReportingLine:
    from_id: str
    to_id: str
    kind: str


@dataclass(frozen=True)
class OrgChart:
    account_id: str
    account_name: str
    units: list[OrgUnit]
    lines: list[ReportingLine] = field(default_factory=list)


# One round trip: every unit with every contact and every reporting line of the account.
ORG_CHART: Final = (
    """
MATCH (a:Account {id: $accountId})
WHERE coalesce(a.archived, false) = false AND """
    + ACCOUNT_IN_SCOPE
    + """
CALL (a) {
  MATCH (a)-[:HAS_UNIT]->(u:ClientUnit)
  WHERE coalesce(u.archived, false) = false
  RETURN collect(u {
    .id, .name, .level, .country, .region,
    parentId: head([(u)<-[:PARENT_OF]-(p:ClientUnit) | p.id]),
    mirroredBy: [(u)<-[:MIRRORS]-(m:TeamMember) | m.id],
    contacts: [(u)<-[:WORKS_IN]-(c:Contact) WHERE coalesce(c.archived, false) = false |
               c {.id, .name, .title, .buyingRole}]
  }) AS units
}
CALL (a) {
  MATCH (a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)-[r:REPORTS_TO]->(m:Contact)
  RETURN collect({from: c.id, to: m.id, kind: coalesce(r.kind, 'SOLID')}) AS lines
}
RETURN a.id AS accountId, a.name AS accountName, units, lines
"""
)


async def org_chart(db: Database, scope: Scope, account_id: str) -> OrgChart:
    """The whole unit tree of an account, level by level, with contacts and reporting lines."""
    rows = await db.read(ORG_CHART, {"accountId": account_id, **scope.params()})
    if not rows:
        raise NotFound(f"account {account_id}")
    row = rows[0]
    # Only what is in this chart: a parent unit or a manager in another account (edges may
    # cross accounts), or an archived person, is none of its business. Filtered here, on the
    # ids the chart already holds, rather than by a subquery per line.
    unit_ids = {u["id"] for u in row["units"]}
    people = {c["id"] for u in row["units"] for c in u["contacts"]}
    lines = [
        ReportingLine(r["from"], r["to"], r["kind"])
        for r in row["lines"]
        if r["from"] in people and r["to"] in people
    ]
    solid = {line.from_id: line.to_id for line in lines if line.kind == "SOLID"}
    units = [
        OrgUnit(
            id=u["id"],
            name=u["name"],
            level=u["level"],
            country=u.get("country"),
            region=u.get("region"),
            parent_id=u.get("parentId") if u.get("parentId") in unit_ids else None,
            mirrored_by=sorted(u["mirroredBy"]),
            contacts=sorted(
                (
                    OrgContact(
                        c["id"], c["name"], c.get("title"), c.get("buyingRole"), solid.get(c["id"])
                    )
                    for c in u["contacts"]
                ),
                key=lambda c: (c.manager_id is not None, c.name, c.id),
            ),
        )
        for u in row["units"]
    ]
    units.sort(key=lambda u: (LEVEL_ORDER.get(u.level, 9), u.name, u.id))
    return OrgChart(row["accountId"], row["accountName"], units, lines)
