"""Accounts as GraphQL types: a key account with the lists under it, and competitors'
positions at it.

An account found by `account(id)` or on a portfolio page carries the lists that query brought
(`Account.lists`, an `AccountLists`); each field reads its list there when it answers the
field's arguments, else its loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from graph.contacts import ContactRow
from graph.org import UnitRow
from graph.plans import PlanRow
from graph.projects import ProjectRow, ProjectsWanted
from graph.team import MembershipRow
from resolvers.changes import JobChange, SyncConflict, job_changes_of, sync_conflicts_of
from resolvers.context import Info
from resolvers.interaction_types import Interaction, interaction_page
from resolvers.lists import Page, Prefetched, named_connection, node_id, page_of
from resolvers.org_types import ClientUnit, Contact, contact_page
from resolvers.project_types import Project, projects_wanted
from resolvers.relay import Connection, page_in_memory
from resolvers.rows import of_row
from resolvers.sections import AUTHENTICATED, meta, sectioned, tag
from resolvers.soon import Soon, then
from resolvers.team_types import TeamMember, TeamMembership

if TYPE_CHECKING:
    from resolvers.plans import Plan


@dataclass(frozen=True, slots=True)
class AccountLists:
    """The lists that came with an account from the query that found it: `account(id)`'s
    page query (graph/account_page.py) or a portfolio page (projects only). Each field of
    `Account` reads its list here when it answers the field's arguments, else its loader."""

    units: Prefetched[Page, list[UnitRow]] | None = None
    contacts: Prefetched[Page, list[ContactRow]] | None = None
    team: list[MembershipRow] | None = None  # the whole team: any page of it
    projects: Prefetched[ProjectsWanted, list[ProjectRow]] | None = None
    has_plan: bool = False  # whether the plan came (then `plan` None: the account has none)
    plan: PlanRow | None = None


NO_LISTS = AccountLists()


@sectioned("account.profile")
@strawberry.type(description="A key account: the client group.")
class Account:
    id: strawberry.ID
    name: str
    segment: str | None
    industry: str | None
    tier: str | None
    status: str | None
    market_potential: float | None = tag(
        "account.market_potential",
        description="Estimated market potential (currency units per year).",
    )
    created_at: datetime | None
    updated_at: datetime | None
    lists: strawberry.Private[AccountLists] = NO_LISTS

    # Each list answers at once from what came with the account, else soon from its loader
    # (resolvers/soon.py).
    @strawberry.field(
        metadata=meta("org.structure"),
        description="Client units of the account, by name.",
        graphql_type=Connection[ClientUnit],
    )
    def units(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Soon[Connection[ClientUnit]]:
        return then(
            page_of(info.context.loaders.units_by_account, self.id, first, after, self.lists.units),
            lambda page: named_connection([of_row(ClientUnit, r) for r in page[0]], page[1]),
        )

    @strawberry.field(
        metadata=meta("contact.profile"),
        description="People at the client, by name.",
        graphql_type=Connection[Contact],
    )
    def contacts(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Soon[Connection[Contact]]:
        loader = info.context.loaders.contacts_by_account
        return then(page_of(loader, self.id, first, after, self.lists.contacts), contact_page)

    @strawberry.field(
        metadata=meta("team.matrix"),
        description="Our account team today (account managers first).",
        graphql_type=Connection[TeamMembership],
    )
    def team(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Soon[Connection[TeamMembership]]:

        def page(rows: list[MembershipRow]) -> Connection[TeamMembership]:
            nodes = [
                of_row(TeamMembership, m, member=of_row(TeamMember, m.member) if m.member else None)
                for m in rows
            ]
            return page_in_memory(nodes, lambda m: f"{m.member_id}|{m.role}", first, after)

        rows = self.lists.team
        return then(
            rows if rows is not None else info.context.loaders.team_by_account.load(self.id), page
        )

    @strawberry.field(
        metadata=meta("projects"),
        description="Major projects followed up at the account.",
        graphql_type=Connection[Project] | None,
    )
    def projects(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Soon[Connection[Project]]:
        wanted = projects_wanted(info)
        came = self.lists.projects
        rows = came.answering(wanted) if came is not None else None
        return then(
            rows
            if rows is not None
            else info.context.loaders.account_projects(wanted).load(self.id),
            lambda found: page_in_memory(
                [of_row(Project, p) for p in found], node_id, first, after
            ),
        )

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="The account's current plan (its latest period), or null when it has none. "
        "Each section of it is shown as your role allows.",
        graphql_type=Annotated["Plan", strawberry.lazy("resolvers.plans")] | None,
    )
    def plan(self, info: Info) -> Soon[Plan | None]:
        from resolvers.plans import Plan

        row = (
            self.lists.plan
            if self.lists.has_plan
            else info.context.loaders.plan_by_account.load(self.id)
        )
        return then(row, lambda found: Plan.from_row(found) if found is not None else None)

    @strawberry.field(
        metadata=meta("interactions"),
        description="Contact moments about the account, newest first.",
        graphql_type=Connection[Interaction] | None,
    )
    def interactions(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Soon[Connection[Interaction]]:
        return interaction_page(info.context.loaders.interactions_by_account, self.id, first, after)

    @strawberry.field(
        metadata=meta("competition"), description="Competitors at the account, largest share first."
    )
    async def competitors(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[CompetitorPosition] | None:
        rows = await info.context.loaders.competition_by_account.load(self.id)
        nodes = [of_row(CompetitorPosition, r) for r in rows]
        return page_in_memory(nodes, lambda c: str(c.competitor_id), first, after)

    @strawberry.field(
        metadata=meta("account.profile"),
        description="Salesforce sync conflicts on the account, its units, people and projects "
        "since a moment, newest first: only those whose property you may read.",
    )
    async def sync_conflicts(
        self, info: Info, since: datetime, first: int = 20
    ) -> list[SyncConflict] | None:
        return await sync_conflicts_of(info, self, since, first)

    @strawberry.field(
        metadata=meta("contact.profile"),
        description="People at the account with a new title or employer recorded since a "
        "moment, newest first.",
    )
    async def job_changes(
        self, info: Info, since: datetime, first: int = 20
    ) -> list[JobChange] | None:
        return await job_changes_of(info, self, since, first)


@sectioned("competition")
@strawberry.type(description="A competitor's share and position at an account.")
class CompetitorPosition:
    competitor_id: strawberry.ID
    name: str
    share: float | None
    position: str | None
