"""Handing an account to a new account manager in the API: the move on a date, and the brief
the new manager reads on day one (open projects, moved actions and units, relationships and
who else knows each person, the current plan)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from graph import handover
from resolvers.actor import actor_of
from resolvers.context import Info
from resolvers.errors import Unauthenticated
from resolvers.plans import Plan
from resolvers.problems import (
    ConflictProblem,
    ForbiddenProblem,
    NotFoundProblem,
    ValidationProblem,
    attempt,
)
from resolvers.sections import AUTHENTICATED, meta, sectioned


@sectioned("team.matrix")
@strawberry.type(
    description="A relationship the leaving account manager had, and who else knows the person."
)
class HandoverRelationship:
    contact_id: strawberry.ID
    strength: float | None
    also_known_by: list[strawberry.ID]


@sectioned("team.matrix")
@strawberry.type(
    description="What a new account manager needs on day one: nothing is lost in the transition."
)
class HandoverBrief:
    account_id: strawberry.ID
    from_member_id: strawberry.ID
    to_member_id: strawberry.ID
    on: date
    open_project_ids: list[strawberry.ID]
    moved_action_ids: list[strawberry.ID]
    moved_mirror_unit_ids: list[strawberry.ID]
    relationships: list[HandoverRelationship]
    plan_id: strawberry.Private[str | None]

    @strawberry.field(metadata=meta(AUTHENTICATED), description="The full current plan.")
    async def plan(self, info: Info) -> Plan | None:
        from graph.plans import plans_by_ids

        if self.plan_id is None:
            return None
        found = await plans_by_ids(info.context.db, info.context.scope, [self.plan_id])
        return Plan.from_row(found[self.plan_id]) if self.plan_id in found else None


HandoverResult = Annotated[
    HandoverBrief | ValidationProblem | NotFoundProblem | ConflictProblem | ForbiddenProblem,
    strawberry.union("HandoverResult"),
]


@strawberry.type
class HandoverMutations:
    @strawberry.field(
        metadata=meta("team.matrix"),
        description="Hand an account to a new account manager on a date; returns the handover "
        "brief.",
    )
    async def handover_account(
        self,
        info: Info,
        account_id: strawberry.ID,
        to_team_member_id: strawberry.ID,
        on: date,
        from_team_member_id: strawberry.ID | None = None,
    ) -> HandoverResult:
        if info.context.principal.user_id is None:
            raise Unauthenticated("log in first")
        result = await attempt(
            handover.handover_account(
                info.context.db,
                actor_of(info),
                info.context.scope,
                str(account_id),
                str(to_team_member_id),
                on,
                str(from_team_member_id) if from_team_member_id else None,
            )
        )
        if not isinstance(result, handover.HandoverBrief):
            return result
        return HandoverBrief(
            account_id=strawberry.ID(result.account_id),
            from_member_id=strawberry.ID(result.from_member_id),
            to_member_id=strawberry.ID(result.to_member_id),
            on=result.on,
            open_project_ids=[strawberry.ID(p) for p in result.open_project_ids],
            moved_action_ids=[strawberry.ID(a) for a in result.moved_action_ids],
            moved_mirror_unit_ids=[strawberry.ID(u) for u in result.moved_mirror_unit_ids],
            relationships=[
                HandoverRelationship(
                    contact_id=strawberry.ID(c),
                    strength=s,
                    also_known_by=[strawberry.ID(o) for o in others],
                )
                for c, s, others in result.relationships
            ],
            plan_id=result.plan_id,
        )
