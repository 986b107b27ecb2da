"""Accounts in the API: the type, `account(id)` and `accounts(filter, first, after)`."""

from __future__ import annotations

from enum import Enum

import strawberry

from graph.accounts import AccountFilter, account_page, sort_key
from resolvers.context import Info
from resolvers.errors import Forbidden, NotFoundError
from resolvers.relay import Connection, Edge, PageInfo, check_first, decode_cursor, encode_cursor
from resolvers.sections import meta
from resolvers.types import Account


@strawberry.input(description="Filters of the account list; every given one must hold.")
class AccountFilterInput:
    name_contains: str | None = None
    segment: str | None = None
    industry: str | None = None
    tier: str | None = None
    status: str | None = None
    geo_division_id: strawberry.ID | None = None
    team_member_id: strawberry.ID | None = None

    def to_filter(self) -> AccountFilter:
        return AccountFilter(
            name_contains=self.name_contains,
            segment=self.segment,
            industry=self.industry,
            tier=self.tier,
            status=self.status,
            geo_division_id=self.geo_division_id,
            team_member_id=self.team_member_id,
        )


AccountConnection = Connection[Account]


@strawberry.enum(description="Orders of the account list; figures need read access to them.")
class AccountSort(Enum):
    NAME = "NAME"
    MARKET_POTENTIAL = "MARKET_POTENTIAL"


# A sort by a figure needs an unconditional read of the figure's section: otherwise the order
# (and the cursor) would leak values the caller may not see.
SORT_SECTIONS = {AccountSort.MARKET_POTENTIAL: "account.market_potential"}


@strawberry.type
class AccountQueries:
    @strawberry.field(
        metadata=meta("account.profile"),
        description="One account by id; NOT_FOUND when it is out of reach.",
    )
    async def account(self, info: Info, id: strawberry.ID) -> Account | None:
        row = await info.context.loaders.account_by_id.load(str(id))
        if row is None:
            raise NotFoundError(f"no account with id {id}", argument="id")
        return Account.from_row(row)

    @strawberry.field(
        metadata=meta("account.profile"),
        description="Accounts in the caller's reach, sorted by name.",
    )
    async def accounts(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: AccountFilterInput | None = None,
        sort: AccountSort = AccountSort.NAME,
    ) -> AccountConnection:
        check_first(first)
        section = SORT_SECTIONS.get(sort)
        if section and not info.context.visibility.can_read_everywhere(section):
            raise Forbidden(
                f"your role may not sort by {sort.value}: it needs {section}", section=section
            )
        cursor = decode_cursor(after, 2)
        rows, more = await account_page(
            info.context.db,
            info.context.scope,
            filter.to_filter() if filter else AccountFilter(),
            first,
            (cursor[0], cursor[1]) if cursor else None,
            sort.value,
        )
        edges = [
            Edge(cursor=encode_cursor(*sort_key(r, sort.value)), node=Account.from_row(r))
            for r in rows
        ]
        return AccountConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
        )
