"""Our side of the matrix as lists to choose from: divisions and team members (team.matrix)."""

from __future__ import annotations

import strawberry

from graph import team
from resolvers.context import Info
from resolvers.relay import Connection, check_first, connection_of, decode_cursor
from resolvers.rows import of_row
from resolvers.sections import meta
from resolvers.team_types import GeoDivision, TeamMember


@strawberry.type
class MatrixQueries:
    @strawberry.field(
        metadata=meta("team.matrix"),
        description="Our geographic divisions, by name, each with its parent (a filter menu).",
    )
    async def geo_divisions(self, info: Info) -> list[GeoDivision]:
        return [of_row(GeoDivision, d) for d in await team.all_divisions(info.context.db)]

    @strawberry.field(
        metadata=meta("team.matrix"),
        description="Our people by name: all of them for those who reach every account, "
        "else you and those on an account team with you today.",
    )
    async def team_members(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[TeamMember]:
        check_first(first)
        key = decode_cursor(after, 2)
        found, more = await team.members_page(
            info.context.db, info.context.scope, first, (key[0], key[1]) if key else None
        )
        members = [of_row(TeamMember, m) for m in found]
        return connection_of(members, [(m.name, m.id) for m in members], more)
