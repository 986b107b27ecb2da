"""Contact moments as GraphQL types: an interaction, and a page of them newest first (an
account's or a contact's)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.dataloader import DataLoader

from graph.interactions import InteractionRow
from loaders.base import PageKey
from resolvers.lists import page_of
from resolvers.relay import Connection, connection_of
from resolvers.rows import of_row
from resolvers.sections import sectioned


@sectioned("interactions")
@strawberry.type(description="One contact moment: when, channel, summary, who on both sides.")
class Interaction:
    id: strawberry.ID
    at: datetime
    channel: str | None
    summary: str | None
    contact_ids: list[strawberry.ID]
    member_ids: list[strawberry.ID]


async def interaction_page(
    loader: DataLoader[PageKey, list[InteractionRow]], parent_id: str, first: int, after: str | None
) -> Connection[Interaction]:
    rows, more = await page_of(loader, parent_id, first, after, dated=True)
    nodes = [of_row(Interaction, r) for r in rows]
    return connection_of(nodes, [(n.at.isoformat(), n.id) for n in nodes], more)
