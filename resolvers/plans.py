"""The account plan as a GraphQL type: the one template, each field in its need-to-know
section, with its version and last change as the caller sees them, and what it derives from
the graph (key contacts, projects, interactions). Reading and changing plans is in
resolvers/plan_queries.py and resolvers/plan_mutations.py."""

from __future__ import annotations

from datetime import datetime

import strawberry

from auth.registry import PLAN_FIELDS
from graph import plans
from graph.plans import PlanRow
from resolvers.context import Info
from resolvers.errors import NotFoundError
from resolvers.interaction_types import Interaction, interaction_page
from resolvers.org_types import Contact
from resolvers.project_types import Project
from resolvers.relay import Connection
from resolvers.rows import of_row
from resolvers.sections import AUTHENTICATED, meta, sectioned, tag
from resolvers.soon import Soon


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
        graphql_type=Connection[Interaction] | None,
    )
    def interactions(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Soon[Connection[Interaction]]:
        return interaction_page(
            info.context.loaders.interactions_by_account, str(self.account_id), first, after
        )


@sectioned("plan.strategy")
@strawberry.type(description="A person who matters to the plan and their buying roles.")
class KeyContact:
    contact: Contact = tag("contact.profile")
    roles: list[str]


def readable_sections(info: Info, plan: Plan | PlanRow) -> list[str]:
    """The template sections of this plan the caller may read."""
    return sorted({s for s in PLAN_FIELDS.values() if info.context.visibility.can_read(s, plan)})


async def plan_in_reach(info: Info, plan_id: str) -> PlanRow:
    """The plan if it is in the caller's reach; NOT_FOUND otherwise."""
    found = await plans.plans_by_ids(info.context.db, info.context.scope, [plan_id])
    if plan_id not in found:
        raise NotFoundError(f"no plan with id {plan_id}", argument="planId")
    return found[plan_id]
