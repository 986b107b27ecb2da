"""The client's organisation as GraphQL types: its units, the people working in them, and
the links around a person (reporting lines, influence, buying roles, who of ours knows them).

A contact found by `contact(id)` carries what its page query brought (`Contact.page`); its
fields read that first, else their loaders.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from graph.contact_page import ContactPage
from graph.contacts import ContactLinks, ContactRow
from resolvers.context import Info
from resolvers.interaction_types import Interaction, interaction_page
from resolvers.lists import came_or_loaded, named_connection, node_id, page_of
from resolvers.project_types import Project
from resolvers.relay import Connection, page_in_memory
from resolvers.rows import of_row
from resolvers.sections import meta, sectioned, tag
from resolvers.soon import Soon, then
from resolvers.team_types import TeamMember


@sectioned("org.structure")
@strawberry.type(
    description="A unit of the client at one level: GLOBAL, REGIONAL, NATIONAL or STATE."
)
class ClientUnit:
    id: strawberry.ID
    name: str
    level: str
    country: str | None
    region: str | None
    parent_id: strawberry.Private[str | None]
    account_id: strawberry.Private[str]

    @strawberry.field
    async def parent(self, info: Info) -> ClientUnit | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.unit_by_id.load(self.parent_id)
        return of_row(ClientUnit, row) if row else None

    @strawberry.field(description="Units directly below this one.")
    async def children(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[ClientUnit]:
        rows = await info.context.loaders.units_by_parent.load(self.id)
        return page_in_memory([of_row(ClientUnit, r) for r in rows], node_id, first, after)

    @strawberry.field(
        metadata=meta("contact.profile"),
        description="People working in this unit, by name.",
        # Contact is defined below: named lazily, as strawberry allows
        graphql_type=Connection[Annotated["Contact", strawberry.lazy("resolvers.org_types")]],
    )
    def contacts(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Soon[Connection[Contact]]:
        return then(
            page_of(info.context.loaders.contacts_by_unit, self.id, first, after), contact_page
        )

    @strawberry.field(
        metadata=meta("team.matrix"), description="Our account managers mirroring this unit."
    )
    async def mirrored_by(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[TeamMember]:
        ids = await info.context.loaders.mirrors_by_unit.load(self.id)
        members = await info.context.loaders.member_by_id.load_many(ids)
        return page_in_memory([of_row(TeamMember, m) for m in members if m], node_id, first, after)


@sectioned("contact.profile")
@strawberry.type(description="A person at the client.")
class Contact:
    id: strawberry.ID
    name: str
    title: str | None
    buying_role: str | None
    location: str | None
    email: str | None = tag("contact.reach")
    phone: str | None = tag("contact.reach")
    linkedin_url: str | None = tag("contact.reach")
    unit_id: strawberry.Private[str | None]
    # What came with the contact from `contact(id)`'s page query (graph/contact_page.py): its
    # unit, its links and the people they name. Each field reads it first, else its loader.
    page: strawberry.Private[ContactPage | None] = None

    async def _links(self, info: Info) -> ContactLinks | None:
        if self.page is not None:
            return self.page.links
        return await info.context.loaders.contact_links_by_contact.load(self.id)

    async def _people(self, info: Info, ids: list[str]) -> list[ContactRow | None]:
        """The contacts `ids` name: those that came with the page, the rest by the loader."""
        came = self.page.people if self.page is not None else {}
        return await came_or_loaded(came, info.context.loaders.contact_by_id, ids)

    @strawberry.field(metadata=meta("org.structure"))
    async def unit(self, info: Info) -> ClientUnit | None:
        if self.unit_id is None:
            return None
        row = self.page.unit if self.page is not None else None
        if row is None:
            row = await info.context.loaders.unit_by_id.load(self.unit_id)
        return of_row(ClientUnit, row) if row else None

    @strawberry.field(description="Whom this person reports to: solid, dotted-line or matrix.")
    async def managers(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[ReportingLink]:
        links = await self._links(info)
        pairs = links.manager_ids if links else []
        people = await self._people(info, [m for m, _ in pairs])
        nodes = [
            ReportingLink(kind=k, contact=of_row(Contact, p))
            for (_, k), p in zip(pairs, people, strict=True)
            if p
        ]
        return page_in_memory(nodes, lambda r: f"{r.contact.id}|{r.kind}", first, after)

    @strawberry.field(description="People reporting to this person (solid line).")
    async def reports(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Contact]:
        links = await self._links(info)
        people = await self._people(info, links.report_ids if links else [])
        return page_in_memory([of_row(Contact, p) for p in people if p], node_id, first, after)

    @strawberry.field(
        metadata=meta("network.influence"),
        description="Whom this person influences, strongest first.",
    )
    async def influences(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[InfluenceLink] | None:
        links = await self._links(info)
        nodes = await self._influence_links(info, links.influences if links else [])
        return page_in_memory(nodes, lambda i: str(i.contact.id), first, after)

    @strawberry.field(
        metadata=meta("network.influence"),
        description="Who influences this person, strongest first.",
    )
    async def influenced_by(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[InfluenceLink] | None:
        links = await self._links(info)
        nodes = await self._influence_links(info, links.influenced_by if links else [])
        return page_in_memory(nodes, lambda i: str(i.contact.id), first, after)

    @strawberry.field(
        metadata=meta("network.influence"), description="Projects this person has a buying role in."
    )
    async def projects(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[ProjectRole] | None:
        links = await self._links(info)
        pairs = links.decides if links else []
        found = await info.context.loaders.project_by_id.load_many([p for p, _ in pairs])
        nodes = [
            ProjectRole(role=r, project=of_row(Project, p))
            for (_, r), p in zip(pairs, found, strict=True)
            if p
        ]
        return page_in_memory(
            nodes, lambda r: f"{r.project.id if r.project else ''}|{r.role}", first, after
        )

    @strawberry.field(
        metadata=meta("interactions"),
        description="Contact moments with this person, newest first.",
        graphql_type=Connection[Interaction] | None,
    )
    def interactions(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Soon[Connection[Interaction]]:
        return interaction_page(info.context.loaders.interactions_by_contact, self.id, first, after)

    @strawberry.field(
        metadata=meta("network.influence"),
        description="Our people who know this person, strongest first.",
    )
    async def known_by(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Acquaintance] | None:
        links = await self._links(info)
        triples = links.known_by if links else []
        came = self.page.members if self.page is not None else {}
        ids = [m for m, _, _ in triples]
        members = await came_or_loaded(came, info.context.loaders.member_by_id, ids)
        nodes = [
            Acquaintance(member=of_row(TeamMember, m), strength=s, since=since)
            for (_, s, since), m in zip(triples, members, strict=True)
            if m
        ]
        return page_in_memory(nodes, lambda a: str(a.member.id), first, after)

    async def _influence_links(
        self, info: Info, pairs: list[tuple[str, float | None]]
    ) -> list[InfluenceLink]:
        people = await self._people(info, [c for c, _ in pairs])
        return [
            InfluenceLink(strength=s, contact=of_row(Contact, p))
            for (_, s), p in zip(pairs, people, strict=True)
            if p
        ]


def contact_page(page: tuple[list[ContactRow], bool]) -> Connection[Contact]:
    """A page of contacts by name, as `page_of` found it."""
    return named_connection([of_row(Contact, r) for r in page[0]], page[1])


@sectioned("contact.profile")
@strawberry.type(description="A reporting line: SOLID, DOTTED or MATRIX.")
class ReportingLink:
    kind: str
    contact: Contact = tag("contact.profile")


@sectioned("network.influence")
@strawberry.type(description="An influence between two contacts, with its strength (0..1).")
class InfluenceLink:
    strength: float | None
    contact: Contact = tag("contact.profile")


@sectioned("network.influence")
@strawberry.type(description="A contact's buying role in a project.")
class ProjectRole:
    role: str
    project: Project | None = tag("projects")


@sectioned("network.influence")
@strawberry.type(description="One of our people who knows a contact.")
class Acquaintance:
    member: TeamMember = tag("team.matrix")
    strength: float | None
    since: date | None
