"""The graph as GraphQL types: client organisation, people, our team, projects, competition.

Scalars are plain attributes (no resolver on the hot path). Nested lists go through the
request's DataLoaders, so each nesting level costs one database round trip whatever the rows.
Every field carries its need-to-know section (`@sectioned` for the type, `tag`/`meta` per field).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any, Generic, Protocol, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from graph.contact_page import ContactPage
from graph.contacts import ContactLinks, ContactRow
from graph.interactions import InteractionRow
from graph.org import UnitRow
from graph.plans import PlanRow
from graph.projects import SUMMARY_FIELDS, ProjectRow, ProjectsWanted
from graph.team import MemberRow, MembershipRow
from loaders.base import PageKey
from resolvers.changes import JobChange, SyncConflict, job_changes_of, sync_conflicts_of
from resolvers.context import Info, selects_only
from resolvers.relay import (
    Connection,
    check_first,
    connection_of,
    decode_cursor,
    page_in_memory,
)
from resolvers.rows import of_row, reads
from resolvers.sections import AUTHENTICATED, meta, sectioned, tag

if TYPE_CHECKING:
    from resolvers.plans import Plan

RowT = TypeVar("RowT")
ArgsT = TypeVar("ArgsT")
Page = tuple[int, tuple[str, ...] | None]  # a paged list's arguments: (first, after key)


@dataclass(frozen=True, slots=True)
class Prefetched(Generic[ArgsT, RowT]):
    """Rows that came with their parent from the query that found it, and the arguments of
    the field they answer."""

    args: ArgsT
    rows: RowT

    def answering(self, args: ArgsT) -> RowT | None:
        """The rows, when they answer exactly `args`; else None (the field loads them)."""
        return self.rows if self.args == args else None


@dataclass(frozen=True, slots=True)
class AccountLists:
    """The lists that came with an account from the query that found it: `account(id)`'s
    page query (graph/account_page.py) or a portfolio page (projects only). Each field of
    `Account` reads its list here when it answers the field's arguments, else its loader."""

    units: Prefetched[Page, list[UnitRow]] | None = None
    contacts: Prefetched[Page, list[ContactRow]] | None = None
    team: list[MembershipRow] | None = None  # the whole team: any page of it
    members: dict[str, MemberRow] = field(default_factory=dict)  # the team's, by id
    projects: Prefetched[ProjectsWanted, list[ProjectRow]] | None = None
    has_plan: bool = False  # whether the plan came (then `plan` None: the account has none)
    plan: PlanRow | None = None


NO_LISTS = AccountLists()


def _id(node: _HasId) -> str:
    return str(node.id)


def projects_wanted(info: Info, path: tuple[str, ...] = ()) -> ProjectsWanted:
    """How the projects connection at `path` below the field being resolved (the field itself
    when empty) is to be loaded: without the projects' details when only their own fields are
    selected (a portfolio page shows figures only). Account.projects and the queries that fold
    projects into theirs decide alike, so the rows that came with a page are the ones read."""
    return "summary" if selects_only(info, (*path, "edges", "node"), SUMMARY_FIELDS) else "full"


class _HasId(Protocol):
    @property
    def id(self) -> strawberry.ID: ...


async def _page_of(
    loader: DataLoader[PageKey, list[RowT]],
    parent_id: str,
    first: int,
    after: str | None,
    came: Prefetched[Page, list[RowT]] | None = None,
    *,
    dated: bool = False,
) -> tuple[list[RowT], bool]:
    """One page of a parent's children, and whether more follow: the rows that `came` with
    the parent when they answer `first` and `after`, else through the paged loader (`dated`:
    its cursors start with a date and time)."""
    check_first(first)
    key = decode_cursor(after, 2, dated=dated)
    rows = came.answering((first, key)) if came is not None else None
    if rows is None:
        rows = await loader.load((parent_id, first, key))
    return rows[:first], len(rows) > first


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

    @strawberry.field(
        metadata=meta("org.structure"), description="Client units of the account, by name."
    )
    async def units(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[ClientUnit]:
        rows, more = await _page_of(
            info.context.loaders.units_by_account, self.id, first, after, self.lists.units
        )
        return _connection([of_row(ClientUnit, r) for r in rows], more)

    @strawberry.field(
        metadata=meta("contact.profile"), description="People at the client, by name."
    )
    async def contacts(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Contact]:
        rows, more = await _page_of(
            info.context.loaders.contacts_by_account, self.id, first, after, self.lists.contacts
        )
        return _connection([of_row(Contact, r) for r in rows], more)

    @strawberry.field(
        metadata=meta("team.matrix"), description="Our account team today (account managers first)."
    )
    async def team(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[TeamMembership]:
        rows = self.lists.team
        if rows is None:
            rows = await info.context.loaders.team_by_account.load(self.id)
        members = self.lists.members
        nodes = [of_row(TeamMembership, m, member_row=members.get(m.member_id)) for m in rows]
        return page_in_memory(nodes, lambda m: f"{m.member_id}|{m.role}", first, after)

    @strawberry.field(
        metadata=meta("projects"), description="Major projects followed up at the account."
    )
    async def projects(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Project] | None:
        wanted = projects_wanted(info)
        came = self.lists.projects
        rows = came.answering(wanted) if came is not None else None
        if rows is None:
            rows = await info.context.loaders.account_projects(wanted).load(self.id)
        return page_in_memory([of_row(Project, p) for p in rows], _id, first, after)

    @strawberry.field(
        metadata=meta(AUTHENTICATED),
        description="The account's current plan (its latest period), or null when it has none. "
        "Each section of it is shown as your role allows.",
    )
    async def plan(self, info: Info) -> Annotated[Plan, strawberry.lazy("resolvers.plans")] | None:
        from resolvers.plans import Plan

        if self.lists.has_plan:
            row = self.lists.plan
        else:
            row = await info.context.loaders.plan_by_account.load(self.id)
        return Plan.from_row(row) if row is not None else None

    @strawberry.field(
        metadata=meta("interactions"),
        description="Contact moments about the account, newest first.",
    )
    async def interactions(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Interaction] | None:
        return await _interaction_page(
            info.context.loaders.interactions_by_account, self.id, first, after
        )

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


class _Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


NamedT = TypeVar("NamedT", bound=_Named)


def _connection(nodes: list[NamedT], more: bool) -> Connection[NamedT]:
    """A page of name-sorted nodes; the cursor is (name, id), both readable fields."""
    return connection_of(nodes, [(n.name, n.id) for n in nodes], more)


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
        return page_in_memory([of_row(ClientUnit, r) for r in rows], _id, first, after)

    @strawberry.field(
        metadata=meta("contact.profile"), description="People working in this unit, by name."
    )
    async def contacts(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Contact]:
        rows, more = await _page_of(info.context.loaders.contacts_by_unit, self.id, first, after)
        return _connection([of_row(Contact, r) for r in rows], more)

    @strawberry.field(
        metadata=meta("team.matrix"), description="Our account managers mirroring this unit."
    )
    async def mirrored_by(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[TeamMember]:
        ids = await info.context.loaders.mirrors_by_unit.load(self.id)
        members = await info.context.loaders.member_by_id.load_many(ids)
        return page_in_memory([of_row(TeamMember, m) for m in members if m], _id, first, after)


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
        missing = [i for i in ids if i not in came]
        loaded = await info.context.loaders.contact_by_id.load_many(missing) if missing else []
        found = dict(zip(missing, loaded, strict=True))
        return [came[i] if i in came else found[i] for i in ids]

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
        return page_in_memory([of_row(Contact, p) for p in people if p], _id, first, after)

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
        metadata=meta("interactions"), description="Contact moments with this person, newest first."
    )
    async def interactions(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Interaction] | None:
        return await _interaction_page(
            info.context.loaders.interactions_by_contact, self.id, first, after
        )

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
        missing = [i for i in ids if i not in came]
        loaded = await info.context.loaders.member_by_id.load_many(missing) if missing else []
        found = dict(zip(missing, loaded, strict=True))
        members = [came[i] if i in came else found[i] for i in ids]
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


async def _interaction_page(
    loader: DataLoader[PageKey, list[InteractionRow]], parent_id: str, first: int, after: str | None
) -> Connection[Interaction]:
    rows, more = await _page_of(loader, parent_id, first, after, dated=True)
    nodes = [of_row(Interaction, r) for r in rows]
    return connection_of(nodes, [(n.at.isoformat(), n.id) for n in nodes], more)


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
        return page_in_memory(nodes, _id, first, after)

    @strawberry.field
    async def divisions(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[GeoDivision]:
        found = await info.context.loaders.division_by_id.load_many(self.division_ids)
        return page_in_memory([of_row(GeoDivision, d) for d in found if d], _id, first, after)

    @strawberry.field(description="Accounts this person is on today (only those you may see).")
    async def accounts(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[TeamMembership]:
        rows = await info.context.loaders.memberships_by_member.load(self.id)
        nodes = [of_row(TeamMembership, m) for m in rows]
        return page_in_memory(nodes, lambda m: f"{m.account_id}|{m.role}", first, after)


@sectioned("team.matrix")
@strawberry.type(description="A place on an account team, open from `from` through `until`.")
class TeamMembership:
    role: str
    start: date | None = strawberry.field(name="from")
    until: date | None
    member_id: strawberry.Private[str]
    account_id: strawberry.Private[str]
    member_row: strawberry.Private[MemberRow | None] = None  # when it came with the team

    @strawberry.field
    async def member(self, info: Info) -> TeamMember | None:
        row = self.member_row
        if row is None:
            row = await info.context.loaders.member_by_id.load(self.member_id)
        return of_row(TeamMember, row) if row else None

    @strawberry.field(metadata=meta("account.profile"))
    async def account(self, info: Info) -> Account | None:
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
    contact: Contact = tag("contact.profile")


@sectioned("competition")
@strawberry.type(description="A competitor's share and position at an account.")
class CompetitorPosition:
    competitor_id: strawberry.ID
    name: str
    share: float | None
    position: str | None


@sectioned("interactions")
@strawberry.type(description="One contact moment: when, channel, summary, who on both sides.")
class Interaction:
    id: strawberry.ID
    at: datetime
    channel: str | None
    summary: str | None
    contact_ids: list[strawberry.ID]
    member_ids: list[strawberry.ID]
