"""The plan template (docs/ARCHITECTURE.md §5) and reading plans: one per account and period,
the latest per account, and how complete the current one is.

Every plan has the same fields, each belonging to a need-to-know section. Every change is kept
as a `PlanRevision` (written by graph/plan_writes.py, read back as history and diffs by
graph/plan_history.py), and a new period starts from the last plan's content.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from auth.registry import PLAN_FIELDS, PLAN_SECTIONS
from graph.convert import native, native_row
from graph.driver import Database
from graph.scope import ACCOUNT_IN_SCOPE, Scope

# Each section of the template keeps its own change count and time on the plan node, so a
# caller's `version` and `updatedAt` move only with sections they may read (DERIVED).
SECTION_STAMPS: Final[dict[str, tuple[str, str]]] = {
    "competition": ("versionCompetition", "changedCompetition"),
    "plan.strategy": ("versionStrategy", "changedStrategy"),
    "plan.share_of_wallet": ("versionShareOfWallet", "changedShareOfWallet"),
    "plan.financial_goals": ("versionFinancialGoals", "changedFinancialGoals"),
}
assert set(SECTION_STAMPS) == set(PLAN_SECTIONS)
STALE_DAYS = 180


@dataclass(frozen=True)
class PlanRow:
    id: str
    account_id: str
    period: str
    status: str
    version: int
    fields: dict[str, Any]
    created_at: datetime | None
    updated_at: datetime | None
    segment: str | None  # the account's, for conditional grants
    section_versions: dict[str, int]  # changes per template section
    section_changed: dict[str, datetime]  # last change per template section

    def version_for(self, readable: Iterable[str]) -> int:
        """The version a caller who reads these sections sees: 1 + their sections' changes."""
        return 1 + sum(self.section_versions.get(s, 0) for s in readable)

    def updated_for(self, readable: Iterable[str]) -> datetime | None:
        """The last change of a section the caller reads (the plan's start when none)."""
        times = [t for s in readable if (t := self.section_changed.get(s)) is not None]
        return max(times) if times else self.created_at


PLAN_RETURN: Final = """
RETURN p {.*} AS plan, a.id AS accountId, a.segment AS segment
"""

PLANS_BY_IDS: Final = (
    """
MATCH (p:Plan) WHERE p.id IN $ids
MATCH (a:Account)-[:HAS_PLAN]->(p)
WHERE """
    + ACCOUNT_IN_SCOPE
    + PLAN_RETURN
)

PLAN_OF_ACCOUNT: Final = (
    """
MATCH (a:Account {id: $accountId})-[:HAS_PLAN]->(p:Plan)
WHERE ($period IS NULL OR p.period = $period) AND """
    + ACCOUNT_IN_SCOPE
    + """
WITH a, p ORDER BY p.period DESC LIMIT 1
"""
    + PLAN_RETURN
)


def to_plan(row: dict[str, Any]) -> PlanRow:
    p = native_row(row["plan"])
    return PlanRow(
        id=p["id"],
        account_id=row["accountId"],
        period=p["period"],
        status=p.get("status", "ACTIVE"),
        version=int(p.get("version", 1)),
        fields={f: p.get(f) for f in PLAN_FIELDS},
        created_at=p.get("createdAt"),
        updated_at=p.get("updatedAt"),
        segment=row.get("segment"),
        section_versions={s: int(p.get(v) or 0) for s, (v, _) in SECTION_STAMPS.items()},
        section_changed={s: p[t] for s, (_, t) in SECTION_STAMPS.items() if p.get(t) is not None},
    )


async def plans_by_ids(db: Database, scope: Scope, ids: Sequence[str]) -> dict[str, PlanRow]:
    rows = await db.read(PLANS_BY_IDS, {"ids": list(ids), **scope.params()})
    return {r["plan"]["id"]: to_plan(r) for r in rows}


async def plan_of_account(
    db: Database, scope: Scope, account_id: str, period: str | None
) -> PlanRow | None:
    """The account's plan for a period, or its latest one."""
    rows = await db.read(
        PLAN_OF_ACCOUNT, {"accountId": account_id, "period": period, **scope.params()}
    )
    return to_plan(rows[0]) if rows else None


# An account's plans (one per period), as a list expression for any query with `a` bound
# (see graph/account_page.py): a pattern comprehension, which ArcadeDB answers faster than a
# subquery. `to_current_plan` takes the latest period.
CURRENT_PLAN: Final = "[(a)-[:HAS_PLAN]->(p:Plan) | p {.*}]"
CURRENT_PLANS: Final = (
    "UNWIND $ids AS accountId MATCH (a:Account {id: accountId}) "
    "RETURN accountId, a.segment AS segment, " + CURRENT_PLAN + " AS plan"
)


def to_current_plan(account_id: str, segment: str | None, found: list[Any]) -> PlanRow | None:
    """The plan of the latest period among an account's plans, or None when it has none."""
    if not found:
        return None
    latest = max(found, key=lambda p: p.get("period") or "")
    return to_plan({"plan": latest, "accountId": account_id, "segment": segment})


async def current_plans(db: Database, account_ids: Sequence[str]) -> dict[str, PlanRow]:
    """The latest plan of each account (already in the caller's scope) that has one."""
    rows = await db.read(CURRENT_PLANS, {"ids": list(account_ids)})
    found = {r["accountId"]: to_current_plan(r["accountId"], r["segment"], r["plan"]) for r in rows}
    return {account_id: plan for account_id, plan in found.items() if plan is not None}


@dataclass(frozen=True)
class SectionState:
    field: str
    section: str
    filled: bool
    last_changed: datetime | None
    stale: bool


LAST_CHANGES: Final = """
MATCH (v:PlanRevision {planId: $planId})
RETURN v.field AS field, max(v.at) AS lastAt
"""


async def plan_completeness(
    db: Database, scope: Scope, account_id: str
) -> tuple[PlanRow, list[SectionState]] | None:
    """Which template fields of the account's current plan are empty or stale."""
    plan = await plan_of_account(db, scope, account_id, None)
    if plan is None:
        return None
    last = {
        r["field"]: native(r["lastAt"]) for r in await db.read(LAST_CHANGES, {"planId": plan.id})
    }
    cutoff = datetime.now(UTC) - timedelta(days=STALE_DAYS)
    states = []
    for name, section in PLAN_FIELDS.items():
        value = plan.fields.get(name)
        filled = value not in (None, "", [])
        changed = last.get(name)
        states.append(
            SectionState(
                name, section, filled, changed, filled and (changed is None or changed < cutoff)
            )
        )
    return plan, states
