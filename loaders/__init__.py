"""Request-scoped DataLoaders, built per request in `get_context`, never at module level.

Every loader that starts from an id the client sent applies the caller's row scope; loaders
that start from an already-scoped parent (an account's units, a unit's contacts) inherit it.
"""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from graph import accounts, contacts, interactions, org, plans, projects, team
from graph.driver import Database
from graph.scope import Scope
from loaders.base import PageKey, by_id, grouped, paged


class Loaders:
    """The loaders of one request. Each is built the first time a resolver asks for it: a
    request reads a few of them, and building all of them cost every request its time."""

    def __init__(self, db: Database, scope: Scope) -> None:
        self._db, self._scope = db, scope

    @cached_property
    def account_by_id(self) -> DataLoader[str, accounts.AccountRow | None]:
        db, scope = self._db, self._scope
        return by_id(lambda ids: accounts.accounts_by_ids(db, scope, ids))

    @cached_property
    def contact_by_id(self) -> DataLoader[str, contacts.ContactRow | None]:
        db, scope = self._db, self._scope
        return by_id(lambda ids: contacts.contacts_by_ids(db, scope, ids))

    @cached_property
    def contact_links_by_contact(self) -> DataLoader[str, contacts.ContactLinks | None]:
        db = self._db
        return by_id(lambda ids: contacts.contact_links(db, ids))

    @cached_property
    def contacts_by_account(self) -> DataLoader[PageKey, list[contacts.ContactRow]]:
        db = self._db
        return paged(lambda ids, first, after: contacts.contacts_of_accounts(db, ids, first, after))

    @cached_property
    def unit_by_id(self) -> DataLoader[str, org.UnitRow | None]:
        db = self._db
        return by_id(lambda ids: org.units_by_ids(db, ids))

    @cached_property
    def units_by_account(self) -> DataLoader[PageKey, list[org.UnitRow]]:
        db = self._db
        return paged(lambda ids, first, after: org.units_of_accounts(db, ids, first, after))

    @cached_property
    def units_by_parent(self) -> DataLoader[str, list[org.UnitRow]]:
        db = self._db
        return grouped(lambda ids: org.child_units(db, ids))

    @cached_property
    def contacts_by_unit(self) -> DataLoader[PageKey, list[contacts.ContactRow]]:
        db = self._db
        return paged(lambda ids, first, after: org.contacts_of_units(db, ids, first, after))

    @cached_property
    def mirrors_by_unit(self) -> DataLoader[str, list[str]]:
        db = self._db
        return grouped(lambda ids: org.mirrored_by(db, ids))

    @cached_property
    def member_by_id(self) -> DataLoader[str, team.MemberRow | None]:
        db = self._db
        return by_id(lambda ids: team.members_by_ids(db, ids))

    @cached_property
    def team_by_account(self) -> DataLoader[str, list[team.MembershipRow]]:
        db, scope = self._db, self._scope
        return grouped(lambda ids: team.teams_of_accounts(db, ids, scope.today))

    @cached_property
    def memberships_by_member(self) -> DataLoader[str, list[team.MembershipRow]]:
        db, scope = self._db, self._scope
        return grouped(lambda ids: team.memberships_of_members(db, scope, ids))

    @cached_property
    def area_by_id(self) -> DataLoader[str, team.NamedRow | None]:
        db = self._db
        return by_id(lambda ids: team.areas_by_ids(db, ids))

    @cached_property
    def division_by_id(self) -> DataLoader[str, team.NamedRow | None]:
        db = self._db
        return by_id(lambda ids: team.divisions_by_ids(db, ids))

    @cached_property
    def project_by_id(self) -> DataLoader[str, projects.ProjectRow | None]:
        db, scope = self._db, self._scope
        return by_id(lambda ids: projects.projects_by_ids(db, scope, ids))

    @cached_property
    def projects_by_account(self) -> DataLoader[str, list[projects.ProjectRow]]:
        db = self._db
        return grouped(lambda ids: projects.projects_of_accounts(db, ids, "full"))

    @cached_property
    def project_summaries_by_account(self) -> DataLoader[str, list[projects.ProjectRow]]:
        db = self._db
        return grouped(lambda ids: projects.projects_of_accounts(db, ids, "summary"))

    @cached_property
    def competition_by_account(self) -> DataLoader[str, list[projects.CompetitorPositionRow]]:
        db = self._db
        return grouped(lambda ids: projects.competition_of_accounts(db, ids))

    @cached_property
    def interactions_by_account(self) -> DataLoader[PageKey, list[interactions.InteractionRow]]:
        db = self._db
        return paged(
            lambda ids, first, after: interactions.interactions_of_accounts(db, ids, first, after)
        )

    @cached_property
    def interactions_by_contact(self) -> DataLoader[PageKey, list[interactions.InteractionRow]]:
        db = self._db
        return paged(
            lambda ids, first, after: interactions.interactions_of_contacts(db, ids, first, after)
        )

    @cached_property
    def plan_by_account(self) -> DataLoader[str, plans.PlanRow | None]:
        db = self._db
        return by_id(lambda ids: plans.current_plans(db, ids))

    def account_projects(
        self, wanted: projects.ProjectsWanted
    ) -> DataLoader[str, list[projects.ProjectRow]]:
        """The loader of accounts' projects as wanted (with or without their details)."""
        return (
            self.project_summaries_by_account if wanted == "summary" else self.projects_by_account
        )


def build_loaders(db: Database, scope: Scope) -> Loaders:
    return Loaders(db, scope)
