"""Handing an account over to a new account manager, ending in a brief for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from graph.driver import Database, Transaction
from graph.errors import NotFound
from graph.followup import MEMBERS_EXIST, OPEN_ACTIONS
from graph.scope import ACCOUNT_IN_SCOPE, Scope
from graph.writes import Actor, Rejected, audit_in


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
RETURN old.id AS id,
       EXISTS { MATCH (old)-[:MIRRORS]->(:ClientUnit {level: 'GLOBAL'})<-[:HAS_UNIT]-(a) } AS lead
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
MATCH (a:Account {id: $accountId})-[:HAS_UNIT]->(u:ClientUnit)
      <-[mr:MIRRORS]-(old:TeamMember {id: $fromId})
MATCH (new:TeamMember {id: $toId})
DELETE mr
MERGE (new)-[:MIRRORS]->(u)
RETURN u.id AS id
"""
MOVE_ACTIONS: Final = """
MATCH (a:Account {id: $accountId})-[:HAS_PLAN]->(:Plan)-[:REVIEWED_IN]->(:Review)
      -[:HAS_ACTION]->(x:Action)-[o:OWNED_BY]->(old:TeamMember {id: $fromId})
WHERE x.status IN $open
MATCH (new:TeamMember {id: $toId})
DELETE o
MERGE (x)-[:OWNED_BY]->(new)
RETURN x.id AS id
"""
BRIEF: Final = """
MATCH (a:Account {id: $accountId})
RETURN head([(a)-[:HAS_PLAN]->(p:Plan) WHERE p.status = 'ACTIVE' | p.id]) AS planId,
       [(a)-[:HAS_PROJECT]->(pr:Project) WHERE coalesce(pr.status, 'OPEN') = 'OPEN' | pr.id]
         AS projects,
       [(a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)
          <-[k:KNOWS]-(:TeamMember {id: $fromId})
         | [c.id, k.strength, [(c)<-[:KNOWS]-(o:TeamMember) WHERE o.id <> $fromId | o.id]]]
         AS relationships
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
