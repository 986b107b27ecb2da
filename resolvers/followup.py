"""Reviews, actions, logged interactions and account handover in the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auth.registry import kpi_section, review_sections, visible_kpis, write_denied
from graph import actions as graph_actions
from graph import followup, handover
from graph.followup import ReviewRow
from resolvers.context import Info
from resolvers.edge import as_utc
from resolvers.errors import Unauthenticated
from resolvers.interaction_types import Interaction
from resolvers.plans import Plan, actor_of
from resolvers.problems import (
    ConflictProblem,
    ForbiddenProblem,
    NotFoundProblem,
    ValidationProblem,
    attempt,
    from_validation,
)
from resolvers.rows import of_row, reads
from resolvers.sections import AUTHENTICATED, meta, sectioned
from resolvers.team_types import TeamMember


@strawberry.enum
class ReviewKind(Enum):
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"
    ANNUAL = "ANNUAL"


@strawberry.enum
class ActionStatus(Enum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    DROPPED = "DROPPED"


@sectioned("plan.reviews")
@strawberry.type(description="A KPI against its goal.")
class Kpi:
    name: str
    actual: float | None
    goal: float | None


@sectioned("plan.reviews")
@strawberry.type(description="A change a review makes, and why.")
class ReviewChange:
    field: str
    change: str
    reason: str


@reads(
    source_id=lambda row: row.source_id or None,
    account_id=lambda row: row.account_id or None,
)
@sectioned(AUTHENTICATED)
@strawberry.type(
    description="An action-plan item: owner, due date, status "
    "(reached as its owner or through a review)."
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


@sectioned("plan.reviews")
@strawberry.type(description="A MONTHLY, QUARTERLY or ANNUAL follow-up of a plan.")
class Review:
    id: strawberry.ID
    plan_id: strawberry.ID
    kind: str
    at: datetime
    findings: str | None
    kpis: list[Kpi]
    changes: list[ReviewChange]
    action_ids: strawberry.Private[list[str]]

    @classmethod
    def from_row(cls, row: ReviewRow, can_read: Callable[[str], bool]) -> Review:
        """The review as a caller sees it: KPIs and changes of sections they may not read are
        left out (DERIVED in auth/registry.py)."""
        return cls(
            id=strawberry.ID(row.id),
            plan_id=strawberry.ID(row.plan_id),
            kind=row.kind,
            at=row.at,
            findings=row.findings,
            kpis=[
                Kpi(name=k["name"], actual=k.get("actual"), goal=k.get("goal"))
                for k in visible_kpis(can_read, row.kpis)
            ],
            changes=[
                ReviewChange(field=c["field"], change=c["change"], reason=c["reason"])
                for c in row.changes
                if can_read(kpi_section(c["field"]))
            ],
            action_ids=row.action_ids,
        )

    @strawberry.field
    async def actions(self, info: Info) -> list[Action]:
        found = await graph_actions.actions_by_ids(info.context.db, self.action_ids)
        return [of_row(Action, found[i]) for i in self.action_ids if i in found]


@sectioned("plan.reviews")
@strawberry.type(description="A review that is due (or overdue) for an account.")
class DueReview:
    account_id: strawberry.ID
    account_name: str
    plan_id: strawberry.ID
    kind: str
    last_at: datetime | None
    due_at: datetime
    overdue_days: int


@strawberry.input
class KpiInput:
    name: str
    actual: float | None = None
    goal: float | None = None


@strawberry.input
class ReviewChangeInput:
    field: str
    change: str
    reason: str


@strawberry.input
class NewActionInput:
    title: str
    owner_id: strawberry.ID
    due: date | None = None


@strawberry.input
class RecordReviewInput:
    plan_id: strawberry.ID
    kind: ReviewKind
    findings: str
    at: datetime | None = None
    kpis: list[KpiInput] = strawberry.field(default_factory=list)
    changes: list[ReviewChangeInput] = strawberry.field(default_factory=list)
    actions: list[NewActionInput] = strawberry.field(default_factory=list)
    client_mutation_id: str | None = None


Short = Annotated[str, Field(min_length=1, max_length=300)]


class _Kpi(BaseModel):
    name: Short
    actual: float | None = None
    goal: float | None = None


class _Change(BaseModel):
    field: Short
    change: Annotated[str, Field(min_length=1, max_length=2000)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class _Action(BaseModel):
    title: Short
    ownerId: Short
    due: date | None = None


class RecordReviewModel(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    findings: Annotated[str, Field(min_length=1, max_length=10000)]
    at: datetime
    kpis: list[_Kpi] = Field(max_length=50)
    changes: list[_Change] = Field(max_length=50)
    actions: list[_Action] = Field(max_length=50)


@sectioned("plan.reviews")
@strawberry.type
class ReviewPayload:
    review: Review
    replayed: bool


ReviewResult = Annotated[
    ReviewPayload | ValidationProblem | NotFoundProblem | ConflictProblem | ForbiddenProblem,
    strawberry.union("ReviewResult"),
]


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


def _now() -> datetime:
    return datetime.now(UTC)


@strawberry.type
class FollowupQueries:
    @strawberry.field(
        metadata=meta("plan.reviews"),
        description="Reviews due or overdue at `asOf` (default now) for the accounts you reach.",
    )
    async def due_reviews(self, info: Info, as_of: datetime | None = None) -> list[DueReview]:
        when = as_of or _now()
        rows = await followup.due_reviews(info.context.db, info.context.scope, as_utc(when))
        return [
            DueReview(
                account_id=strawberry.ID(r.account_id),
                account_name=r.account_name,
                plan_id=strawberry.ID(r.plan_id),
                kind=r.kind,
                last_at=r.last_at,
                due_at=r.due_at,
                overdue_days=r.overdue_days,
            )
            for r in rows
        ]

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

    @strawberry.field(metadata=meta("plan.reviews"), description="Reviews of a plan, newest first.")
    async def reviews(self, info: Info, plan_id: strawberry.ID) -> list[Review]:
        from resolvers.plans import _plan_in_reach

        await _plan_in_reach(info, str(plan_id))
        found = await followup.reviews_of_plans(info.context.db, [str(plan_id)])
        return [
            Review.from_row(r, info.context.visibility.can_read)
            for r in found.get(str(plan_id), [])
        ]


@strawberry.type
class FollowupMutations:
    @strawberry.field(
        metadata=meta("plan.reviews"),
        description="Record a review: findings, KPIs against goals, changes with reasons, new "
        "actions.",
    )
    async def record_review(self, info: Info, input: RecordReviewInput) -> ReviewResult:
        try:
            model = RecordReviewModel(
                findings=input.findings,
                at=input.at or _now(),
                kpis=[vars(k) for k in input.kpis],
                changes=[vars(c) for c in input.changes],
                actions=[
                    {"title": a.title, "ownerId": str(a.owner_id), "due": a.due}
                    for a in input.actions
                ],
            )
        except ValidationError as exc:
            return from_validation(exc)
        sections = review_sections([k.name for k in model.kpis], [c.field for c in model.changes])
        if denied := write_denied(info.context.visibility.can_write, sections):
            info.context.audit_reads.add((denied, "Review", str(input.plan_id), "FORBIDDEN"))
            return ForbiddenProblem(message=f"your role may not change {denied}", section=denied)
        result = await attempt(
            followup.record_review(
                info.context.db,
                actor_of(info),
                info.context.scope,
                str(input.plan_id),
                input.kind.value,
                as_utc(model.at),
                model.findings,
                [k.model_dump() for k in model.kpis],
                [c.model_dump() for c in model.changes],
                [a.model_dump() for a in model.actions],
                input.client_mutation_id,
            )
        )
        if not isinstance(result, tuple):
            return result
        found = await followup.reviews_by_ids(info.context.db, info.context.scope, [result[0]])
        return ReviewPayload(
            review=Review.from_row(found[result[0]], info.context.visibility.can_read),
            replayed=result[1],
        )

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
                at=input.at or _now(),
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
