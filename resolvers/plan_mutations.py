"""Changing account plans: opening the plan of a new period, and patching template fields
under a version check, refused whole when a changed section is not the caller's to write."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auth.registry import property_sections, write_denied
from graph import plan_writes, plans
from resolvers.actor import actor_of
from resolvers.context import Info
from resolvers.plans import Plan, readable_sections
from resolvers.problems import (
    ConflictProblem,
    ForbiddenProblem,
    NotFoundProblem,
    ValidationProblem,
    attempt,
    from_validation,
)
from resolvers.sections import AUTHENTICATED, meta, sectioned

PERIOD = r"^[0-9]{4}(-(Q[1-4]|H[12]))?$"
Text = Annotated[str, Field(max_length=5000)]
Item = Annotated[str, Field(min_length=1, max_length=500)]


@strawberry.input(description="Fields of the plan to change; fields left out stay as they are.")
class PlanPatch:
    opportunities: list[str] | None = strawberry.UNSET
    threats: list[str] | None = strawberry.UNSET
    decision_process: str | None = strawberry.UNSET
    process_status: str | None = strawberry.UNSET
    leaders_view: str | None = strawberry.UNSET
    values_beliefs: str | None = strawberry.UNSET
    capabilities: str | None = strawberry.UNSET
    current_strategy: str | None = strawberry.UNSET
    future_strategy: str | None = strawberry.UNSET
    internal_processes: str | None = strawberry.UNSET
    share_of_wallet_goal: float | None = strawberry.UNSET
    share_of_wallet_actual: float | None = strawberry.UNSET
    revenue_goal: float | None = strawberry.UNSET
    margin_goal: float | None = strawberry.UNSET


class PlanPatchModel(BaseModel):
    """Validation of a plan patch; field names as the API spells them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    opportunities: list[Item] | None = Field(default=None, max_length=50)
    threats: list[Item] | None = Field(default=None, max_length=50)
    decisionProcess: Text | None = None
    processStatus: Text | None = None
    leadersView: Text | None = None
    valuesBeliefs: Text | None = None
    capabilities: Text | None = None
    currentStrategy: Text | None = None
    futureStrategy: Text | None = None
    internalProcesses: Text | None = None
    shareOfWalletGoal: float | None = Field(default=None, ge=0, le=1)
    shareOfWalletActual: float | None = Field(default=None, ge=0, le=1)
    revenueGoal: float | None = Field(default=None, ge=0, le=1e13)
    marginGoal: float | None = Field(default=None, ge=-1, le=1)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def patch_fields(patch: PlanPatch) -> dict[str, Any]:
    """Only the fields the caller sent, keyed by their API (and graph) names."""
    return {_camel(k): v for k, v in vars(patch).items() if v is not strawberry.UNSET}


@strawberry.input
class StartPlanInput:
    account_id: strawberry.ID
    period: str = strawberry.field(description="YYYY, YYYY-H1/H2 or YYYY-Q1..Q4.")
    client_mutation_id: str | None = None


class StartPlanModel(BaseModel):
    accountId: str = Field(min_length=1, max_length=200)
    period: str = Field(pattern=PERIOD)
    clientMutationId: str | None = Field(default=None, max_length=200)


@strawberry.input
class UpdatePlanInput:
    plan_id: strawberry.ID
    expected_version: int
    patch: PlanPatch
    client_mutation_id: str | None = None


@sectioned(AUTHENTICATED)
@strawberry.type(
    description="The plan as saved; `replayed` is true when this answers a retried request."
)
class PlanPayload:
    plan: Plan
    replayed: bool


PlanResult = Annotated[
    PlanPayload | ValidationProblem | NotFoundProblem | ConflictProblem | ForbiddenProblem,
    strawberry.union("PlanResult"),
]


async def _payload(info: Info, plan_id: str, replayed: bool) -> PlanPayload | NotFoundProblem:
    found = await plans.plans_by_ids(info.context.db, info.context.scope, [plan_id])
    if plan_id not in found:
        return NotFoundProblem(message=f"plan {plan_id} is out of your reach")
    return PlanPayload(plan=Plan.from_row(found[plan_id]), replayed=replayed)


@strawberry.type
class PlanMutations:
    @strawberry.field(
        metadata=meta("plan.strategy"),
        description="Open the plan of a new period, starting from the last one.",
    )
    async def start_plan(self, info: Info, input: StartPlanInput) -> PlanResult:
        try:
            model = StartPlanModel(
                accountId=str(input.account_id),
                period=input.period,
                clientMutationId=input.client_mutation_id,
            )
        except ValidationError as exc:
            return from_validation(exc)
        result = await attempt(
            plan_writes.start_plan(
                info.context.db,
                actor_of(info),
                info.context.scope,
                model.accountId,
                model.period,
                model.clientMutationId,
            )
        )
        if not isinstance(result, tuple):
            return result
        return await _payload(info, *result)

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Change plan fields; each changed section needs your write right, or nothing "
        "changes.",
    )
    async def update_plan(self, info: Info, input: UpdatePlanInput) -> PlanResult:
        fields = patch_fields(input.patch)
        try:
            model = PlanPatchModel.model_validate(fields)
        except ValidationError as exc:
            return from_validation(exc, prefix="patch")
        patch = {k: getattr(model, k) for k in fields}
        found = await plans.plans_by_ids(info.context.db, info.context.scope, [str(input.plan_id)])
        if str(input.plan_id) not in found:
            return NotFoundProblem(message=f"not found: plan {input.plan_id}")
        row = found[str(input.plan_id)]
        section = write_denied(
            lambda s: info.context.visibility.can_write(s, row),
            property_sections("PLAN", None, patch),
        )
        if section is not None:
            info.context.audit_reads.add((section, "Plan", row.id, "FORBIDDEN"))
            return ForbiddenProblem(message=f"your role may not change {section}", section=section)
        result = await attempt(
            plan_writes.update_plan(
                info.context.db,
                actor_of(info),
                info.context.scope,
                str(input.plan_id),
                readable_sections(info, row),
                input.expected_version,
                patch,
                input.client_mutation_id,
            )
        )
        if not isinstance(result, tuple):
            return result
        return await _payload(info, *result)
