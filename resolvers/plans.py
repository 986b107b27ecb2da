"""The account plan in the API: the one template, its history and diffs, completeness,
and the mutations that keep it current (start a period, update fields)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auth.registry import PLAN_FIELDS, property_sections, write_denied
from graph import plans
from graph.plans import PlanRow
from graph.writes import Actor
from resolvers.context import Info
from resolvers.edge import as_utc
from resolvers.errors import InvalidInput, NotFoundError
from resolvers.interaction_types import Interaction, interaction_page
from resolvers.org_types import Contact
from resolvers.problems import (
    ConflictProblem,
    ForbiddenProblem,
    NotFoundProblem,
    ValidationProblem,
    attempt,
    from_validation,
)
from resolvers.project_types import Project
from resolvers.relay import (
    Connection,
    check_first,
    connection_of,
    decode_cursor,
)
from resolvers.rows import of_row
from resolvers.sections import AUTHENTICATED, meta, sectioned, tag

PERIOD = r"^[0-9]{4}(-(Q[1-4]|H[12]))?$"
Text = Annotated[str, Field(max_length=5000)]
Item = Annotated[str, Field(min_length=1, max_length=500)]


def actor_of(info: Info) -> Actor:
    p = info.context.principal
    return Actor(
        user_id=p.user_id,
        username=p.username,
        request_id=info.context.request_id,
        role=sorted(p.roles)[0].value if p.roles else None,
    )


@sectioned(AUTHENTICATED)
@strawberry.type(description="An account plan for one period: the same template for every account.")
class Plan:
    id: strawberry.ID
    account_id: strawberry.ID
    period: str
    status: str
    created_at: datetime | None
    opportunities: list[str] | None = tag(
        "competition", description="(a) Opportunities in the competitive environment."
    )
    threats: list[str] | None = tag(
        "competition", description="(a) Threats in the competitive environment."
    )
    decision_process: str | None = tag("plan.strategy", description="(b) How the client decides.")
    process_status: str | None = tag(
        "plan.strategy", description="(c) Status of ongoing processes and negotiations."
    )
    leaders_view: str | None = tag(
        "plan.strategy",
        description="(d) How the client's leaders see the market, rivals, themselves.",
    )
    values_beliefs: str | None = tag("plan.strategy", description="(e) Values and beliefs.")
    capabilities: str | None = tag("plan.strategy", description="(f) Capabilities.")
    current_strategy: str | None = tag("plan.strategy", description="(g) Current strategy.")
    future_strategy: str | None = tag("plan.strategy", description="(g) Future strategy.")
    internal_processes: str | None = tag("plan.strategy", description="(h) Internal processes.")
    share_of_wallet_goal: float | None = tag(
        "plan.share_of_wallet", description="Goal of our share of the client's spend (0..1)."
    )
    share_of_wallet_actual: float | None = tag(
        "plan.share_of_wallet", description="Our share today (0..1)."
    )
    revenue_goal: float | None = tag("plan.financial_goals")
    margin_goal: float | None = tag("plan.financial_goals", description="Margin goal (0..1).")
    segment: strawberry.Private[str | None]
    row: strawberry.Private[PlanRow]

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Send it back as `expectedVersion` when you update. It counts the changes "
        "of the sections you may read.",
    )
    def version(self, info: Info) -> int:
        return self.row.version_for(readable_sections(info, self.row))

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="The last change of a section you may read (the plan's start when none).",
    )
    def updated_at(self, info: Info) -> datetime | None:
        return self.row.updated_for(readable_sections(info, self.row))

    @classmethod
    def from_row(cls, row: PlanRow) -> Plan:
        f = row.fields
        return cls(
            id=strawberry.ID(row.id),
            account_id=strawberry.ID(row.account_id),
            period=row.period,
            status=row.status,
            created_at=row.created_at,
            row=row,
            opportunities=f.get("opportunities"),
            threats=f.get("threats"),
            decision_process=f.get("decisionProcess"),
            process_status=f.get("processStatus"),
            leaders_view=f.get("leadersView"),
            values_beliefs=f.get("valuesBeliefs"),
            capabilities=f.get("capabilities"),
            current_strategy=f.get("currentStrategy"),
            future_strategy=f.get("futureStrategy"),
            internal_processes=f.get("internalProcesses"),
            share_of_wallet_goal=f.get("shareOfWalletGoal"),
            share_of_wallet_actual=f.get("shareOfWalletActual"),
            revenue_goal=f.get("revenueGoal"),
            margin_goal=f.get("marginGoal"),
            segment=row.segment,
        )

    @strawberry.field(
        metadata=meta("plan.strategy"),
        description="(b) Decision makers, influencers, champions and blockers, from the graph.",
    )
    async def key_contacts(self, info: Info) -> list[KeyContact] | None:
        projects_ = await info.context.loaders.projects_by_account.load(str(self.account_id))
        roles: dict[str, set[str]] = {}
        for p in projects_:
            for contact_id, role in p.buying_centre:
                roles.setdefault(contact_id, set()).add(role)
        people = await info.context.loaders.contact_by_id.load_many(sorted(roles))
        return [
            KeyContact(contact=of_row(Contact, c), roles=sorted(roles[c.id])) for c in people if c
        ]

    @strawberry.field(
        metadata=meta("projects"),
        description="Open projects of the account by kind: ATTACK, DEFEND, PROGRESSIVE.",
    )
    async def projects(self, info: Info, kind: str | None = None) -> list[Project] | None:
        rows = await info.context.loaders.projects_by_account.load(str(self.account_id))
        return [
            of_row(Project, p)
            for p in rows
            if (kind is None or p.kind == kind) and (p.status or "OPEN") == "OPEN"
        ]

    @strawberry.field(
        metadata=meta("interactions"),
        description="(i) The history of all interactions (derived, never typed twice).",
    )
    async def interactions(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Interaction] | None:

        return await interaction_page(
            info.context.loaders.interactions_by_account, str(self.account_id), first, after
        )


@sectioned("plan.strategy")
@strawberry.type(description="A person who matters to the plan and their buying roles.")
class KeyContact:
    contact: Contact = tag("contact.profile")
    roles: list[str]


@sectioned(AUTHENTICATED)
@strawberry.type(description="One kept change of a plan field: who, when, before and after.")
class PlanRevision:
    id: strawberry.ID
    at: datetime
    username: str | None
    field: str
    section: str
    before: strawberry.scalars.JSON | None
    after: strawberry.scalars.JSON | None
    note: str | None


@sectioned(AUTHENTICATED)
@strawberry.type(
    description="A field that differs between two points in time, and who changed it in between."
)
class PlanFieldChange:
    field: str
    section: str
    before: strawberry.scalars.JSON | None
    after: strawberry.scalars.JSON | None
    changed_by: list[str]


@sectioned(AUTHENTICATED)
@strawberry.type(description="Whether a template field is filled, and whether it has gone stale.")
class PlanSectionState:
    field: str
    section: str
    filled: bool
    stale: bool
    last_changed: datetime | None


@sectioned(AUTHENTICATED)
@strawberry.type(description="How complete the account's current plan is, so comparisons are fair.")
class PlanCompleteness:
    plan_id: strawberry.ID
    period: str
    score: float = strawberry.field(
        description="Share of the fields you can see that are filled and not stale."
    )
    fields: list[PlanSectionState]


def readable_sections(info: Info, plan: Plan | PlanRow) -> list[str]:
    return sorted({s for s in PLAN_FIELDS.values() if info.context.visibility.can_read(s, plan)})


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
class PlanQueries:
    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="The account's plan for a period (default: the latest).",
    )
    async def plan(
        self, info: Info, account_id: strawberry.ID, period: str | None = None
    ) -> Plan | None:
        row = await plans.plan_of_account(
            info.context.db, info.context.scope, str(account_id), period
        )
        if row is None:
            raise NotFoundError(
                f"no plan for account {account_id}" + (f" and period {period}" if period else ""),
                argument="accountId",
            )
        return Plan.from_row(row)

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Kept changes of a plan, newest first (only sections you may read).",
    )
    async def plan_history(
        self, info: Info, plan_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> Connection[PlanRevision]:
        check_first(first)
        plan = await _plan_in_reach(info, str(plan_id))
        key = decode_cursor(after, 2, dated=True)
        before = (datetime.fromisoformat(key[0]), key[1]) if key else None
        rows, more = await plans.plan_history(
            info.context.db, str(plan_id), readable_sections(info, plan), first, before
        )
        revisions = [
            PlanRevision(
                id=strawberry.ID(r.id),
                at=r.at,
                username=r.username,
                field=r.field,
                section=r.section,
                before=r.before,
                after=r.after,
                note=r.note,
            )
            for r in rows
        ]
        return connection_of(revisions, [(r.at.isoformat(), r.id) for r in revisions], more)

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="What changed between two dates or two reviews (fields you may read).",
    )
    async def plan_diff(
        self,
        info: Info,
        plan_id: strawberry.ID,
        since: datetime | None = None,
        until: datetime | None = None,
        from_review_id: strawberry.ID | None = None,
        to_review_id: strawberry.ID | None = None,
    ) -> list[PlanFieldChange]:
        plan = await _plan_in_reach(info, str(plan_id))
        start = await _moment(info, since, from_review_id, "since")
        end = (
            await _moment(info, until, to_review_id, "until")
            if (until or to_review_id)
            else datetime.now(UTC)
        )
        if start > end:
            raise InvalidInput("'since' must not be after 'until'", argument="since")
        changes = await plans.plan_diff(
            info.context.db, str(plan_id), readable_sections(info, plan), start, end
        )
        return [
            PlanFieldChange(
                field=c.field,
                section=c.section,
                before=c.before,
                after=c.after,
                changed_by=c.changed_by,
            )
            for c in changes
        ]

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="Which fields of the account's current plan are empty or stale.",
    )
    async def plan_completeness(
        self, info: Info, account_id: strawberry.ID
    ) -> PlanCompleteness | None:
        found = await plans.plan_completeness(info.context.db, info.context.scope, str(account_id))
        if found is None:
            raise NotFoundError(f"no plan for account {account_id}", argument="accountId")
        plan, states = found
        visible = set(readable_sections(info, plan))
        shown = [s for s in states if s.section in visible]
        good = sum(1 for s in shown if s.filled and not s.stale)
        return PlanCompleteness(
            plan_id=strawberry.ID(plan.id),
            period=plan.period,
            score=round(good / len(shown), 4) if shown else 0.0,
            fields=[
                PlanSectionState(
                    field=s.field,
                    section=s.section,
                    filled=s.filled,
                    stale=s.stale,
                    last_changed=s.last_changed,
                )
                for s in shown
            ],
        )


async def _plan_in_reach(info: Info, plan_id: str) -> PlanRow:
    found = await plans.plans_by_ids(info.context.db, info.context.scope, [plan_id])
    if plan_id not in found:
        raise NotFoundError(f"no plan with id {plan_id}", argument="planId")
    return found[plan_id]


async def _moment(
    info: Info, at: datetime | None, review_id: strawberry.ID | None, argument: str
) -> datetime:
    if at is not None and review_id is not None:
        raise InvalidInput(f"give either '{argument}' or a review id, not both", argument=argument)
    if review_id is not None:
        from graph.followup import reviews_by_ids

        found = await reviews_by_ids(info.context.db, info.context.scope, [str(review_id)])
        if str(review_id) not in found:
            raise NotFoundError(f"no review with id {review_id}", argument=argument)
        return found[str(review_id)].at
    if at is None:
        raise InvalidInput(f"'{argument}' (or a review id) is required", argument=argument)
    return as_utc(at)


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
            plans.start_plan(
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
            plans.update_plan(
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
