"""Named queries beyond accounts (docs/ARCHITECTURE.md §6): org chart, networks, gaps, partners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import strawberry

from auth.registry import readable_inputs
from graph import compare, network, org, partners
from graph.contact_page import KNOWN_BY, LINKED, contact_with_links
from graph.errors import NotFound
from resolvers.account_types import Account
from resolvers.context import Info, selected_directly
from resolvers.errors import NotFoundError, bounded
from resolvers.network_types import (
    AccountComparison,
    CapabilityOption,
    CoverageGaps,
    DecisionNetwork,
    InfluenceEdge,
    InfluencePath,
    Need,
    OrgChart,
    PartnerOffer,
    PartnerOptions,
    PartnerProject,
    PathStep,
    ProjectFiguresType,
    SingleThread,
    StaleRelationship,
    UncoveredBlocker,
    org_chart_of,
)
from resolvers.org_types import ClientUnit, Contact
from resolvers.project_types import BuyingRole, Project
from resolvers.rows import of_row
from resolvers.sections import meta
from resolvers.team_types import FunctionalArea

# The fields under a contact that its page query answers with the contact itself.
CONTACT_PAGE_FIELDS = frozenset(
    {"unit", "managers", "reports", "influences", "influencedBy", "projects", "knownBy"}
)


# The links whose people come with the page, and those a caller needs INFLUENCE to read.
PEOPLE_OF_LINKS = frozenset({*LINKED, KNOWN_BY})
INFLUENCE = "network.influence"
INFLUENCE_LINKS = frozenset({"influences", "influencedBy", "knownBy"})


async def _contact_with_its_page(info: Info, contact_id: str) -> Contact | None:
    """The contact; when any of `CONTACT_PAGE_FIELDS` is selected directly, with its unit, its
    links and the people of the selected links from the same query (one round trip, not five
    in three levels). The contact carries them (`page`); its fields read them there. None:
    missing or out of scope."""
    selected = selected_directly(info, CONTACT_PAGE_FIELDS)
    if not selected:
        row = await info.context.loaders.contact_by_id.load(contact_id)
        return of_row(Contact, row) if row is not None else None
    people_of = frozenset(
        name
        for name in selected
        if name in PEOPLE_OF_LINKS
        and (name not in INFLUENCE_LINKS or info.context.visibility.may_see_section(INFLUENCE))
    )
    page = await contact_with_links(info.context.db, info.context.scope, contact_id, people_of)
    if page is None:
        return None
    # The entities it brought also go to the request's by-id caches, for other fields of the
    # query that name them again.
    loaders = info.context.loaders
    loaders.contact_by_id.prime_many({contact_id: page.contact, **page.people})
    if page.unit is not None:
        loaders.unit_by_id.prime(page.unit.id, page.unit)
    loaders.member_by_id.prime_many(page.members)
    return of_row(Contact, page.contact, page=page)


@strawberry.type
class NetworkQueries:
    @strawberry.field(
        metadata=meta("contact.profile"),
        description="One contact by id; NOT_FOUND when out of reach.",
    )
    async def contact(self, info: Info, id: strawberry.ID) -> Contact | None:
        contact = await _contact_with_its_page(info, str(id))
        if contact is None:
            raise NotFoundError(f"no contact with id {id}", argument="id")
        return contact

    @strawberry.field(
        metadata=meta("org.structure"),
        description="The account's units level by level, with every contact and reporting line.",
    )
    async def org_chart(self, info: Info, account_id: strawberry.ID) -> OrgChart | None:
        try:
            chart = await org.org_chart(info.context.db, info.context.scope, str(account_id))
        except NotFound:
            raise NotFoundError(f"no account with id {account_id}", argument="accountId") from None
        return org_chart_of(chart)

    @strawberry.field(
        metadata=meta("network.influence"),
        description="A project's buying centre and the influence around it, up to maxHops (1-4).",
    )
    async def decision_network(
        self, info: Info, account_id: strawberry.ID, project_id: strawberry.ID, max_hops: int = 2
    ) -> DecisionNetwork | None:
        bounded("maxHops", max_hops, 1, 4)
        try:
            net = await network.decision_network(
                info.context.db, info.context.scope, str(account_id), str(project_id), max_hops
            )
        except NotFound:
            raise NotFoundError(
                f"no project {project_id} at account {account_id}", argument="projectId"
            ) from None
        by_id = {c.id: of_row(Contact, c) for c in net.contacts}
        return DecisionNetwork(
            project=of_row(Project, net.project),
            centre=[BuyingRole(role=r, contact=by_id[c]) for c, r in net.centre if c in by_id],
            contacts=list(by_id.values()),
            influences=[
                InfluenceEdge(
                    from_id=strawberry.ID(i.from_id),
                    to_id=strawberry.ID(i.to_id),
                    strength=i.strength,
                )
                for i in net.influences
            ],
        )

    @strawberry.field(
        metadata=meta("network.influence"),
        description="Warm-introduction paths from our people to a contact, strongest first (top "
        "`first`).",
    )
    async def influence_paths(
        self,
        info: Info,
        account_id: strawberry.ID,
        to_contact_id: strawberry.ID,
        max_hops: int = 3,
        first: int = 10,
    ) -> list[InfluencePath] | None:
        bounded("maxHops", max_hops, 1, network.MAX_HOPS)
        bounded("first", first, 1, 100)
        try:
            paths = await network.influence_paths(
                info.context.db,
                info.context.scope,
                str(account_id),
                str(to_contact_id),
                max_hops,
                first,
            )
        except NotFound:
            raise NotFoundError(
                f"no contact {to_contact_id} at account {account_id}", argument="toContactId"
            ) from None
        return [
            InfluencePath(
                strength=p.strength,
                member_id=p.member_id,
                steps=[
                    PathStep(
                        kind=s.kind,
                        from_id=strawberry.ID(s.from_id),
                        from_name=s.from_name,
                        to_id=strawberry.ID(s.to_id),
                        to_name=s.to_name,
                        strength=s.strength,
                    )
                    for s in p.steps
                ],
            )
            for p in paths
        ]

    @strawberry.field(
        metadata=meta("network.influence"),
        description="Gaps in our coverage of an account; relationships count as stale after "
        "`staleDays` without interaction.",
    )
    async def coverage_gaps(
        self, info: Info, account_id: strawberry.ID, stale_days: int = 90
    ) -> CoverageGaps | None:
        bounded("staleDays", stale_days, 1, 3650)
        before = datetime.now(UTC) - timedelta(days=stale_days)
        try:
            gaps = await network.coverage_gaps(
                info.context.db, info.context.scope, str(account_id), before
            )
        except NotFound:
            raise NotFoundError(f"no account with id {account_id}", argument="accountId") from None
        return CoverageGaps(
            account_id=strawberry.ID(gaps.account_id),
            coverage_score=gaps.coverage_score,
            unknown_key_people=[of_row(Contact, c) for c in gaps.unknown_key_people],
            single_threaded=[
                SingleThread(contact=of_row(Contact, c), member_id=strawberry.ID(m))
                for c, m in gaps.single_threaded
            ],
            unmirrored_units=[of_row(ClientUnit, u) for u in gaps.unmirrored_units],
            projects_without_champion=[of_row(Project, p) for p in gaps.projects_without_champion],
            uncovered_blockers=[
                UncoveredBlocker(project=of_row(Project, p), contact=of_row(Contact, c))
                for p, c in gaps.uncovered_blockers
            ],
            stale_relationships=[
                StaleRelationship(
                    member_id=strawberry.ID(s.member_id),
                    contact=of_row(Contact, s.contact),
                    last_interaction=s.last_interaction,
                )
                for s in gaps.stale_relationships
            ],
        )

    @strawberry.field(
        metadata=meta("account.profile"),
        description="Accounts side by side on the same criteria, in the order asked.",
    )
    async def compare_accounts(
        self, info: Info, ids: list[strawberry.ID]
    ) -> list[AccountComparison]:
        bounded("ids (count)", len(ids), 1, 50)
        figures = await compare.compare_accounts(
            info.context.db, info.context.scope, [str(i) for i in ids]
        )
        missing = [str(i) for i in ids if str(i) not in figures]
        if missing:
            raise NotFoundError(f"no account with id {', '.join(missing)}", argument="ids")
        return [
            AccountComparison(
                account=of_row(Account, f.account),
                open_projects=ProjectFiguresType(
                    attack=f.projects.attack,
                    defend=f.projects.defend,
                    progressive=f.projects.progressive,
                    attack_value=f.projects.attack_value,
                    defend_value=f.projects.defend_value,
                    progressive_value=f.projects.progressive_value,
                ),
                coverage_score=f.coverage_score,
                team_size=f.team_size,
                plan_period=(f.plan or {}).get("period"),
                plan_completeness=f.plan_completeness(
                    readable_inputs(
                        partial(info.context.visibility.can_read, row=f.account),
                        "AccountComparison.planCompleteness",
                    )
                ),
                share_of_wallet_goal=(f.plan or {}).get("shareOfWalletGoal"),
                share_of_wallet_actual=(f.plan or {}).get("shareOfWalletActual"),
                revenue_goal=(f.plan or {}).get("revenueGoal"),
                margin_goal=(f.plan or {}).get("marginGoal"),
                account_id=f.account.id,
            )
            for f in (figures[str(i)] for i in ids)
        ]

    @strawberry.field(
        metadata=meta("partners"),
        description="The client needs recorded at an account, by name; NOT_FOUND when out of "
        "reach.",
    )
    async def account_needs(self, info: Info, account_id: strawberry.ID) -> list[Need] | None:
        try:
            found = await partners.account_needs(
                info.context.db, info.context.scope, str(account_id)
            )
        except NotFound:
            raise NotFoundError(f"no account with id {account_id}", argument="accountId") from None
        return [Need(id=strawberry.ID(n.id), name=n.name, description=n.description) for n in found]

    @strawberry.field(
        metadata=meta("partners"),
        description="For a need: our functional areas that can meet it first, else partners.",
    )
    async def partner_options(self, info: Info, need_id: strawberry.ID) -> PartnerOptions | None:
        try:
            found = await partners.partner_options(
                info.context.db, info.context.scope, str(need_id)
            )
        except NotFound:
            raise NotFoundError(f"no need with id {need_id}", argument="needId") from None
        areas = await info.context.loaders.area_by_id.load_many(
            sorted({a for o in found.options for a in o.area_ids})
        )
        area_by_id = {a.id: a for a in areas if a}
        return PartnerOptions(
            need_id=strawberry.ID(found.need_id),
            need_name=found.need_name,
            description=found.description,
            account_id=strawberry.ID(found.account_id),
            options=[
                CapabilityOption(
                    capability_id=strawberry.ID(o.capability_id),
                    capability_name=o.capability_name,
                    recommendation=o.recommendation,
                    internal=[
                        FunctionalArea(id=strawberry.ID(a), name=area_by_id[a].name)
                        for a in o.area_ids
                        if a in area_by_id
                    ],
                    partners=[
                        PartnerOffer(
                            partner_id=strawberry.ID(x.partner_id),
                            partner_name=x.partner_name,
                            history=[
                                PartnerProject(
                                    project_id=strawberry.ID(h.project_id),
                                    project_name=h.project_name,
                                    account_id=strawberry.ID(h.account_id),
                                    account_name=h.account_name,
                                    status=h.status,
                                )
                                for h in x.history
                            ],
                        )
                        for x in o.partners
                    ],
                )
                for o in found.options
            ],
        )
