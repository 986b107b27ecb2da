"""Contact moments as GraphQL types: an interaction, and a page of them newest first (an
account's or a contact's)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.dataloader import DataLoader

from graph.interactions import InteractionRow
from loaders.base import PageKey
from resolvers.context import Info
from resolvers.lists import page_of
from resolvers.relay import Connection, connection_of
from resolvers.rows import of_row
from resolvers.sections import meta, sectioned
from resolvers.soon import Soon, then

if TYPE_CHECKING:
    from resolvers.org_types import Contact


@sectioned("interactions")
@strawberry.type(description="One contact moment: when, channel, summary, who on both sides.")
class Interaction:
    id: strawberry.ID
    at: datetime
    channel: str | None
    summary: str | None
    contact_ids: list[strawberry.ID]
    member_ids: list[strawberry.ID]

    @strawberry.field(
        metadata=meta("contact.profile"),
        description="The people at the client it was with (those in your reach).",
    )
    async def contacts(
        self, info: Info
    ) -> list[Annotated[Contact, strawberry.lazy("resolvers.org_types")]] | None:
        from resolvers.org_types import Contact

        rows = await info.context.loaders.contact_by_id.load_many(
            [str(c) for c in self.contact_ids]
        )
        return [of_row(Contact, r) for r in rows if r is not None]


def interaction_page(
    loader: DataLoader[PageKey, list[InteractionRow]], parent_id: str, first: int, after: str | None
) -> Soon[Connection[Interaction]]:
    return then(page_of(loader, parent_id, first, after, dated=True), _interactions)


def _interactions(page: tuple[list[InteractionRow], bool]) -> Connection[Interaction]:
    nodes = [of_row(Interaction, r) for r in page[0]]
    return connection_of(nodes, [(n.at.isoformat(), n.id) for n in nodes], page[1])
