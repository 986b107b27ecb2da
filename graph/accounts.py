"""Accounts: lookups by id and the scoped, filtered, keyset-paginated account list."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, LiteralString

from graph.convert import time_from_text
from graph.driver import Database, Memo
from graph.projects import PROJECTS_OF_ACCOUNT, ProjectRow, ProjectsWanted, to_projects
from graph.scope import ACCOUNT_IN_SCOPE, Scope

log = logging.getLogger(__name__)


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
        MATCH (a)<-[t2:ON_TEAM]-(:TeamMember)-[:COVERS]->(:GeoDivision)<-[:PARENT_OF*0..]-(:GeoDivision {id: $geoDivisionId})
        WHERE t2.from <= $today AND (t2.until IS NULL OR t2.until >= $today) }""",
}

# Each sort: the condition of a cursor (when there is one), then the order.
_SORTS: Final[dict[str, tuple[LiteralString, LiteralString]]] = {
    "NAME": (
        "\n  AND (a.name > $afterKey OR (a.name = $afterKey AND a.id > $afterId))",
        "\nWITH a, a.name AS byName, a.id AS byId ORDER BY byName, byId LIMIT $limit\n",
    ),
    # Largest potential first; accounts without one last. The cursor holds the potential, so
    # this order is only offered to callers who may read potential on every account (see
    # resolvers).
    "MARKET_POTENTIAL": (
        """
  AND (coalesce(a.marketPotential, -1.0) < toFloat($afterKey)
       OR (coalesce(a.marketPotential, -1.0) = toFloat($afterKey) AND a.id > $afterId))""",
        """
WITH a, coalesce(a.marketPotential, -1.0) AS byPotential, a.id AS byId
ORDER BY byPotential DESC, byId LIMIT $limit
""",
    ),
}

# The page comes back as one record: ArcadeDB sends each record on its own, and the driver
# pays for every one. Projected in WITH first: ArcadeDB puts a projection written inside a map
# literal in the literal's place.
_ONE_RECORD: Final = "WITH a, " + ACCOUNT_FIELDS + " AS account "


def list_query(
    sort: str,
    projects: ProjectsWanted | None,
    filters: frozenset[str] = frozenset(),
    after: bool = False,
    anchor: LiteralString | None = None,
    up_to: bool = False,
) -> LiteralString:
    """The account list in a sort order, with the conditions of the filters in use (names as in
    `AccountFilter.params`) and of a cursor, optionally with each account's projects (with or
    without their details).

    - `anchor`: the parameter naming a team member (`memberId`, `teamMemberId`) whose accounts
      hold every row, so the query starts from them instead of testing every account (the
      conditions stay as they are: the anchor only narrows where it looks).
    - `up_to`: by name, only names up to `$upTo` (see `NameLadder`); ArcadeDB and Neo4j read
      that range from the name index."""
    if anchor is not None:
        text: LiteralString = (
            "\nMATCH (:TeamMember {id: $"
            + anchor
            + "})-[:ON_TEAM]->(a:Account)\nWITH DISTINCT a\nWHERE "
        )
    else:
        text = "\nMATCH (a:Account)\nWHERE "
    if up_to:
        text += ("a.name >= $afterKey AND " if after else "") + "a.name <= $upTo AND "
    text += "coalesce(a.archived, false) = false"
    for name, condition in _FILTERS.items():
        if name in filters:
            text += condition
    text += "\n  AND " + ACCOUNT_IN_SCOPE
    cursor, order = _SORTS[sort]
    if after:
        text += cursor
    text += order + _ONE_RECORD
    if projects is not None:
        return (
            text
            + ", "
            + PROJECTS_OF_ACCOUNT[projects]
            + " AS projects RETURN collect({account: account, projects: projects}) AS page"
        )
    return text + "RETURN collect({account: account}) AS page"


LADDER: Final = """
MATCH (a:Account) WHERE coalesce(a.archived, false) = false
WITH a.name AS name ORDER BY name
WITH collect(name) AS names
RETURN [i IN range(0, size(names) - 1, $step) | names[i]] AS rungs
"""


RETRY_SECONDS: Final = 30.0  # after a failed read of the ladder (the database is down)


class NameLadder(Memo):
    """Every `step`-th name of the live accounts, in name order: how far a name-sorted page of
    all accounts reaches at most, so that its query reads a range of the name index instead of
    every account and sorting them all (at 2,000 accounts, about 1.4 ms instead of 3.6).

    The ladder narrows where a query looks, never what it answers. A page read up to a rung
    that holds all its rows is that page, whatever changed since the ladder was read: an
    account left out sorts after every row read. A page that comes back short (accounts
    archived or renamed since) is read again without the ladder, and the ladder is read anew.
    It is read off the request path, in the background, at most once per `max_age` seconds.
    """

    def __init__(self, step: int = 32, max_age: float = 300.0) -> None:
        self.step = step
        self.max_age = max_age
        self.rungs: list[str] = []
        self._read_at: float | None = None  # time.monotonic() of the last read; None: stale
        self._reading: asyncio.Task[None] | None = None
        self._next_try = 0.0  # after a failed read, not again before this time.monotonic()
        self.failures = 0

    def up_to(self, after_name: str | None, rows: int) -> str | None:
        """A name such that at least `rows` live accounts sort after `after_name` (after the
        start when None) with a name up to it, by the ladder; None when it cannot tell."""
        if self._read_at is None:
            return None
        # rungs[k] is the name at place k * step: at least k * step + 1 names are up to it,
        # and at most p * step names are up to `after_name` (p: the first rung past it).
        p = bisect_right(self.rungs, after_name) if after_name is not None else 0
        k = p + -(-(rows - 1) // self.step) + 1  # one rung more for what changed since
        return self.rungs[k] if k < len(self.rungs) else None

    def hold(self, rungs: list[str], read_at: float | None = None) -> None:
        """Use these rungs (names in order, as read at `read_at`, by default now)."""
        self.rungs = rungs
        self._read_at = time.monotonic() if read_at is None else read_at

    def missed(self) -> None:
        """A page read with the ladder came back short: read it anew."""
        self._read_at = None

    def keep_fresh(self, db: Database) -> None:
        """Start reading the ladder in the background when it is stale or old."""
        if self._reading is not None and not self._reading.done():
            return
        now = time.monotonic()
        if now < self._next_try or (
            self._read_at is not None and now - self._read_at < self.max_age
        ):
            return
        # A context of its own: the read is not one of the current request's round trips.
        self._reading = asyncio.get_running_loop().create_task(
            self._read(db), context=contextvars.Context()
        )

    async def _read(self, db: Database) -> None:
        started = time.monotonic()
        try:
            rows = await db.read(LADDER, {"step": self.step})
        except Exception:  # the pages are right without it, only slower
            self.failures += 1
            self._next_try = time.monotonic() + RETRY_SECONDS
            log.warning("account name ladder not read; pages read every account", exc_info=True)
            return
        self.hold([r for r in rows[0]["rungs"] if r is not None] if rows else [], started)


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
        "upTo": None,
    }
    # A member's accounts are found from the member, not by testing every account.
    anchor: LiteralString | None = None
    if not scope.all_accounts:
        anchor = "memberId"
    elif "teamMemberId" in in_use:
        anchor = "teamMemberId"
    ladder = NameLadder.of(db) if sort == "NAME" and anchor is None and not in_use else None
    if ladder is not None:
        ladder.keep_fresh(db)
        params["upTo"] = ladder.up_to(after[0] if after else None, first + 1)
    query = list_query(sort, projects, in_use, bool(after), anchor, params["upTo"] is not None)
    rows = await db.read(query, params)
    got = rows[0]["page"] if rows else []
    if ladder is not None and params["upTo"] is not None and len(got) <= first:
        ladder.missed()  # short: the rows past the rung may belong to the page
        params["upTo"] = None
        rows = await db.read(list_query(sort, projects, in_use, bool(after), anchor), params)
        got = rows[0]["page"] if rows else []
    page = got[:first]
    more = len(got) > first
    accounts = [to_account(r["account"]) for r in page]
    found = (
        {a.id: to_projects(r["projects"], projects) for a, r in zip(accounts, page, strict=True)}
        if projects is not None
        else None
    )
    return AccountList(accounts, more, found)
