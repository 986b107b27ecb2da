"""Reviews in the API: the MONTHLY, QUARTERLY and ANNUAL follow-up of a plan (findings, KPIs
against goals, changes with reasons, new actions), which reviews are due, and recording one.
KPIs and changes of sections the caller may not read are left out, and recording one needs the
write right of every section it touches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated

import strawberry
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auth.registry import kpi_section, review_sections, visible_kpis, write_denied
from graph import actions as graph_actions
from graph import followup
from graph.followup import ReviewRow
from resolvers.actions import Action
from resolvers.actor import actor_of
from resolvers.context import Info
from resolvers.edge import as_utc
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


@strawberry.enum
class ReviewKind(Enum):
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"
    ANNUAL = "ANNUAL"


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


@strawberry.type
class ReviewQueries:
    @strawberry.field(
        metadata=meta("plan.reviews"),
        description="Reviews due or overdue at `asOf` (default now) for the accounts you reach.",
    )
    async def due_reviews(self, info: Info, as_of: datetime | None = None) -> list[DueReview]:
        when = as_of or datetime.now(UTC)
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

    @strawberry.field(metadata=meta("plan.reviews"), description="Reviews of a plan, newest first.")
    async def reviews(self, info: Info, plan_id: strawberry.ID) -> list[Review]:
        from resolvers.plans import plan_in_reach

        await plan_in_reach(info, str(plan_id))
        found = await followup.reviews_of_plans(info.context.db, [str(plan_id)])
        return [
            Review.from_row(r, info.context.visibility.can_read)
            for r in found.get(str(plan_id), [])
        ]


@strawberry.type
class ReviewMutations:
    @strawberry.field(
        metadata=meta("plan.reviews"),
        description="Record a review: findings, KPIs against goals, changes with reasons, "
        "new actions.",
    )
    async def record_review(self, info: Info, input: RecordReviewInput) -> ReviewResult:
        try:
            model = RecordReviewModel(
                findings=input.findings,
                at=input.at or datetime.now(UTC),
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
