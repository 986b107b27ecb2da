"""Accounts: lookups by id and the scoped, filtered, keyset-paginated account list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, LiteralString

from graph.convert import time_from_text
from graph.driver import Database
from graph.projects import PROJECTS_OF_ACCOUNT, ProjectRow, ProjectsWanted, to_projects
from graph.scope import ACCOUNT_IN_SCOPE, Scope


@dataclass(slots=True)
class AccountRow:
    id: str
    name: str
    segment: str | None
    industry: str | None
    tier: str | None
    status: str | None
    market_potential: float | None
    created_at: datetime | None
    updated_at: datetime | None


# Times as text: see graph/convert.py, time_from_text.
ACCOUNT_FIELDS: Final = """a {
  .id, .name, .segment, .industry, .tier, .status, .marketPotential,
  createdAt: toString(a.createdAt), updatedAt: toString(a.updatedAt)
}"""


def to_account(r: dict[str, Any]) -> AccountRow:
    return AccountRow(
        id=r["id"],
        name=r["name"],
        segment=r.get("segment"),
        industry=r.get("industry"),
        tier=r.get("tier"),
        status=r.get("status"),
        market_potential=r.get("marketPotential"),
        created_at=time_from_text(r.get("createdAt")),
        updated_at=time_from_text(r.get("updatedAt")),
    )


ACCOUNTS_BY_IDS: Final = (
    """
MATCH (a:Account) WHERE a.id IN $ids
  AND coalesce(a.archived, false) = false
  AND """
    + ACCOUNT_IN_SCOPE
    + """
RETURN """
    + ACCOUNT_FIELDS
    + " AS account"
)


async def accounts_by_ids(db: Database, scope: Scope, ids: Sequence[str]) -> dict[str, AccountRow]:
    """The in-scope accounts among `ids`, keyed by id (an out-of-scope id is simply absent)."""
    rows = await db.read(ACCOUNTS_BY_IDS, {"ids": list(ids), **scope.params()})
    return {r["account"]["id"]: to_account(r["account"]) for r in rows}


@dataclass(frozen=True)
class AccountFilter:
    """Filters of the account list; each None means 'any'."""

    name_contains: str | None = None
    segment: str | None = None
    industry: str | None = None
    tier: str | None = None
    status: str | None = None
    geo_division_id: str | None = None
    team_member_id: str | None = None

    def params(self) -> dict[str, Any]:
        return {
            "nameContains": self.name_contains.lower() if self.name_contains else None,
            "segment": self.segment,
            "industry": self.industry,
            "tier": self.tier,
            "status": self.status,
            "geoDivisionId": self.geo_division_id,
            "teamMemberId": self.team_member_id,
        }


# The list's conditions: only those of the filters in use go into the query (each one left in
# as `$x IS NULL OR …` is still evaluated on every account: about 0.5 ms at 2,000).
_FILTERS: Final[dict[str, LiteralString]] = {
    "nameContains": "\n  AND toLower(a.name) CONTAINS $nameContains",
    "segment": "\n  AND a.segment = $segment",
    "industry": "\n  AND a.industry = $industry",
    "tier": "\n  AND a.tier = $tier",
    "status": "\n  AND a.status = $status",
    "teamMemberId": """
  AND EXISTS {
        MATCH (a)<-[t:ON_TEAM]-(:TeamMember {id: $teamMemberId})
        WHERE t.from <= $today AND (t.until IS NULL OR t.until >= $today) }""",
    "geoDivisionId": """
  AND EXISTS {
        MATCH (a)<-[t2:ON_TEAM]-(:TeamMember)-[:COVERS]->(:GeoDivision)
              <-[:PARENT_OF*0..]-(:GeoDivision {id: $geoDivisionId})
        WHERE t2.from <= $today AND (t2.until IS NULL OR t2.until >= $today) }""",
}

# Each sort: the condition of a cursor (when there is one), then the order and limit that close
# the statement.
_SORTS: Final[dict[str, tuple[LiteralString, LiteralString]]] = {
    # The order of the index of name and id (graph/migrations.py, 6), with `a.name >= …` as
    # its starting point: the engine walks the index in order and stops at the limit. ArcadeDB
    # 26.10 does so only when `ORDER BY … LIMIT` closes the whole statement (inside a subquery
    # it sorts every account), so the page is that statement's records, one per account
    # (docs/PERFORMANCE.md, "The account list has an index"). Every name is a string, so
    # `>= ''` holds them all.
    "NAME": (
        "\n  AND (a.name > $afterKey OR (a.name = $afterKey AND a.id > $afterId))",
        "\nORDER BY a.name, a.id LIMIT $limit",
    ),
    # Largest potential first; accounts without one last. The cursor holds the potential, so
    # this order is only offered to callers who may read potential on every account (see
    # resolvers).
    "MARKET_POTENTIAL": (
        """
  AND (coalesce(a.marketPotential, -1.0) < toFloat($afterKey)
       OR (coalesce(a.marketPotential, -1.0) = toFloat($afterKey) AND a.id > $afterId))""",
        "\nORDER BY coalesce(a.marketPotential, -1.0) DESC, a.id LIMIT $limit",
    ),
}


def list_query(
    sort: str,
    projects: ProjectsWanted | None,
    filters: frozenset[str] = frozenset(),
    after: bool = False,
    anchor: LiteralString | None = None,
) -> LiteralString:
    """The account list in a sort order, with the conditions of the filters in use (names as in
    `AccountFilter.params`) and of a cursor, optionally with each account's projects (with or
    without their details): one record per account, in the page's order.

    `anchor`: the parameter naming a team member (`memberId`, `teamMemberId`) whose accounts
    hold every row, so the query starts from them instead of testing every account (the
    conditions stay as they are: the anchor only narrows where it looks)."""
    if anchor is not None:
        text: LiteralString = (
            "\nMATCH (:TeamMember {id: $"
            + anchor
            + "})-[:ON_TEAM]->(a:Account)\nWITH DISTINCT a\nWHERE "
        )
    else:
        text = "\nMATCH (a:Account)\nWHERE "
    if sort == "NAME":
        text += ("a.name >= $afterKey" if after else "a.name >= ''") + " AND "
    text += "coalesce(a.archived, false) = false"
    for name, condition in _FILTERS.items():
        if name in filters:
            text += condition
    text += "\n  AND " + ACCOUNT_IN_SCOPE
    cursor, order = _SORTS[sort]
    if after:
        text += cursor
    text += "\nRETURN " + ACCOUNT_FIELDS + " AS account"
    if projects is not None:
        text += ", " + PROJECTS_OF_ACCOUNT[projects] + " AS projects"
    return text + order


def sort_key(row: AccountRow, sort: str) -> tuple[str, str]:
    """The cursor key of a row in a sort order (readable fields only)."""
    if sort == "MARKET_POTENTIAL":
        return (repr(row.market_potential if row.market_potential is not None else -1.0), row.id)
    return (row.name, row.id)


@dataclass(frozen=True)
class AccountList:
    rows: list[AccountRow]
    more: bool  # whether more accounts follow
    projects: dict[str, list[ProjectRow]] | None  # by account id, when asked for


async def account_page(
    db: Database,
    scope: Scope,
    account_filter: AccountFilter,
    first: int,
    after: tuple[str, str] | None,
    sort: str = "NAME",
    projects: ProjectsWanted | None = None,
) -> AccountList:
    """One page of in-scope accounts in a sort order, whether more follow, and the accounts'
    projects when asked for (one round trip for a portfolio page)."""
    filters = account_filter.params()
    in_use = frozenset(k for k, v in filters.items() if v is not None)
    params = {
        **scope.params(),
        **filters,
        "afterKey": after[0] if after else None,
        "afterId": after[1] if after else None,
        "limit": first + 1,
    }
    # A member's accounts are found from the member, not by testing every account.
    anchor: LiteralString | None = None
    if not scope.all_accounts:
        anchor = "memberId"
    elif "teamMemberId" in in_use:
        anchor = "teamMemberId"
    rows = await db.read(list_query(sort, projects, in_use, bool(after), anchor), params)
    page = rows[:first]
    more = len(rows) > first
    accounts = [to_account(r["account"]) for r in page]
    found = (
        {a.id: to_projects(r["projects"], projects) for a, r in zip(accounts, page, strict=True)}
        if projects is not None
        else None
    )
    return AccountList(accounts, more, found)
