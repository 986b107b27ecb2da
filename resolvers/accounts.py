"""Accounts in the API: the type, `account(id)` and `accounts(filter, first, after)`."""

from __future__ import annotations

from enum import Enum

import strawberry

from auth.registry import ENUM_VALUE_SECTIONS
from graph.account_page import account_with_lists
from graph.accounts import AccountFilter, account_page, sort_key
from graph.projects import ProjectsWanted
from resolvers.context import Info, Selected, selected_directly
from resolvers.errors import Forbidden, InvalidInput, NotFoundError
from resolvers.relay import (
    MAX_PAGE,
    Connection,
    check_first,
    connection_of,
    decode_cursor,
)
from resolvers.sections import meta
from resolvers.types import Account, projects_wanted


@strawberry.input(description="Filters of the account list; every given one must hold.")
class AccountFilterInput:
    name_contains: str | None = None
    segment: str | None = None
    industry: str | None = None
    tier: str | None = None
    status: str | None = None
    geo_division_id: strawberry.ID | None = None
    team_member_id: strawberry.ID | None = None

    def to_filter(self) -> AccountFilter:
        return AccountFilter(
            name_contains=self.name_contains,
            segment=self.segment,
            industry=self.industry,
            tier=self.tier,
            status=self.status,
            geo_division_id=self.geo_division_id,
            team_member_id=self.team_member_id,
        )


AccountConnection = Connection[Account]


@strawberry.enum(description="Orders of the account list; figures need read access to them.")
class AccountSort(Enum):
    NAME = "NAME"
    MARKET_POTENTIAL = "MARKET_POTENTIAL"


# A sort by a figure needs an unconditional read of the figure's section (auth/registry.py).
SORT_SECTIONS = ENUM_VALUE_SECTIONS["AccountSort"]


@strawberry.type
class AccountQueries:
    @strawberry.field(
        metadata=meta("account.profile"),
        description="One account by id; NOT_FOUND when it is out of reach.",
    )
    async def account(self, info: Info, id: strawberry.ID) -> Account | None:
        await _prime_account_page(info, str(id))
        row = await info.context.loaders.account_by_id.load(str(id))
        if row is None:
            raise NotFoundError(f"no account with id {id}", argument="id")
        return Account.from_row(row)

    @strawberry.field(
        metadata=meta("account.profile"),
        description="Accounts in the caller's reach, sorted by name.",
    )
    async def accounts(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: AccountFilterInput | None = None,
        sort: AccountSort = AccountSort.NAME,
    ) -> AccountConnection:
        check_first(first)
        section = SORT_SECTIONS.get(sort.value)
        if section and not info.context.visibility.can_read_everywhere(section):
            raise Forbidden(
                f"your role may not sort by {sort.value}: it needs {section}", section=section
            )
        cursor = decode_cursor(after, 2)
        # A portfolio page shows each account's projects: they come with the page, without
        # their details when none is selected.
        projects: ProjectsWanted | None = None
        if info.context.visibility.may_see_section("projects") and selected_directly(
            info, PROJECTS, under=("edges", "node")
        ):
            projects = projects_wanted(info, ("edges", "node", "projects"))
        page = await account_page(
            info.context.db,
            info.context.scope,
            filter.to_filter() if filter else AccountFilter(),
            first,
            (cursor[0], cursor[1]) if cursor else None,
            sort.value,
            projects,
        )
        if projects is not None and page.projects is not None:
            info.context.loaders.account_projects(projects).prime_many(page.projects)
        return connection_of(
            [Account.from_row(r) for r in page.rows],
            [sort_key(r, sort.value) for r in page.rows],
            page.more,
        )


PROJECTS = frozenset({"projects"})


# The lists under an account that its page query can answer with the account itself.
# Each with the section that guards it: a list the caller may not see at all is not fetched.
PAGE_LISTS = frozenset({"units", "contacts", "team", "projects", "plan"})
LIST_SECTIONS = {
    "units": "org.structure",
    "contacts": "contact.profile",
    "team": "team.matrix",
    "projects": "projects",
}


def _page_of_selection(field: Selected) -> tuple[int, tuple[str, str] | None] | None:
    """(first, after key) of a connection field as selected, or None when its arguments are
    not valid (the field's own resolver then says what is wrong)."""
    first = field.arguments.get("first", 50)
    after = field.arguments.get("after")
    if not isinstance(first, int) or not 1 <= first <= MAX_PAGE:
        return None
    if after is not None and not isinstance(after, str):
        return None
    try:
        key = decode_cursor(after, 2)
    except InvalidInput:
        return None
    return first, (key[0], key[1]) if key else None


async def _prime_account_page(info: Info, account_id: str) -> None:
    """Answer the account and the lists selected under it in one query, and hand the rows to
    the loaders their resolvers use (same keys), so the page costs one round trip, not six.
    Only fields selected directly (not through fragments) are folded in; the rest load as
    usual."""
    loaders = info.context.loaders
    visibility = info.context.visibility
    chosen = {
        name: field
        for name, field in selected_directly(info, PAGE_LISTS).items()
        if name not in LIST_SECTIONS or visibility.may_see_section(LIST_SECTIONS[name])
    }
    if not chosen:
        return
    units = _page_of_selection(chosen["units"]) if "units" in chosen else None
    contacts = _page_of_selection(chosen["contacts"]) if "contacts" in chosen else None
    projects = projects_wanted(info, ("projects",)) if "projects" in chosen else None
    page = await account_with_lists(
        info.context.db,
        info.context.scope,
        account_id,
        units,
        contacts,
        team="team" in chosen,
        projects=projects,
        plan="plan" in chosen,
    )
    if page is None:
        loaders.account_by_id.prime(account_id, None)
        return
    loaders.account_by_id.prime(account_id, page.account)
    if units is not None and page.units is not None:
        loaders.units_by_account.prime((account_id, units[0], units[1]), page.units)
    if contacts is not None and page.contacts is not None:
        loaders.contacts_by_account.prime((account_id, contacts[0], contacts[1]), page.contacts)
    if page.team is not None:
        loaders.team_by_account.prime(account_id, page.team)
        loaders.member_by_id.prime_many({m.id: m for m in page.members})
    if projects is not None and page.projects is not None:
        loaders.account_projects(projects).prime(account_id, page.projects)
    if page.has_plan:
        loaders.plan_by_account.prime(account_id, page.plan)
