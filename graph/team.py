"""Our side of the matrix: team members, their memberships, areas and divisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from graph.convert import native
from graph.driver import Database
from graph.scope import ACCOUNT_IN_SCOPE, Scope


@dataclass(slots=True)
class MemberRow:
    id: str
    name: str
    title: str | None
    function: str | None
    area_ids: list[str]
    division_ids: list[str]


@dataclass(slots=True)
class MembershipRow:
    member_id: str
    account_id: str
    role: str
    start: date | None
    until: date | None
    member: MemberRow | None = None  # the member, when the team was read with them


@dataclass(slots=True)
class NamedRow:
    id: str
    name: str
    kind: str | None = None
    level: str | None = None
    parent_id: str | None = None


# A member `m` as a map. A map literal, not a projection (`m {…}`): it also sits inside the
# map of a team place, where ArcadeDB would put a projection in the literal's place
# (graph/dialect.py).
MEMBER_FIELDS: Final = """{
  id: m.id, name: m.name, title: m.title, function: m.function,
  areaIds: [(m)-[:IN_AREA]->(f:FunctionalArea) | f.id],
  divisionIds: [(m)-[:COVERS]->(g:GeoDivision) | g.id]
}"""
MEMBERS_BY_IDS: Final = (
    "MATCH (m:TeamMember) WHERE m.id IN $ids RETURN " + MEMBER_FIELDS + " AS member"
)


def to_member(r: dict[str, Any]) -> MemberRow:
    return MemberRow(
        r["id"],
        r["name"],
        r.get("title"),
        r.get("function"),
        sorted(r["areaIds"]),
        sorted(r["divisionIds"]),
    )


async def members_by_ids(db: Database, ids: Sequence[str]) -> dict[str, MemberRow]:
    rows = await db.read(MEMBERS_BY_IDS, {"ids": list(ids)})
    return {r["member"]["id"]: to_member(r["member"]) for r in rows}


# An account's team today (current windows only), each place with its member, as a list
# expression for any query with `a` bound (see graph/account_page.py): a pattern
# comprehension, which ArcadeDB answers faster than a subquery (0.3-0.7 ms for a team of 17).
# It has no order: `to_team` puts the account managers first, then orders by name.
TEAM_NOW: Final = (
    """[(a)<-[t:ON_TEAM]-(m:TeamMember)
  WHERE t.from <= $today AND (t.until IS NULL OR t.until >= $today)
  | {memberId: m.id, role: t.role, start: t.from, until: t.until, member: """
    + MEMBER_FIELDS
    + "}]"
)
TEAMS_OF_ACCOUNTS: Final = (
    "UNWIND $ids AS accountId MATCH (a:Account {id: accountId}) RETURN accountId, "
    + TEAM_NOW
    + " AS team"
)


def _team_order(place: dict[str, Any]) -> tuple[bool, bool, str, str]:
    """Account managers first, then by name (a member without one last), then id."""
    name = place["member"]["name"]
    return (place["role"] != "ACCOUNT_MANAGER", name is None, name or "", place["memberId"])


def to_team(account_id: str, team: list[dict[str, Any]]) -> list[MembershipRow]:
    """An account's team as `TEAM_NOW` reads it, each place with its member."""
    return [
        MembershipRow(
            t["memberId"],
            account_id,
            t["role"],
            native(t["start"]),
            native(t["until"]),
            to_member(t["member"]),
        )
        for t in sorted(team, key=_team_order)
    ]


async def teams_of_accounts(
    db: Database, ids: Sequence[str], today: date
) -> dict[str, list[MembershipRow]]:
    rows = await db.read(TEAMS_OF_ACCOUNTS, {"ids": list(ids), "today": today})
    return {r["accountId"]: to_team(r["accountId"], r["team"]) for r in rows}


# Accounts a member is on, limited to those the caller may reach (no side channel).
MEMBERSHIPS_OF_MEMBERS: Final = (
    """
UNWIND $ids AS memberId
MATCH (m:TeamMember {id: memberId})
CALL (m) {
  MATCH (m)-[t:ON_TEAM]->(a:Account)
  WHERE t.from <= $today AND (t.until IS NULL OR t.until >= $today) AND """
    + ACCOUNT_IN_SCOPE
    + """
  WITH a, t ORDER BY a.name, a.id
  RETURN collect({accountId: a.id, role: t.role, start: t.from, until: t.until}) AS memberships
}
RETURN memberId, memberships
"""
)


async def memberships_of_members(
    db: Database, scope: Scope, ids: Sequence[str]
) -> dict[str, list[MembershipRow]]:
    rows = await db.read(MEMBERSHIPS_OF_MEMBERS, {"ids": list(ids), **scope.params()})
    return {
        r["memberId"]: [
            MembershipRow(
                r["memberId"], t["accountId"], t["role"], native(t["start"]), native(t["until"])
            )
            for t in r["memberships"]
        ]
        for r in rows
    }


AREAS_BY_IDS: Final = """
MATCH (f:FunctionalArea) WHERE f.id IN $ids
RETURN f.id AS id, f.name AS name
"""

DIVISIONS_BY_IDS: Final = """
MATCH (g:GeoDivision) WHERE g.id IN $ids
RETURN g.id AS id, g.name AS name, g.kind AS kind, g.level AS level,
       head([(g)<-[:PARENT_OF]-(p:GeoDivision) | p.id]) AS parentId
"""


async def areas_by_ids(db: Database, ids: Sequence[str]) -> dict[str, NamedRow]:
    return {
        r["id"]: NamedRow(r["id"], r["name"])
        for r in await db.read(AREAS_BY_IDS, {"ids": list(ids)})
    }


async def divisions_by_ids(db: Database, ids: Sequence[str]) -> dict[str, NamedRow]:
    rows = await db.read(DIVISIONS_BY_IDS, {"ids": list(ids)})
    return {
        r["id"]: NamedRow(r["id"], r["name"], r.get("kind"), r.get("level"), r.get("parentId"))
        for r in rows
    }


ALL_DIVISIONS: Final = """
MATCH (g:GeoDivision)
RETURN g.id AS id, g.name AS name, g.kind AS kind, g.level AS level,
       head([(g)<-[:PARENT_OF]-(p:GeoDivision) | p.id]) AS parentId
ORDER BY name, id
"""


async def all_divisions(db: Database) -> list[NamedRow]:
    """Every geographic division of ours, by name (our own structure: no row scope)."""
    rows = await db.read(ALL_DIVISIONS)
    return [
        NamedRow(r["id"], r["name"], r.get("kind"), r.get("level"), r.get("parentId")) for r in rows
    ]


# Our people the caller may know of: everyone for a caller who reaches every account; else
# themselves and those who sit with them on an account team today.
MEMBERS_PAGE: Final = (
    """
MATCH (m:TeamMember)
WHERE NOT coalesce(m.archived, false)
  AND ($afterName IS NULL OR m.name > $afterName OR (m.name = $afterName AND m.id > $afterId))
  AND ($allAccounts OR m.id = $memberId OR EXISTS {
    MATCH (m)-[mine:ON_TEAM]->(:Account)<-[theirs:ON_TEAM]-(:TeamMember {id: $memberId})
    WHERE mine.from <= $today AND (mine.until IS NULL OR mine.until >= $today)
      AND theirs.from <= $today AND (theirs.until IS NULL OR theirs.until >= $today)
  })
WITH m ORDER BY m.name, m.id LIMIT $limit
RETURN """
    + MEMBER_FIELDS
    + " AS member"
)


async def members_page(
    db: Database, scope: Scope, first: int, after: tuple[str, str] | None
) -> tuple[list[MemberRow], bool]:
    """A page of our people by name, in the caller's reach; True when more follow."""
    rows = await db.read(
        MEMBERS_PAGE,
        {
            **scope.params(),
            "afterName": after[0] if after else None,
            "afterId": after[1] if after else None,
            "limit": first + 1,
        },
    )
    found = [to_member(r["member"]) for r in rows]
    return found[:first], len(found) > first
