"""Request-scoped DataLoaders, built per request in `get_context`, never at module level.

Every loader that starts from an id the client sent applies the caller's row scope; loaders
that start from an already-scoped parent (an account's units, a unit's contacts) inherit it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from strawberry.dataloader import DataLoader

from graph import accounts, changes, contacts, interactions, org, plans, projects, team
from graph.driver import Database
from graph.scope import Scope
from loaders.base import OnFirstUse, PageKey, by_id, grouped, paged


class Loaders:
    """The loaders of one request. Each is built the first time a resolver asks for it: a
    request reads a few of them, and building all of them cost every request its time."""

    def __init__(self, db: Database, scope: Scope) -> None:
        self.db, self.scope = db, scope
        self._since: dict[tuple[str, datetime], DataLoader[str, Any]] = {}

    account_by_id: OnFirstUse[DataLoader[str, accounts.AccountRow | None]] = OnFirstUse(
        lambda db, scope: by_id(lambda ids: accounts.accounts_by_ids(db, scope, ids))
    )
    contact_by_id: OnFirstUse[DataLoader[str, contacts.ContactRow | None]] = OnFirstUse(
        lambda db, scope: by_id(lambda ids: contacts.contacts_by_ids(db, scope, ids))
    )
    contact_links_by_contact: OnFirstUse[DataLoader[str, contacts.ContactLinks | None]] = (
        OnFirstUse(lambda db, scope: by_id(lambda ids: contacts.contact_links(db, ids)))
    )
    contacts_by_account: OnFirstUse[DataLoader[PageKey, list[contacts.ContactRow]]] = OnFirstUse(
        lambda db, scope: paged(
            lambda ids, first, after: contacts.contacts_of_accounts(db, ids, first, after)
        )
    )
    unit_by_id: OnFirstUse[DataLoader[str, org.UnitRow | None]] = OnFirstUse(
        lambda db, scope: by_id(lambda ids: org.units_by_ids(db, ids))
    )
    units_by_account: OnFirstUse[DataLoader[PageKey, list[org.UnitRow]]] = OnFirstUse(
        lambda db, scope: paged(
            lambda ids, first, after: org.units_of_accounts(db, ids, first, after)
        )
    )
    units_by_parent: OnFirstUse[DataLoader[str, list[org.UnitRow]]] = OnFirstUse(
        lambda db, scope: grouped(lambda ids: org.child_units(db, ids))
    )
    contacts_by_unit: OnFirstUse[DataLoader[PageKey, list[contacts.ContactRow]]] = OnFirstUse(
        lambda db, scope: paged(
            lambda ids, first, after: org.contacts_of_units(db, ids, first, after)
        )
    )
    mirrors_by_unit: OnFirstUse[DataLoader[str, list[str]]] = OnFirstUse(
        lambda db, scope: grouped(lambda ids: org.mirrored_by(db, ids))
    )
    member_by_id: OnFirstUse[DataLoader[str, team.MemberRow | None]] = OnFirstUse(
        lambda db, scope: by_id(lambda ids: team.members_by_ids(db, ids))
    )
    team_by_account: OnFirstUse[DataLoader[str, list[team.MembershipRow]]] = OnFirstUse(
        lambda db, scope: grouped(lambda ids: team.teams_of_accounts(db, ids, scope.today))
    )
    memberships_by_member: OnFirstUse[DataLoader[str, list[team.MembershipRow]]] = OnFirstUse(
        lambda db, scope: grouped(lambda ids: team.memberships_of_members(db, scope, ids))
    )
    area_by_id: OnFirstUse[DataLoader[str, team.NamedRow | None]] = OnFirstUse(
        lambda db, scope: by_id(lambda ids: team.areas_by_ids(db, ids))
    )
    division_by_id: OnFirstUse[DataLoader[str, team.NamedRow | None]] = OnFirstUse(
        lambda db, scope: by_id(lambda ids: team.divisions_by_ids(db, ids))
    )
    project_by_id: OnFirstUse[DataLoader[str, projects.ProjectRow | None]] = OnFirstUse(
        lambda db, scope: by_id(lambda ids: projects.projects_by_ids(db, scope, ids))
    )
    projects_by_account: OnFirstUse[DataLoader[str, list[projects.ProjectRow]]] = OnFirstUse(
        lambda db, scope: grouped(lambda ids: projects.projects_of_accounts(db, ids, "full"))
    )
    project_summaries_by_account: OnFirstUse[DataLoader[str, list[projects.ProjectRow]]] = (
        OnFirstUse(
            lambda db, scope: grouped(lambda ids: projects.projects_of_accounts(db, ids, "summary"))
        )
    )
    competition_by_account: OnFirstUse[DataLoader[str, list[projects.CompetitorPositionRow]]] = (
        OnFirstUse(lambda db, scope: grouped(lambda ids: projects.competition_of_accounts(db, ids)))
    )
    interactions_by_account: OnFirstUse[DataLoader[PageKey, list[interactions.InteractionRow]]] = (
        OnFirstUse(
            lambda db, scope: paged(
                lambda ids, first, after: interactions.interactions_of_accounts(
                    db, ids, first, after
                )
            )
        )
    )
    interactions_by_contact: OnFirstUse[DataLoader[PageKey, list[interactions.InteractionRow]]] = (
        OnFirstUse(
            lambda db, scope: paged(
                lambda ids, first, after: interactions.interactions_of_contacts(
                    db, ids, first, after
                )
            )
        )
    )
    plan_by_account: OnFirstUse[DataLoader[str, plans.PlanRow | None]] = OnFirstUse(
        lambda db, scope: by_id(lambda ids: plans.current_plans(db, ids))
    )

    def sync_conflicts_since(self, since: datetime) -> DataLoader[str, list[changes.ConflictRow]]:
        """Accounts' sync conflicts since a moment (one loader per moment asked)."""
        key = ("conflicts", since)
        if key not in self._since:
            db = self.db
            self._since[key] = grouped(lambda ids: changes.sync_conflicts(db, ids, since))
        return self._since[key]

    def job_changes_since(self, since: datetime) -> DataLoader[str, list[changes.JobChangeRow]]:
        """Accounts' people's job changes recorded since a moment."""
        key = ("jobs", since)
        if key not in self._since:
            db = self.db
            self._since[key] = grouped(lambda ids: changes.job_changes(db, ids, since))
        return self._since[key]

    def account_projects(
        self, wanted: projects.ProjectsWanted
    ) -> DataLoader[str, list[projects.ProjectRow]]:
        """The loader of accounts' projects as wanted (with or without their details)."""
        return (
            self.project_summaries_by_account if wanted == "summary" else self.projects_by_account
        )


def build_loaders(db: Database, scope: Scope) -> Loaders:
    return Loaders(db, scope)
