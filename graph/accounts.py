"""Accounts: lookups by id and the scoped, filtered, keyset-paginated account list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from graph.convert import native_row
from graph.driver import Database
from graph.scope import ACCOUNT_IN_SCOPE, Scope


@dataclass(frozen=True)
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


ACCOUNT_FIELDS: Final = """a {
  .id, .name, .segment, .industry, .tier, .status, .marketPotential, .createdAt, .updatedAt
}"""


def to_account(row: dict[str, Any]) -> AccountRow:
    r = native_row(row)
    return AccountRow(
        id=r["id"],
        name=r["name"],
        segment=r.get("segment"),
        industry=r.get("industry"),
        tier=r.get("tier"),
        status=r.get("status"),
        market_potential=r.get("marketPotential"),
        created_at=r.get("createdAt"),
        updated_at=r.get("updatedAt"),
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


_PAGE_FILTER: Final = (
    """
MATCH (a:Account)
WHERE coalesce(a.archived, false) = false
  AND ($nameContains IS NULL OR toLower(a.name) CONTAINS $nameContains)
  AND ($segment IS NULL OR a.segment = $segment)
  AND ($industry IS NULL OR a.industry = $industry)
  AND ($tier IS NULL OR a.tier = $tier)
  AND ($status IS NULL OR a.status = $status)
  AND ($teamMemberId IS NULL OR EXISTS {
        MATCH (a)<-[t:ON_TEAM]-(:TeamMember {id: $teamMemberId})
        WHERE t.from <= $today AND (t.until IS NULL OR t.until >= $today) })
  AND ($geoDivisionId IS NULL OR EXISTS {
        MATCH (a)<-[t2:ON_TEAM]-(:TeamMember)-[:COVERS]->(:GeoDivision)<-[:PARENT_OF*0..]-(:GeoDivision {id: $geoDivisionId})
        WHERE t2.from <= $today AND (t2.until IS NULL OR t2.until >= $today) })
  AND """
    + ACCOUNT_IN_SCOPE
)

ACCOUNT_PAGE: Final = (
    _PAGE_FILTER
    + """
  AND ($afterKey IS NULL OR a.name > $afterKey OR (a.name = $afterKey AND a.id > $afterId))
WITH a, a.name AS byName, a.id AS byId ORDER BY byName, byId LIMIT $limit
RETURN """
    + ACCOUNT_FIELDS
    + """ AS account
"""
)

# Largest potential first; accounts without one last. The cursor holds the potential, so this
# order is only offered to callers who may read potential on every account (see resolvers).
ACCOUNT_PAGE_BY_POTENTIAL: Final = (
    _PAGE_FILTER
    + """
  AND ($afterKey IS NULL OR coalesce(a.marketPotential, -1.0) < toFloat($afterKey)
       OR (coalesce(a.marketPotential, -1.0) = toFloat($afterKey) AND a.id > $afterId))
WITH a, coalesce(a.marketPotential, -1.0) AS byPotential, a.id AS byId
ORDER BY byPotential DESC, byId LIMIT $limit
RETURN """
    + ACCOUNT_FIELDS
    + """ AS account
"""
)

SORTS: Final = {"NAME": ACCOUNT_PAGE, "MARKET_POTENTIAL": ACCOUNT_PAGE_BY_POTENTIAL}


def sort_key(row: AccountRow, sort: str) -> tuple[str, str]:
    """The cursor key of a row in a sort order (readable fields only)."""
    if sort == "MARKET_POTENTIAL":
        return (repr(row.market_potential if row.market_potential is not None else -1.0), row.id)
    return (row.name, row.id)


async def account_page(
    db: Database,
    scope: Scope,
    account_filter: AccountFilter,
    first: int,
    after: tuple[str, str] | None,
    sort: str = "NAME",
) -> tuple[list[AccountRow], bool]:
    """One page of in-scope accounts in a sort order, and whether more follow."""
    rows = await db.read(
        SORTS[sort],
        {
            **scope.params(),
            **account_filter.params(),
            "afterKey": after[0] if after else None,
            "afterId": after[1] if after else None,
            "limit": first + 1,
        },
    )
    accounts = [to_account(r["account"]) for r in rows]
    return accounts[:first], len(accounts) > first
