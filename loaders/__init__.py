"""Request-scoped DataLoaders, built per request in `get_context`, never at module level.

Every loader that starts from an id the client sent applies the caller's row scope; loaders
that start from an already-scoped parent (an account's units, a unit's contacts) inherit it.
"""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from graph import accounts, contacts, interactions, org, plans, projects, team
from graph.driver import Database
from graph.scope import Scope
from loaders.base import PageKey, by_id, grouped, paged


@dataclass
class Loaders:
    account_by_id: DataLoader[str, accounts.AccountRow | None]
    contact_by_id: DataLoader[str, contacts.ContactRow | None]
    contact_links_by_contact: DataLoader[str, contacts.ContactLinks | None]
    contacts_by_account: DataLoader[PageKey, list[contacts.ContactRow]]
    unit_by_id: DataLoader[str, org.UnitRow | None]
    units_by_account: DataLoader[PageKey, list[org.UnitRow]]
    units_by_parent: DataLoader[str, list[org.UnitRow]]
    contacts_by_unit: DataLoader[PageKey, list[contacts.ContactRow]]
    mirrors_by_unit: DataLoader[str, list[str]]
    member_by_id: DataLoader[str, team.MemberRow | None]
    team_by_account: DataLoader[str, list[team.MembershipRow]]
    memberships_by_member: DataLoader[str, list[team.MembershipRow]]
    area_by_id: DataLoader[str, team.NamedRow | None]
    division_by_id: DataLoader[str, team.NamedRow | None]
    project_by_id: DataLoader[str, projects.ProjectRow | None]
    projects_by_account: DataLoader[str, list[projects.ProjectRow]]
    project_summaries_by_account: DataLoader[str, list[projects.ProjectRow]]
    competition_by_account: DataLoader[str, list[projects.CompetitorPositionRow]]
    interactions_by_account: DataLoader[PageKey, list[interactions.InteractionRow]]
    interactions_by_contact: DataLoader[PageKey, list[interactions.InteractionRow]]
    plan_by_account: DataLoader[str, plans.PlanRow | None]

    def account_projects(
        self, wanted: projects.ProjectsWanted
    ) -> DataLoader[str, list[projects.ProjectRow]]:
        """The loader of accounts' projects as wanted (with or without their details)."""
        return (
            self.project_summaries_by_account if wanted == "summary" else self.projects_by_account
        )


def build_loaders(db: Database, scope: Scope) -> Loaders:
    return Loaders(
        account_by_id=by_id(lambda ids: accounts.accounts_by_ids(db, scope, ids)),
        contact_by_id=by_id(lambda ids: contacts.contacts_by_ids(db, scope, ids)),
        contact_links_by_contact=by_id(lambda ids: contacts.contact_links(db, ids)),
        contacts_by_account=paged(
            lambda ids, first, after: contacts.contacts_of_accounts(db, ids, first, after)
        ),
        unit_by_id=by_id(lambda ids: org.units_by_ids(db, ids)),
        units_by_account=paged(
            lambda ids, first, after: org.units_of_accounts(db, ids, first, after)
        ),
        units_by_parent=grouped(lambda ids: org.child_units(db, ids)),
        contacts_by_unit=paged(
            lambda ids, first, after: org.contacts_of_units(db, ids, first, after)
        ),
        mirrors_by_unit=grouped(lambda ids: org.mirrored_by(db, ids)),
        member_by_id=by_id(lambda ids: team.members_by_ids(db, ids)),
        team_by_account=grouped(lambda ids: team.teams_of_accounts(db, ids, scope.today)),
        memberships_by_member=grouped(lambda ids: team.memberships_of_members(db, scope, ids)),
        area_by_id=by_id(lambda ids: team.areas_by_ids(db, ids)),
        division_by_id=by_id(lambda ids: team.divisions_by_ids(db, ids)),
        project_by_id=by_id(lambda ids: projects.projects_by_ids(db, scope, ids)),
        projects_by_account=grouped(lambda ids: projects.projects_of_accounts(db, ids, "full")),
        project_summaries_by_account=grouped(
            lambda ids: projects.projects_of_accounts(db, ids, "summary")
        ),
        competition_by_account=grouped(lambda ids: projects.competition_of_accounts(db, ids)),
        interactions_by_account=paged(
            lambda ids, first, after: interactions.interactions_of_accounts(db, ids, first, after)
        ),
        interactions_by_contact=paged(
            lambda ids, first, after: interactions.interactions_of_contacts(db, ids, first, after)
        ),
        plan_by_account=by_id(lambda ids: plans.current_plans(db, ids)),
    )
