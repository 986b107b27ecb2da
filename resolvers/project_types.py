"""Projects as GraphQL types: a major project at an account, its milestones and its buying
centre; and how an account's projects are loaded (with or without their details)."""

from __future__ import annotations

from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph.projects import SUMMARY_FIELDS, ProjectsWanted
from resolvers.context import Info, selects_only
from resolvers.relay import Connection, page_in_memory
from resolvers.rows import of_row, reads
from resolvers.sections import meta, sectioned, tag

if TYPE_CHECKING:
    from resolvers.org_types import Contact


def projects_wanted(info: Info, path: tuple[str, ...] = ()) -> ProjectsWanted:
    """How the projects connection at `path` below the field being resolved (the field itself
    when empty) is to be loaded: without the projects' details when only their own fields are
    selected (a portfolio page shows figures only). Account.projects and the queries that fold
    projects into theirs decide alike, so the rows that came with a page are the ones read."""
    return "summary" if selects_only(info, (*path, "edges", "node"), SUMMARY_FIELDS) else "full"


@reads(
    buying_centre_ids=attrgetter("buying_centre"),
    partner_keys=attrgetter("partner_ids"),
    milestones=lambda row: [_milestone(m) for m in row.milestones],
    status_history=lambda row: list(row.status_history),
)
@sectioned("projects")
@strawberry.type(description="A major project at an account: ATTACK, DEFEND or PROGRESSIVE.")
class Project:
    id: strawberry.ID
    name: str
    kind: str
    status: str | None
    stage: str | None
    value: float | None
    next_step: str | None
    account_id: strawberry.ID
    milestones: list[Milestone]
    status_history: list[strawberry.scalars.JSON] = strawberry.field(
        description="Every status or stage change: {at, by, field, from, to}."
    )
    buying_centre_ids: strawberry.Private[list[tuple[str, str]]]
    partner_keys: strawberry.Private[list[str]]

    @strawberry.field(
        metadata=meta("network.influence"),
        description="Who decides, influences, champions or blocks.",
    )
    async def buying_centre(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[BuyingRole] | None:
        from resolvers.org_types import Contact

        people = await info.context.loaders.contact_by_id.load_many(
            [c for c, _ in self.buying_centre_ids]
        )
        nodes = [
            BuyingRole(role=r, contact=of_row(Contact, p))
            for (_, r), p in zip(self.buying_centre_ids, people, strict=True)
            if p
        ]
        return page_in_memory(nodes, lambda b: f"{b.contact.id}|{b.role}", first, after)

    @strawberry.field(metadata=meta("partners"), description="Partner ids involved in the project.")
    def partner_ids(self) -> list[strawberry.ID] | None:
        return [strawberry.ID(p) for p in self.partner_keys]


@sectioned("projects")
@strawberry.type(description="A project milestone with its due date.")
class Milestone:
    id: strawberry.ID
    name: str
    due: date | None
    done_at: datetime | None


def _milestone(m: dict[str, Any]) -> Milestone:
    return Milestone(id=m["id"], name=m["name"], due=m.get("due"), done_at=m.get("doneAt"))


@sectioned("network.influence")
@strawberry.type(description="A contact's role in a project's buying centre.")
class BuyingRole:
    role: str
    contact: Annotated[Contact, strawberry.lazy("resolvers.org_types")] = tag("contact.profile")
