"""Writing plans: opening the plan of a new period from the last one, and changing template
fields under a version check, each change kept as a `PlanRevision`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from auth.registry import PLAN_FIELDS
from graph.driver import Database, Transaction
from graph.errors import NotFound
from graph.plans import PLAN_RETURN, SECTION_STAMPS, to_plan
from graph.scope import ACCOUNT_IN_SCOPE, Scope
from graph.writes import Actor, Conflict, Rejected, audit_in, new_id, once

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
                f"plan {current.period} is {current.status.lower()}; "
                "start or edit the current period's plan",
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
