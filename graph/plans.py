"""The plan template (docs/ARCHITECTURE.md §5): plans per period, revisions, diffs, completeness.

Every plan has the same fields, each belonging to a need-to-know section. Every change is kept
as a `PlanRevision` (who, when, which field, before -> after), so history and diffs are read
from the graph, and a new period starts from the last plan's content.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from auth.registry import PLAN_FIELDS, PLAN_SECTIONS
from graph.convert import native, native_row
from graph.driver import Database, Transaction
from graph.errors import NotFound
from graph.scope import ACCOUNT_IN_SCOPE, Scope
from graph.writes import Actor, Conflict, Rejected, audit_in, new_id, once

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


# An account's latest plan, for any query with `a` bound (see graph/account_page.py): a list
# of at most one, so that an account without a plan still gives its row.
CURRENT_PLAN: Final = """CALL (a) {
  MATCH (a)-[:HAS_PLAN]->(p:Plan)
  WITH p, p.period AS byPeriod ORDER BY byPeriod DESC LIMIT 1
  RETURN collect(p {.*}) AS plan
}
"""
CURRENT_PLANS: Final = (
    "UNWIND $ids AS accountId MATCH (a:Account {id: accountId}) "
    + CURRENT_PLAN
    + "RETURN accountId, a.segment AS segment, plan"
)


def to_current_plan(account_id: str, segment: str | None, found: list[Any]) -> PlanRow | None:
    return (
        to_plan({"plan": found[0], "accountId": account_id, "segment": segment}) if found else None
    )


async def current_plans(db: Database, account_ids: Sequence[str]) -> dict[str, PlanRow]:
    """The latest plan of each account (already in the caller's scope) that has one."""
    rows = await db.read(CURRENT_PLANS, {"ids": list(account_ids)})
    found = {r["accountId"]: to_current_plan(r["accountId"], r["segment"], r["plan"]) for r in rows}
    return {account_id: plan for account_id, plan in found.items() if plan is not None}


ACCOUNT_IN_REACH: Final = (
    "MATCH (a:Account {id: $accountId}) WHERE coalesce(a.archived, false) = false AND "
    + ACCOUNT_IN_SCOPE
    + " RETURN a.id AS id"
)
LATEST_PLAN_IN_TX: Final = """
MATCH (a:Account {id: $accountId})-[:HAS_PLAN]->(p:Plan)
RETURN p {.*} AS plan ORDER BY p.period DESC LIMIT 1
"""
PLAN_EXISTS: Final = "MATCH (p:Plan {id: $id}) RETURN p.id AS id"
CREATE_PLAN: Final = """
MATCH (a:Account {id: $accountId})
MERGE (p:Plan {id: $id})
ON CREATE SET p += $fields, p.period = $period, p.status = 'ACTIVE', p.version = 1,
              p.createdAt = $now, p.updatedAt = $now, p.carriedFrom = $carriedFrom
MERGE (a)-[:HAS_PLAN]->(p)
WITH p
OPTIONAL MATCH (a2:Account {id: $accountId})-[:HAS_PLAN]->(old:Plan)
WHERE old.id <> p.id AND old.status = 'ACTIVE'
SET old.status = 'CLOSED'
RETURN p.id AS id
"""
ADD_REVISIONS: Final = """
UNWIND $revisions AS r
CREATE (v:PlanRevision)
SET v = r
WITH v
MATCH (p:Plan {id: v.planId})
CREATE (p)-[:HAS_REVISION]->(v)
RETURN count(v) AS n
"""


def plan_id(account_id: str, period: str) -> str:
    """One plan per account and period: the id says which."""
    return f"plan-{account_id}-{period}"


def _revisions(
    plan: str,
    actor: Actor,
    changes: dict[str, tuple[Any, Any]],
    at: datetime,
    note: str | None = None,
) -> list[dict[str, Any]]:
    return [
        {
            "id": new_id("rev"),
            "planId": plan,
            "at": at,
            "userId": actor.user_id,
            "username": actor.username,
            "field": name,
            "section": PLAN_FIELDS[name],
            "before": json.dumps(before),
            "after": json.dumps(after),
            "note": note,
        }
        for name, (before, after) in sorted(changes.items())
    ]


async def start_plan(
    db: Database,
    actor: Actor,
    scope: Scope,
    account_id: str,
    period: str,
    client_mutation_id: str | None,
) -> tuple[str, bool]:
    """Open the plan of a new period, carrying over the content of the latest one."""
    if not await db.read(ACCOUNT_IN_REACH, {"accountId": account_id, **scope.params()}):
        raise NotFound(f"account {account_id}")
    new = plan_id(account_id, period)

    async def work(tx: Transaction) -> str:
        if await tx.run(PLAN_EXISTS, {"id": new}):
            raise Rejected(f"the account already has a plan for {period}", field="period")
        latest = await tx.run(LATEST_PLAN_IN_TX, {"accountId": account_id})
        carried = {f: latest[0]["plan"].get(f) for f in PLAN_FIELDS} if latest else {}
        carried = {k: v for k, v in carried.items() if v is not None}
        now = datetime.now(UTC)
        await tx.run(
            CREATE_PLAN,
            {
                "accountId": account_id,
                "id": new,
                "fields": carried,
                "period": period,
                "now": now,
                "carriedFrom": latest[0]["plan"]["id"] if latest else None,
            },
        )
        source = latest[0]["plan"]["id"] if latest else None
        changes = {k: (None, v) for k, v in carried.items()}
        if changes:
            await tx.run(
                ADD_REVISIONS,
                {"revisions": _revisions(new, actor, changes, now, f"carried over from {source}")},
            )
        await audit_in(tx, actor, "plan.strategy", "Plan", new)
        return new

    return await once(db, actor, client_mutation_id, "startPlan", work)


PLAN_FOR_UPDATE: Final = (
    """
MATCH (p:Plan {id: $id})
MATCH (a:Account)-[:HAS_PLAN]->(p)
WHERE """
    + ACCOUNT_IN_SCOPE
    + PLAN_RETURN
)
# Taking the plan's write lock first: what is read after it is what the next writer will see,
# so two concurrent updates cannot both pass the version check.
LOCK_PLAN: Final = """
MATCH (a:Account)-[:HAS_PLAN]->(p:Plan {id: $id})
SET p.lockCount = coalesce(p.lockCount, 0) + 1
RETURN p {.*} AS plan, a.id AS accountId, a.segment AS segment
"""
SET_PLAN: Final = """
MATCH (p:Plan {id: $id})
SET p += $patch, p.version = coalesce(p.version, 1) + 1, p.updatedAt = $now
RETURN p.version AS version
"""


async def update_plan(
    db: Database,
    actor: Actor,
    scope: Scope,
    plan: str,
    readable: Sequence[str],
    expected_version: int,
    patch: dict[str, Any],
    client_mutation_id: str | None,
) -> tuple[str, bool]:
    """Change template fields (only those given), keeping each change as a revision.
    `expected_version` is the version as the caller sees it (the sections in `readable`)."""
    unknown = sorted(set(patch) - set(PLAN_FIELDS))
    if unknown:
        raise Rejected(f"unknown plan field {unknown[0]}", field=unknown[0])

    async def work(tx: Transaction) -> str:
        if not await tx.run(PLAN_FOR_UPDATE, {"id": plan, **scope.params()}):
            raise NotFound(f"plan {plan}")
        current = to_plan((await tx.run(LOCK_PLAN, {"id": plan}))[0])
        if current.status != "ACTIVE":
            raise Rejected(
                f"plan {current.period} is {current.status.lower()}; start or edit the current period's plan",
                field="planId",
            )
        seen = current.version_for(readable)
        if seen != expected_version:
            raise Conflict(f"plan {plan}", seen)
        changes = {
            k: (current.fields.get(k), v) for k, v in patch.items() if current.fields.get(k) != v
        }
        now = datetime.now(UTC)
        stamps: dict[str, Any] = {}
        for section in {PLAN_FIELDS[k] for k in changes}:
            count, changed = SECTION_STAMPS[section]
            stamps[count] = current.section_versions.get(section, 0) + 1
            stamps[changed] = now
        await tx.run(SET_PLAN, {"id": plan, "patch": {**patch, **stamps}, "now": now})
        if changes:
            await tx.run(ADD_REVISIONS, {"revisions": _revisions(plan, actor, changes, now)})
        for section in sorted({PLAN_FIELDS[k] for k in changes} or {"plan.strategy"}):
            await audit_in(tx, actor, section, "Plan", plan)
        return plan

    return await once(db, actor, client_mutation_id, "updatePlan", work)


@dataclass(frozen=True)
class RevisionRow:
    id: str
    at: datetime
    username: str | None
    field: str
    section: str
    before: Any
    after: Any
    note: str | None


# Revisions of sections the caller may not read never leave the database (no side channel).
REVISIONS: Final = """
MATCH (v:PlanRevision {planId: $planId})
WHERE v.section IN $sections AND ($until IS NULL OR v.at <= $until)
  AND ($before IS NULL OR v.at < $before OR (v.at = $before AND v.id < $beforeId))
RETURN v {.*} AS revision
ORDER BY v.at DESC, v.id DESC
LIMIT $limit
"""


def to_revision(r: dict[str, Any]) -> RevisionRow:
    return RevisionRow(
        id=r["id"],
        at=native(r["at"]),
        username=r.get("username"),
        field=r["field"],
        section=r["section"],
        before=json.loads(r["before"]) if r.get("before") else None,
        after=json.loads(r["after"]) if r.get("after") else None,
        note=r.get("note"),
    )


async def plan_history(
    db: Database,
    plan: str,
    sections: Sequence[str],
    first: int,
    before: tuple[datetime, str] | None,
) -> tuple[list[RevisionRow], bool]:
    """Revisions newest first, only of the given (readable) sections."""
    rows = await db.read(
        REVISIONS,
        {
            "planId": plan,
            "sections": list(sections),
            "until": None,
            "limit": first + 1,
            "before": before[0] if before else None,
            "beforeId": before[1] if before else None,
        },
    )
    revisions = [to_revision(r["revision"]) for r in rows]
    return revisions[:first], len(revisions) > first


@dataclass(frozen=True)
class FieldChange:
    field: str
    section: str
    before: Any
    after: Any
    changed_by: list[str]


async def plan_diff(
    db: Database, plan: str, sections: Sequence[str], since: datetime, until: datetime
) -> list[FieldChange]:
    """Each readable field whose value at `until` differs from its value at `since`."""
    rows = await db.read(
        REVISIONS,
        {
            "planId": plan,
            "sections": list(sections),
            "until": until,
            "limit": 100_000,
            "before": None,
            "beforeId": None,
        },
    )
    revisions = sorted((to_revision(r["revision"]) for r in rows), key=lambda v: (v.at, v.id))
    at_since: dict[str, Any] = {}
    at_until: dict[str, Any] = {}
    authors: dict[str, list[str]] = {}
    for v in revisions:
        if v.at <= since:
            at_since[v.field] = v.after
        at_until[v.field] = v.after
        if v.at > since and v.username and v.username not in authors.setdefault(v.field, []):
            authors[v.field].append(v.username)
    return [
        FieldChange(f, PLAN_FIELDS[f], at_since.get(f), at_until.get(f), authors.get(f, []))
        for f in PLAN_FIELDS
        if f in at_until and at_since.get(f) != at_until.get(f)
    ]


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
