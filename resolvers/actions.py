"""Action-plan items in the API: an owner, a due date and a status; the caller's own actions,
and moving one along (its owner, or anyone who may write reviews)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import strawberry

from graph import actions as graph_actions
from resolvers.actor import actor_of
from resolvers.context import Info
from resolvers.problems import (
    ConflictProblem,
    ForbiddenProblem,
    NotFoundProblem,
    ValidationProblem,
    attempt,
)
from resolvers.rows import of_row, reads
from resolvers.sections import AUTHENTICATED, meta, sectioned
from resolvers.team_types import TeamMember


@strawberry.enum
class ActionStatus(Enum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    DROPPED = "DROPPED"


@reads(
    source_id=lambda row: row.source_id or None,
    account_id=lambda row: row.account_id or None,
)
@sectioned(AUTHENTICATED)
@strawberry.type(
    description="An action-plan item: owner, due date, status (reached as its owner or through "
    "a review)."
)
class Action:
    id: strawberry.ID
    title: str
    status: str
    due: date | None
    version: int
    source_id: strawberry.ID | None
    account_id: strawberry.ID | None
    owner_id: strawberry.Private[str | None]

    @strawberry.field(metadata=meta("team.matrix"))
    async def owner(self, info: Info) -> TeamMember | None:
        if self.owner_id is None:
            return None
        row = await info.context.loaders.member_by_id.load(self.owner_id)
        return of_row(TeamMember, row) if row else None


@strawberry.input
class SetActionStatusInput:
    action_id: strawberry.ID
    status: ActionStatus
    expected_version: int


@sectioned(AUTHENTICATED)
@strawberry.type
class ActionPayload:
    action: Action


ActionResult = Annotated[
    ActionPayload | ValidationProblem | NotFoundProblem | ConflictProblem | ForbiddenProblem,
    strawberry.union("ActionResult"),
]


@strawberry.type
class ActionQueries:
    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Actions you own (optionally by status), soonest due first.",
    )
    async def my_actions(
        self, info: Info, status: list[ActionStatus] | None = None
    ) -> list[Action]:
        member = info.context.principal.member_id
        if member is None:
            return []
        rows = await graph_actions.my_actions(
            info.context.db, info.context.scope, [s.value for s in status] if status else None
        )
        return [of_row(Action, r) for r in rows]


@strawberry.type
class ActionMutations:
    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Move an action along; its owner or a reviewer may.",
    )
    async def set_action_status(self, info: Info, input: SetActionStatusInput) -> ActionResult:
        found = await graph_actions.actions_in_reach(
            info.context.db, info.context.scope, [str(input.action_id)]
        )
        row = found.get(str(input.action_id))
        if row is None:
            return NotFoundProblem(message=f"not found: action {input.action_id}")
        own = row.owner_id is not None and row.owner_id == info.context.principal.member_id
        if not own and not info.context.visibility.can_write("plan.reviews"):
            return ForbiddenProblem(
                message="only the action's owner or a reviewer may change it",
                section="plan.reviews",
            )
        result: Any = await attempt(
            graph_actions.set_action_status(
                info.context.db,
                actor_of(info),
                info.context.scope,
                str(input.action_id),
                input.status.value,
                input.expected_version,
            )
        )
        if not isinstance(result, str):
            return result  # type: ignore[no-any-return]
        updated = await graph_actions.actions_by_ids(info.context.db, [result])
        return ActionPayload(action=of_row(Action, updated[result]))
