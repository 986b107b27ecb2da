"""Action-plan items: owner, due date, status; read in the caller's reach, moved along."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from graph.convert import native_row
from graph.driver import Database, Transaction
from graph.errors import NotFound
from graph.scope import ACCOUNT_IN_SCOPE, Scope
from graph.writes import Actor, audit_in


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


ACTION_FIELDS: Final = """x {
  .id, .title, .status, .due, .version,
  ownerId: head([(x)-[:OWNED_BY]->(m:TeamMember) | m.id]),
  sourceId: head([(x)<-[:HAS_ACTION]-(s) | s.id]),
  accountId: head([(x)<-[:HAS_ACTION]-(:Review)<-[:REVIEWED_IN]-(:Plan)<-[:HAS_PLAN]-(ra:Account)
    | ra.id]
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


async def my_actions(db: Database, scope: Scope, statuses: Sequence[str] | None) -> list[ActionRow]:
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
