"""Accounts in the API: the type, `account(id)` and `accounts(filter, first, after)`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph.accounts import AccountFilter, AccountRow, account_page
from resolvers.context import Info
from resolvers.errors import NotFoundError
from resolvers.relay import Connection, Edge, PageInfo, check_first, decode_cursor, encode_cursor
from resolvers.sections import meta, sectioned, tag


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

    @classmethod
    def from_row(cls, row: AccountRow) -> Account:
        return cls(
            id=strawberry.ID(row.id),
            name=row.name,
            segment=row.segment,
            industry=row.industry,
            tier=row.tier,
            status=row.status,
            market_potential=row.market_potential,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


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
    ) -> AccountConnection:
        check_first(first)
        cursor = decode_cursor(after, 2)
        rows, more = await account_page(
            info.context.db,
            info.context.scope,
            filter.to_filter() if filter else AccountFilter(),
            first,
            (cursor[0], cursor[1]) if cursor else None,
        )
        edges = [Edge(cursor=encode_cursor(r.name, r.id), node=Account.from_row(r)) for r in rows]
        return AccountConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
        )
