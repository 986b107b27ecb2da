"""Logging a contact moment in the API: when, by which channel, what was said, who took part
on both sides."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph import followup
from resolvers.actor import actor_of
from resolvers.context import Info
from resolvers.edge import as_utc
from resolvers.interaction_types import Interaction
from resolvers.problems import (
    ConflictProblem,
    ForbiddenProblem,
    NotFoundProblem,
    ValidationProblem,
    attempt,
    from_validation,
)
from resolvers.rows import of_row
from resolvers.sections import meta, sectioned

Short = Annotated[str, Field(min_length=1, max_length=300)]


@strawberry.input
class LogInteractionInput:
    account_id: strawberry.ID
    channel: str
    summary: str
    contact_ids: list[strawberry.ID]
    member_ids: list[strawberry.ID]
    at: datetime | None = None
    client_mutation_id: str | None = None


class LogInteractionModel(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    channel: Annotated[str, Field(pattern=r"^(MEETING|CALL|VIDEO|EMAIL|EVENT|OTHER)$")]
    summary: Annotated[str, Field(min_length=1, max_length=5000)]
    contactIds: list[Short] = Field(min_length=1, max_length=50)
    memberIds: list[Short] = Field(min_length=1, max_length=50)
    at: datetime


@sectioned("interactions")
@strawberry.type
class InteractionPayload:
    interaction: Interaction
    replayed: bool


InteractionResult = Annotated[
    InteractionPayload | ValidationProblem | NotFoundProblem | ConflictProblem | ForbiddenProblem,
    strawberry.union("InteractionResult"),
]


@strawberry.type
class InteractionMutations:
    @strawberry.field(
        metadata=meta("interactions"),
        description="Log a contact moment: when, channel, summary, who on both sides.",
    )
    async def log_interaction(self, info: Info, input: LogInteractionInput) -> InteractionResult:
        try:
            model = LogInteractionModel(
                channel=input.channel,
                summary=input.summary,
                contactIds=[str(c) for c in input.contact_ids],
                memberIds=[str(m) for m in input.member_ids],
                at=input.at or datetime.now(UTC),
            )
        except ValidationError as exc:
            return from_validation(exc)
        result = await attempt(
            followup.log_interaction(
                info.context.db,
                actor_of(info),
                info.context.scope,
                str(input.account_id),
                as_utc(model.at),
                model.channel,
                model.summary,
                model.contactIds,
                model.memberIds,
                input.client_mutation_id,
            )
        )
        if not isinstance(result, tuple):
            return result
        from graph.interactions import interactions_of_accounts

        rows = await interactions_of_accounts(info.context.db, [str(input.account_id)], 100, None)
        made = next(r for r in rows.get(str(input.account_id), []) if r.id == result[0])
        return InteractionPayload(interaction=of_row(Interaction, made), replayed=result[1])
