"""Following up: reviews (monthly, quarterly, annual), actions, logged interactions, handover."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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


@dataclass(frozen=True)
class ActionRow:
    id: str
    title: str
    status: str
    due: date | None
    owner_id: str | None
    source_id: str | None
    account_id: str | None
    version: int


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
    monthly after 31 days, quarterly after 92, annual after 366 (since the last one, or the plan)."""
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


ACTION_FIELDS: Final = """x {
  .id, .title, .status, .due, .version,
  ownerId: head([(x)-[:OWNED_BY]->(m:TeamMember) | m.id]),
  sourceId: head([(x)<-[:HAS_ACTION]-(s) | s.id]),
  accountId: head([(x)<-[:HAS_ACTION]-(:Review)<-[:REVIEWED_IN]-(:Plan)<-[:HAS_PLAN]-(ra:Account) | ra.id]
             + [(x)<-[:HAS_ACTION]-(:Plan)<-[:HAS_PLAN]-(pa:Account) | pa.id])
}"""


def to_action(r: dict[str, Any]) -> ActionRow:
    r = native_row(r)
    return ActionRow(
        id=r["id"],
        title=r["title"],
        status=r["status"],
        due=r.get("due"),
        owner_id=r.get("ownerId"),
        source_id=r.get("sourceId"),
        account_id=r.get("accountId"),
        version=int(r.get("version", 1)),
    )


ACTIONS_BY_IDS: Final = "MATCH (x:Action) WHERE x.id IN $ids RETURN " + ACTION_FIELDS + " AS action"
# The account an action `x` belongs to, through its plan or its plan's review, as `a`.
ACTION_ACCOUNT: Final = """CALL (x) {
  MATCH (x)<-[:HAS_ACTION]-(:Review)<-[:REVIEWED_IN]-(:Plan)<-[:HAS_PLAN]-(ra:Account)
  RETURN ra AS a
  UNION
  MATCH (x)<-[:HAS_ACTION]-(:Plan)<-[:HAS_PLAN]-(pa:Account)
  RETURN pa AS a
}
"""
# Only actions of accounts in the caller's reach: an owner who left the team no longer sees
# the account's actions (and an id out of reach answers like a missing one).
ACTIONS_IN_REACH: Final = (
    "MATCH (x:Action) WHERE x.id IN $ids "
    + ACTION_ACCOUNT
    + "WITH DISTINCT x, a WHERE "
    + ACCOUNT_IN_SCOPE
    + " RETURN "
    + ACTION_FIELDS
    + " AS action"
)
MY_ACTIONS: Final = (
    """
MATCH (x:Action)-[:OWNED_BY]->(:TeamMember {id: $memberId})
WHERE ($statuses IS NULL OR x.status IN $statuses) AND coalesce(x.archived, false) = false
"""
    + ACTION_ACCOUNT
    + "WITH DISTINCT x, a WHERE "
    + ACCOUNT_IN_SCOPE
    + """
RETURN """
    + ACTION_FIELDS
    + """ AS action
ORDER BY x.due, x.id
"""
)


async def actions_by_ids(db: Database, ids: Sequence[str]) -> dict[str, ActionRow]:
    rows = await db.read(ACTIONS_BY_IDS, {"ids": list(ids)})
    return {r["action"]["id"]: to_action(r["action"]) for r in rows}


async def actions_in_reach(db: Database, scope: Scope, ids: Sequence[str]) -> dict[str, ActionRow]:
    """Actions by id, of accounts in the caller's reach."""
    rows = await db.read(ACTIONS_IN_REACH, {"ids": list(ids), **scope.params()})
    return {r["action"]["id"]: to_action(r["action"]) for r in rows}


async def my_actions(
    db: Database, scope: Scope, statuses: Sequence[str] | None
) -> list[ActionRow]:
    """The caller's own actions on accounts in their reach."""
    rows = await db.read(
        MY_ACTIONS, {**scope.params(), "statuses": list(statuses) if statuses else None}
    )
    return [to_action(r["action"]) for r in rows]


ACTION_IN_REACH: Final = (
    """
MATCH (x:Action {id: $id})
CALL (x) {
  MATCH (x)<-[:HAS_ACTION]-(:Review)<-[:REVIEWED_IN]-(:Plan)<-[:HAS_PLAN]-(ra:Account)
  RETURN ra AS a
  UNION
  MATCH (x)<-[:HAS_ACTION]-(:Plan)<-[:HAS_PLAN]-(pa:Account)
  RETURN pa AS a
}
WITH x, a WHERE """
    + ACCOUNT_IN_SCOPE
    + " RETURN x.version AS version"
)
SET_ACTION_STATUS: Final = """
MATCH (x:Action {id: $id}) WHERE x.version = $expectedVersion
SET x.status = $status, x.version = x.version + 1, x.updatedAt = $now,
    x.doneAt = CASE WHEN $status = 'DONE' THEN $now ELSE null END
RETURN x.id AS id
"""


async def set_action_status(
    db: Database, actor: Actor, scope: Scope, action_id: str, status: str, expected_version: int
) -> str:
    """Move an action along (OPEN, IN_PROGRESS, DONE, DROPPED); stale versions conflict."""
    from graph.writes import Conflict

    async def work(tx: Transaction) -> str:
        found = await tx.run(ACTION_IN_REACH, {"id": action_id, **scope.params()})
        if not found:
            raise NotFound(f"action {action_id}")
        if int(found[0]["version"] or 1) != expected_version:
            raise Conflict(f"action {action_id}", int(found[0]["version"] or 1))
        await tx.run(
            SET_ACTION_STATUS,
            {
                "id": action_id,
                "status": status,
                "expectedVersion": expected_version,
                "now": datetime.now(UTC),
            },
        )
        await audit_in(tx, actor, "plan.reviews", "Action", action_id)
        return action_id

    return await db.write_transaction(work)


CONTACTS_OF_ACCOUNT: Final = """
MATCH (c:Contact)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(:Account {id: $accountId})
WHERE c.id IN $ids
RETURN c.id AS id
"""
CREATE_INTERACTION: Final = """
MATCH (a:Account {id: $accountId})
MERGE (i:Interaction {id: $id})
ON CREATE SET i.at = $at, i.channel = $channel, i.summary = $summary, i.createdAt = $now, i.version = 1
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


@dataclass(frozen=True)
class HandoverBrief:
    account_id: str
    from_member_id: str
    to_member_id: str
    on: date
    plan_id: str | None
    open_project_ids: list[str]
    moved_action_ids: list[str]
    moved_mirror_unit_ids: list[str]
    relationships: list[tuple[str, float | None, list[str]]]  # (contact, strength, others who know)


HANDOVER_FROM: Final = (
    """
MATCH (a:Account {id: $accountId})<-[t:ON_TEAM]-(old:TeamMember)
WHERE t.role = 'ACCOUNT_MANAGER' AND t.from <= $on AND (t.until IS NULL OR t.until >= $on)
  AND ($fromId IS NULL OR old.id = $fromId) AND old.id <> $toId AND """
    + ACCOUNT_IN_SCOPE
    + """
RETURN old.id AS id, EXISTS { MATCH (old)-[:MIRRORS]->(:ClientUnit {level: 'GLOBAL'})<-[:HAS_UNIT]-(a) } AS lead
ORDER BY lead DESC, id
LIMIT 1
"""
)
HANDOVER: Final = """
MATCH (a:Account {id: $accountId})<-[t:ON_TEAM]-(old:TeamMember {id: $fromId})
WHERE t.role = 'ACCOUNT_MANAGER'
MATCH (new:TeamMember {id: $toId})
SET t.until = $lastDay
MERGE (new)-[t2:ON_TEAM]->(a)
SET t2.role = 'ACCOUNT_MANAGER', t2.from = $on, t2.until = null
WITH a, old, new
RETURN old.id AS id
"""
MOVE_MIRRORS: Final = """
MATCH (a:Account {id: $accountId})-[:HAS_UNIT]->(u:ClientUnit)<-[mr:MIRRORS]-(old:TeamMember {id: $fromId})
MATCH (new:TeamMember {id: $toId})
DELETE mr
MERGE (new)-[:MIRRORS]->(u)
RETURN u.id AS id
"""
MOVE_ACTIONS: Final = """
MATCH (a:Account {id: $accountId})-[:HAS_PLAN]->(:Plan)-[:REVIEWED_IN]->(:Review)-[:HAS_ACTION]->(x:Action)
      -[o:OWNED_BY]->(old:TeamMember {id: $fromId})
WHERE x.status IN $open
MATCH (new:TeamMember {id: $toId})
DELETE o
MERGE (x)-[:OWNED_BY]->(new)
RETURN x.id AS id
"""
BRIEF: Final = """
MATCH (a:Account {id: $accountId})
RETURN head([(a)-[:HAS_PLAN]->(p:Plan) WHERE p.status = 'ACTIVE' | p.id]) AS planId,
       [(a)-[:HAS_PROJECT]->(pr:Project) WHERE coalesce(pr.status, 'OPEN') = 'OPEN' | pr.id] AS projects,
       [(a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)<-[k:KNOWS]-(:TeamMember {id: $fromId})
         | [c.id, k.strength, [(c)<-[:KNOWS]-(o:TeamMember) WHERE o.id <> $fromId | o.id]]] AS relationships
"""


async def handover_account(
    db: Database,
    actor: Actor,
    scope: Scope,
    account_id: str,
    to_member_id: str,
    on: date,
    from_member_id: str | None,
) -> HandoverBrief:
    """End the account manager's window the day before `on`, open the successor's on `on`,
    move their mirrored units and open actions, and brief the successor."""

    async def work(tx: Transaction) -> HandoverBrief:
        if not await tx.run(MEMBERS_EXIST, {"ids": [to_member_id]}):
            raise Rejected(f"no team member {to_member_id}", field="toTeamMemberId")
        found = await tx.run(
            HANDOVER_FROM,
            {
                "accountId": account_id,
                "on": on,
                "fromId": from_member_id,
                "toId": to_member_id,
                **scope.params(),
            },
        )
        if not found:
            reach = await tx.run(
                "MATCH (a:Account {id: $accountId}) WHERE "
                + ACCOUNT_IN_SCOPE
                + " RETURN a.id AS id",
                {"accountId": account_id, **scope.params()},
            )
            if not reach:
                raise NotFound(f"account {account_id}")
            raise Rejected(
                f"no account manager other than {to_member_id} holds the account on {on}",
                field="on",
            )
        old = str(found[0]["id"])
        params = {"accountId": account_id, "fromId": old, "toId": to_member_id}
        await tx.run(HANDOVER, {**params, "on": on, "lastDay": on - timedelta(days=1)})
        units = [r["id"] for r in await tx.run(MOVE_MIRRORS, params)]
        actions = [
            r["id"] for r in await tx.run(MOVE_ACTIONS, {**params, "open": list(OPEN_ACTIONS)})
        ]
        brief = (await tx.run(BRIEF, {"accountId": account_id, "fromId": old}))[0]
        await audit_in(tx, actor, "team.matrix", "Account", account_id)
        return HandoverBrief(
            account_id=account_id,
            from_member_id=old,
            to_member_id=to_member_id,
            on=on,
            plan_id=brief["planId"],
            open_project_ids=sorted(brief["projects"]),
            moved_action_ids=sorted(set(actions)),
            moved_mirror_unit_ids=sorted(set(units)),
            relationships=sorted(
                ((r[0], r[1], sorted(r[2])) for r in brief["relationships"]),
                key=lambda r: -(r[1] or 0),
            ),
        )

    return await db.write_transaction(work)
