"""Our team as GraphQL types: team members, their places on account teams, functional areas
and geographic divisions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers.context import Info
from resolvers.lists import node_id
from resolvers.relay import Connection, page_in_memory
from resolvers.rows import of_row, reads
from resolvers.sections import meta, sectioned

if TYPE_CHECKING:
    from resolvers.account_types import Account


@sectioned("team.matrix")
@strawberry.type(description="One of our people.")
class TeamMember:
    id: strawberry.ID
    name: str
    title: str | None
    function: str | None
    area_ids: strawberry.Private[list[str]]
    division_ids: strawberry.Private[list[str]]

    @strawberry.field
    async def areas(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[FunctionalArea]:
        found = await info.context.loaders.area_by_id.load_many(self.area_ids)
        nodes = [of_row(FunctionalArea, a) for a in found if a]
        return page_in_memory(nodes, node_id, first, after)

    @strawberry.field
    async def divisions(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[GeoDivision]:
        found = await info.context.loaders.division_by_id.load_many(self.division_ids)
        return page_in_memory([of_row(GeoDivision, d) for d in found if d], node_id, first, after)

    @strawberry.field(description="Accounts this person is on today (only those you may see).")
    async def accounts(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[TeamMembership]:
        rows = await info.context.loaders.memberships_by_member.load(self.id)
        nodes = [of_row(TeamMembership, m, member=self) for m in rows]
        return page_in_memory(nodes, lambda m: f"{m.account_id}|{m.role}", first, after)


@sectioned("team.matrix")
@strawberry.type(description="A place on an account team, open from `from` through `until`.")
class TeamMembership:
    role: str
    start: date | None = strawberry.field(name="from")
    until: date | None
    member_id: strawberry.Private[str]
    account_id: strawberry.Private[str]
    member: TeamMember | None = None  # read with the team, or the member whose places these are

    @strawberry.field(metadata=meta("account.profile"))
    async def account(
        self, info: Info
    ) -> Annotated[Account, strawberry.lazy("resolvers.account_types")] | None:
        from resolvers.account_types import Account

        row = await info.context.loaders.account_by_id.load(self.account_id)
        return of_row(Account, row) if row else None


@sectioned("team.matrix")
@strawberry.type(description="A functional area of ours: Marketing, Finance, Controlling, ...")
class FunctionalArea:
    id: strawberry.ID
    name: str


@reads(parent_id=lambda row: row.parent_id or None)
@sectioned("team.matrix")
@strawberry.type(
    description="Our division at a level: geographic, or a cultural / market-similarity grouping."
)
class GeoDivision:
    id: strawberry.ID
    name: str
    kind: str | None
    level: str | None
    parent_id: strawberry.ID | None
