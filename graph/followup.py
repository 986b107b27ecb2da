"""Following up: reviews (monthly, quarterly, annual) with their new actions, and logged
interactions. Actions themselves are in `graph.actions`, the handover in `graph.handover`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from graph.convert import native, native_row
from graph.driver import Database, Transaction
from graph.errors import NotFound
from graph.scope import ACCOUNT_IN_SCOPE, Scope
from graph.writes import Actor, Rejected, audit_in, new_id, once

REVIEW_EVERY: Final = {"MONTHLY": 31, "QUARTERLY": 92, "ANNUAL": 366}
OPEN_ACTIONS: Final = ("OPEN", "IN_PROGRESS")


@dataclass(frozen=True)
class ReviewRow:
    id: str
    plan_id: str
    kind: str
    at: datetime
    findings: str | None
    kpis: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    action_ids: list[str]


PLAN_IN_REACH: Final = (
    """
MATCH (a:Account)-[:HAS_PLAN]->(p:Plan {id: $planId})
WHERE """
    + ACCOUNT_IN_SCOPE
    + " RETURN a.id AS accountId, p.status AS status"
)
MEMBERS_EXIST: Final = "MATCH (m:TeamMember) WHERE m.id IN $ids RETURN m.id AS id"
CREATE_REVIEW: Final = """
MATCH (p:Plan {id: $planId})
MERGE (r:Review {id: $id})
ON CREATE SET r.kind = $kind, r.at = $at, r.findings = $findings, r.kpis = $kpis,
              r.changes = $changes, r.createdAt = $now, r.version = 1
MERGE (p)-[:REVIEWED_IN]->(r)
RETURN r.id AS id
"""
CREATE_ACTIONS: Final = """
UNWIND $actions AS x
MATCH (src:Review {id: x.sourceId})
MATCH (m:TeamMember {id: x.ownerId})
MERGE (act:Action {id: x.id})
ON CREATE SET act.title = x.title, act.due = x.due, act.status = 'OPEN', act.version = 1,
              act.createdAt = $now, act.updatedAt = $now
MERGE (src)-[:HAS_ACTION]->(act)
MERGE (act)-[:OWNED_BY]->(m)
RETURN count(act) AS n
"""


async def _check_members(tx: Transaction, ids: Sequence[str], field: str) -> None:
    found = {r["id"] for r in await tx.run(MEMBERS_EXIST, {"ids": list(ids)})}
    for i, member in enumerate(ids):
        if member not in found:
            raise Rejected(f"no team member {member}", field=f"{field}[{i}]")


async def record_review(
    db: Database,
    actor: Actor,
    scope: Scope,
    plan_id: str,
    kind: str,
    at: datetime,
    findings: str,
    kpis: list[dict[str, Any]],
    changes: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    client_mutation_id: str | None,
) -> tuple[str, bool]:
    """Record a review with its KPIs against goals, the changes it makes and their reasons,
    and the actions it creates, all in one transaction."""

    async def work(tx: Transaction) -> str:
        if not await tx.run(PLAN_IN_REACH, {"planId": plan_id, **scope.params()}):
            raise NotFound(f"plan {plan_id}")
        await _check_members(tx, [a["ownerId"] for a in actions], "actions.ownerId")
        review = new_id("review")
        now = datetime.now(UTC)
        await tx.run(
            CREATE_REVIEW,
            {
                "planId": plan_id,
                "id": review,
                "kind": kind,
                "at": at,
                "findings": findings,
                "kpis": json.dumps(kpis),
                "changes": json.dumps(changes),
                "now": now,
            },
        )
        if actions:
            await tx.run(
                CREATE_ACTIONS,
                {
                    "now": now,
                    "actions": [{**a, "id": new_id("action"), "sourceId": review} for a in actions],
                },
            )
        await audit_in(tx, actor, "plan.reviews", "Review", review)
        return review

    return await once(db, actor, client_mutation_id, "recordReview", work)


REVIEWS_BY_IDS: Final = (
    """
MATCH (r:Review) WHERE r.id IN $ids
MATCH (a:Account)-[:HAS_PLAN]->(p:Plan)-[:REVIEWED_IN]->(r)
WHERE """
    + ACCOUNT_IN_SCOPE
    + """
RETURN r {.*, planId: p.id, actionIds: [(r)-[:HAS_ACTION]->(x:Action) | x.id]} AS review
"""
)
REVIEWS_OF_PLANS: Final = """
UNWIND $ids AS planId
MATCH (p:Plan {id: planId})
CALL (p) {
  MATCH (p)-[:REVIEWED_IN]->(r:Review)
  WHERE coalesce(r.archived, false) = false
  WITH p, r ORDER BY r.at DESC
  RETURN collect(r {.*, planId: p.id, actionIds: [(r)-[:HAS_ACTION]->(x:Action) | x.id]}) AS reviews
}
RETURN planId, reviews
"""


def to_review(r: dict[str, Any]) -> ReviewRow:
    r = native_row(r)
    return ReviewRow(
        id=r["id"],
        plan_id=r["planId"],
        kind=r["kind"],
        at=r["at"],
        findings=r.get("findings"),
        kpis=json.loads(r.get("kpis") or "[]"),
        changes=json.loads(r.get("changes") or "[]"),
        action_ids=sorted(r["actionIds"]),
    )


async def reviews_by_ids(db: Database, scope: Scope, ids: Sequence[str]) -> dict[str, ReviewRow]:
    rows = await db.read(REVIEWS_BY_IDS, {"ids": list(ids), **scope.params()})
    return {r["review"]["id"]: to_review(r["review"]) for r in rows}


async def reviews_of_plans(db: Database, ids: Sequence[str]) -> dict[str, list[ReviewRow]]:
    rows = await db.read(REVIEWS_OF_PLANS, {"ids": list(ids)})
    return {r["planId"]: [to_review(x) for x in r["reviews"]] for r in rows}


@dataclass(frozen=True)
class DueReview:
    account_id: str
    account_name: str
    plan_id: str
    kind: str
    last_at: datetime | None
    due_at: datetime
    overdue_days: int


LAST_REVIEWS: Final = (
    """
MATCH (a:Account)-[:HAS_PLAN]->(p:Plan {status: 'ACTIVE'})
WHERE coalesce(a.archived, false) = false AND """
    + ACCOUNT_IN_SCOPE
    + """
CALL (a) {
  OPTIONAL MATCH (a)-[:HAS_PLAN]->(:Plan)-[:REVIEWED_IN]->(r:Review)
  RETURN collect([r.kind, r.at]) AS reviews
}
RETURN a.id AS accountId, a.name AS accountName, p.id AS planId, p.createdAt AS planCreated, reviews
"""
)


async def due_reviews(db: Database, scope: Scope, as_of: datetime) -> list[DueReview]:
    """Reviews due or overdue at `as_of` for each reachable account with an active plan:
    monthly after 31 days, quarterly after 92, annual after 366 (since the last one, or the
    plan)."""
    due = []
    for row in await db.read(LAST_REVIEWS, {**scope.params()}):
        last: dict[str, datetime] = {}
        for kind, at in row["reviews"]:
            if kind is None:
                continue
            at = native(at)
            if kind not in last or at > last[kind]:
                last[kind] = at
        start = native(row["planCreated"]) or as_of
        for kind, days in REVIEW_EVERY.items():
            since = last.get(kind)
            due_at = (since or start) + timedelta(days=days)
            if due_at <= as_of:
                due.append(
                    DueReview(
                        row["accountId"],
                        row["accountName"],
                        row["planId"],
                        kind,
                        since,
                        due_at,
                        (as_of - due_at).days,
                    )
                )
    return sorted(due, key=lambda d: (-d.overdue_days, d.account_name, d.kind))


CONTACTS_OF_ACCOUNT: Final = """
MATCH (c:Contact)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(:Account {id: $accountId})
WHERE c.id IN $ids
RETURN c.id AS id
"""
CREATE_INTERACTION: Final = """
MATCH (a:Account {id: $accountId})
MERGE (i:Interaction {id: $id})
ON CREATE SET i.at = $at, i.channel = $channel, i.summary = $summary, i.createdAt = $now,
  i.version = 1
MERGE (i)-[:ABOUT]->(a)
WITH i
UNWIND $contactIds AS cid
MATCH (c:Contact {id: cid}) MERGE (i)-[:WITH]->(c)
WITH DISTINCT i
UNWIND $memberIds AS mid
MATCH (m:TeamMember {id: mid}) MERGE (i)-[:BY]->(m)
RETURN DISTINCT i.id AS id
"""


async def log_interaction(
    db: Database,
    actor: Actor,
    scope: Scope,
    account_id: str,
    at: datetime,
    channel: str,
    summary: str,
    contact_ids: Sequence[str],
    member_ids: Sequence[str],
    client_mutation_id: str | None,
) -> tuple[str, bool]:
    """Log a contact moment; every contact must work at the account, every member exist."""
    if not await db.read(
        "MATCH (a:Account {id: $accountId}) WHERE " + ACCOUNT_IN_SCOPE + " RETURN a.id AS id",
        {"accountId": account_id, **scope.params()},
    ):
        raise NotFound(f"account {account_id}")

    async def work(tx: Transaction) -> str:
        at_account = {
            r["id"]
            for r in await tx.run(
                CONTACTS_OF_ACCOUNT, {"accountId": account_id, "ids": list(contact_ids)}
            )
        }
        for i, cid in enumerate(contact_ids):
            if cid not in at_account:
                raise Rejected(
                    f"contact {cid} does not work at account {account_id}", field=f"contactIds[{i}]"
                )
        await _check_members(tx, member_ids, "memberIds")
        interaction = new_id("int")
        await tx.run(
            CREATE_INTERACTION,
            {
                "accountId": account_id,
                "id": interaction,
                "at": at,
                "channel": channel,
                "summary": summary,
                "contactIds": list(contact_ids),
                "memberIds": list(member_ids),
                "now": datetime.now(UTC),
            },
        )
        await audit_in(tx, actor, "interactions", "Interaction", interaction)
        return interaction

    return await once(db, actor, client_mutation_id, "logInteraction", work)
