"""The types of the named network queries: org chart, decision network, influence paths,
coverage gaps, account comparison and partner options (their queries: resolvers/network.py)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from graph import org, profiles
from graph.convert import native
from resolvers.account_types import Account, CompetitorPosition
from resolvers.context import Info
from resolvers.org_types import ClientUnit, Contact
from resolvers.project_types import BuyingRole, Project
from resolvers.rows import of_row
from resolvers.sections import meta, sectioned
from resolvers.team_types import FunctionalArea, TeamMember


@sectioned("contact.profile")
@strawberry.type(description="A contact in the org chart; `managerId` is the solid reporting line.")
class OrgContact:
    id: strawberry.ID
    name: str
    title: str | None
    buying_role: str | None
    manager_id: strawberry.ID | None


@sectioned("org.structure")
@strawberry.type(description="A unit in the org chart with all its contacts (never truncated).")
class OrgUnit:
    id: strawberry.ID
    name: str
    level: str
    country: str | None
    region: str | None
    parent_id: strawberry.ID | None
    contact_count: int
    # The rows as graph/org.py reads them: they carry the type's fields under the same names.
    contacts: list[org.OrgContact] = strawberry.field(
        graphql_type=list[OrgContact], metadata=meta("contact.profile")
    )
    mirrored_by_ids: strawberry.Private[list[str]]

    @strawberry.field(
        metadata=meta("team.matrix"), description="Our account managers mirroring this unit."
    )
    async def mirrored_by(self, info: Info) -> list[TeamMember]:
        found = await info.context.loaders.member_by_id.load_many(self.mirrored_by_ids)
        return [of_row(TeamMember, m) for m in found if m]


@sectioned("org.structure")
@strawberry.type(description="The units of one level: GLOBAL, REGIONAL, NATIONAL or STATE.")
class OrgLevel:
    level: str
    units: list[OrgUnit]


@sectioned("contact.profile")
@strawberry.type(description="A reporting line between two contacts: SOLID, DOTTED or MATRIX.")
class ReportingLine:
    from_id: strawberry.ID
    to_id: strawberry.ID
    kind: str


@sectioned("org.structure")
@strawberry.type(description="An account's organisation, level by level, in one request.")
class OrgChart:
    account_id: strawberry.ID
    account_name: str
    levels: list[OrgLevel]
    unit_count: int
    contact_count: int
    reporting_lines: list[org.ReportingLine] = strawberry.field(
        graphql_type=list[ReportingLine], metadata=meta("contact.profile")
    )


def org_chart_of(chart: org.OrgChart) -> OrgChart:
    levels: dict[str, list[OrgUnit]] = {}
    for u in chart.units:
        levels.setdefault(u.level, []).append(
            OrgUnit(
                id=strawberry.ID(u.id),
                name=u.name,
                level=u.level,
                country=u.country,
                region=u.region,
                parent_id=strawberry.ID(u.parent_id) if u.parent_id else None,
                contact_count=len(u.contacts),
                contacts=u.contacts,
                mirrored_by_ids=u.mirrored_by,
            )
        )
    return OrgChart(
        account_id=strawberry.ID(chart.account_id),
        account_name=chart.account_name,
        levels=[OrgLevel(level=level, units=units) for level, units in levels.items()],
        unit_count=len(chart.units),
        contact_count=sum(len(u.contacts) for u in chart.units),
        reporting_lines=chart.lines,
    )


@sectioned("network.influence")
@strawberry.type(
    description="An influence edge: `fromId` influences `toId` with `strength` (0..1)."
)
class InfluenceEdge:
    from_id: strawberry.ID
    to_id: strawberry.ID
    strength: float | None


@sectioned("network.influence")
@strawberry.type(description="A project's buying centre and the influence web around it.")
class DecisionNetwork:
    project: Project | None = strawberry.field(metadata=meta("projects"))
    centre: list[BuyingRole]
    contacts: list[Contact] = strawberry.field(metadata=meta("contact.profile"))
    influences: list[InfluenceEdge]


@sectioned("network.influence")
@strawberry.type(
    description="One step of an introduction path: KNOWS (ours to theirs) or INFLUENCES."
)
class PathStep:
    kind: str
    from_id: strawberry.ID
    from_name: str
    to_id: strawberry.ID
    to_name: str
    strength: float


@sectioned("network.influence")
@strawberry.type(
    description="A warm-introduction path. `strength` is the product of the strengths of its edges "
    "(KNOWS, then each INFLUENCES; a missing strength counts as 0.5), so longer or weaker chains "
    "rank lower."
)
class InfluencePath:
    strength: float
    steps: list[PathStep]
    member_id: strawberry.Private[str]

    @strawberry.field(metadata=meta("team.matrix"), description="Our person the path starts from.")
    async def member(self, info: Info) -> TeamMember | None:
        row = await info.context.loaders.member_by_id.load(self.member_id)
        return of_row(TeamMember, row) if row else None


@sectioned("network.influence")
@strawberry.type(
    description="A contact only one of our people knows: one departure from losing them."
)
class SingleThread:
    contact: Contact = strawberry.field(metadata=meta("contact.profile"))
    member_id: strawberry.ID


@sectioned("network.influence")
@strawberry.type(description="A blocker on an open project whom nobody on our team knows.")
class UncoveredBlocker:
    project: Project | None = strawberry.field(metadata=meta("projects"))
    contact: Contact = strawberry.field(metadata=meta("contact.profile"))


@sectioned("network.influence")
@strawberry.type(
    description="A relationship (ours to theirs) with no interaction since the cut-off."
)
class StaleRelationship:
    member_id: strawberry.ID
    contact: Contact = strawberry.field(metadata=meta("contact.profile"))
    last_interaction: datetime | None


@sectioned("network.influence")
@strawberry.type(description="Where our coverage of an account is missing or thin.")
class CoverageGaps:
    account_id: strawberry.ID
    coverage_score: float = strawberry.field(
        description="Share of decision makers and influencers someone of ours knows."
    )
    unknown_key_people: list[Contact] = strawberry.field(
        metadata=meta("contact.profile"),
        description="Decision makers and influencers nobody on our team knows.",
    )
    single_threaded: list[SingleThread]
    unmirrored_units: list[ClientUnit] = strawberry.field(
        metadata=meta("org.structure"),
        description="Client units with no account manager of ours mirroring them.",
    )
    projects_without_champion: list[Project] | None = strawberry.field(metadata=meta("projects"))
    uncovered_blockers: list[UncoveredBlocker]
    stale_relationships: list[StaleRelationship]

    @strawberry.field(
        metadata=meta("contact.profile"),
        description="Decision makers and influencers who left the client (a profile change "
        "said so): their seats need someone new to know.",
    )
    async def departed_key_people(self, info: Info) -> list[DepartedContact]:
        rows = await profiles.departed_key_people(info.context.db, str(self.account_id))
        people = await info.context.loaders.contact_by_id.load_many([r["id"] for r in rows])
        return [
            DepartedContact(
                contact=of_row(Contact, p),
                departed_at=native(r["departedAt"]),
                now_at=r["employer"],
                roles=sorted(set(r["roles"])),
            )
            for r, p in zip(rows, people, strict=True)
            if p
        ]

    @strawberry.field(
        metadata=meta("network.influence"),
        description="People who joined this account from another client and whom one of ours "
        "knows: a warm way in. Only those whose former account you may see.",
    )
    async def paths_in(self, info: Info) -> list[PathIn]:
        rows = await profiles.paths_in(info.context.db, str(self.account_id))
        people = await info.context.loaders.contact_by_id.load_many([r["id"] for r in rows])
        ids = sorted({m for r in rows for m in r["memberIds"]})
        found = await info.context.loaders.member_by_id.load_many(ids)
        members = {i: of_row(TeamMember, m) for i, m in zip(ids, found, strict=True) if m}
        return [
            PathIn(
                contact=of_row(Contact, p),
                since=native(r["since"]),
                title=r["title"],
                from_account_id=strawberry.ID(r["fromAccountId"]),
                known_by=[members[m] for m in sorted(r["memberIds"]) if m in members],
            )
            for r, p in zip(rows, people, strict=True)
            if p
        ]


@sectioned("contact.profile")
@strawberry.type(description="A key person who left the client, and where they went.")
class DepartedContact:
    contact: Contact
    departed_at: date | None
    now_at: str | None = strawberry.field(description="The company they work for now.")
    roles: list[str] = strawberry.field(description="Their buying roles on our projects.")


@sectioned("network.influence")
@strawberry.type(description="Someone who joined this account from another client, known to us.")
class PathIn:
    contact: Contact = strawberry.field(metadata=meta("contact.profile"))
    since: date | None
    title: str | None
    from_account_id: strawberry.ID
    known_by: list[TeamMember] = strawberry.field(metadata=meta("team.matrix"))


@sectioned("projects")
@strawberry.type(description="Open projects of an account by kind, with their values.")
class ProjectFiguresType:
    attack: int
    defend: int
    progressive: int
    attack_value: float
    defend_value: float
    progressive_value: float


@sectioned("account.profile")
@strawberry.type(
    name="AccountComparison",
    description="One account on the criteria every account is compared by.",
)
class AccountComparison:
    account: Account = strawberry.field(metadata=meta("account.profile"))
    open_projects: ProjectFiguresType | None = strawberry.field(metadata=meta("projects"))
    coverage_score: float | None = strawberry.field(metadata=meta("network.influence"))
    team_size: int = strawberry.field(metadata=meta("team.matrix"))
    plan_period: str | None = strawberry.field(
        metadata=meta("plan.strategy"), description="Period of the active plan."
    )
    plan_completeness: float | None = strawberry.field(
        metadata=meta("plan.strategy"),
        description="Share of the template's fields filled in the active plan.",
    )
    share_of_wallet_goal: float | None = strawberry.field(metadata=meta("plan.share_of_wallet"))
    share_of_wallet_actual: float | None = strawberry.field(metadata=meta("plan.share_of_wallet"))
    revenue_goal: float | None = strawberry.field(metadata=meta("plan.financial_goals"))
    margin_goal: float | None = strawberry.field(metadata=meta("plan.financial_goals"))
    account_id: strawberry.Private[str]

    @strawberry.field(
        metadata=meta("competition"), description="Competitors' shares and positions."
    )
    async def competitors(self, info: Info) -> list[CompetitorPosition] | None:
        rows = await info.context.loaders.competition_by_account.load(self.account_id)
        return [of_row(CompetitorPosition, r) for r in rows]


@sectioned("partners")
@strawberry.type(
    description="A partner that offers a capability, with its projects at accounts you may see."
)
class PartnerOffer:
    partner_id: strawberry.ID
    partner_name: str
    history: list[PartnerProject]


@sectioned("partners")
@strawberry.type(description="A project a partner took part in.")
class PartnerProject:
    project_id: strawberry.ID
    project_name: str
    account_id: strawberry.ID
    account_name: str
    status: str | None


@sectioned("partners")
@strawberry.type(
    description="How one required capability can be delivered: INTERNAL first, else PARTNER."
)
class CapabilityOption:
    capability_id: strawberry.ID
    capability_name: str
    recommendation: str
    internal: list[FunctionalArea]
    partners: list[PartnerOffer]


@sectioned("partners")
@strawberry.type(description="A client need and how to meet it.")
class PartnerOptions:
    need_id: strawberry.ID
    need_name: str
    description: str | None
    account_id: strawberry.ID
    options: list[CapabilityOption]


@sectioned("partners")
@strawberry.type(description="A client need recorded at an account.")
class Need:
    id: strawberry.ID
    name: str
    description: str | None
