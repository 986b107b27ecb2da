"""Accounts in the API: the type, `account(id)` and `accounts(filter, first, after)`."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.types import get_object_definition

from auth.registry import ENUM_VALUE_SECTIONS
from graph.account_page import AccountPage, account_with_lists
from graph.account_page import Page as PageKey
from graph.accounts import AccountFilter, account_page, sort_key
from graph.projects import ProjectRow, ProjectsWanted
from resolvers.account_types import NO_LISTS, Account, AccountLists
from resolvers.context import Info, Selected, selected_directly
from resolvers.errors import Forbidden, InvalidInput, NotFoundError
from resolvers.lists import Prefetched
from resolvers.project_types import projects_wanted
from resolvers.relay import (
    MAX_PAGE,
    Connection,
    check_first,
    connection_of,
    decode_cursor,
)
from resolvers.rows import of_row
from resolvers.sections import AUTHENTICATED, PUBLIC, meta, section_of


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
        account = await _account_with_its_page(info, str(id))
        if account is None:
            raise NotFoundError(f"no account with id {id}", argument="id")
        return account

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
        return connection_of(
            [
                of_row(Account, r, lists=_with_projects(projects, page.projects, r.id))
                for r in page.rows
            ],
            [sort_key(r, sort.value) for r in page.rows],
            page.more,
        )


PROJECTS = frozenset({"projects"})


def _with_projects(
    wanted: ProjectsWanted | None, projects: dict[str, list[ProjectRow]] | None, account_id: str
) -> AccountLists:
    """What an account of a portfolio page came with: its projects, when the page has them."""
    rows = projects.get(account_id) if projects is not None else None
    if wanted is None or rows is None:
        return NO_LISTS
    return AccountLists(projects=Prefetched(wanted, rows))


# The lists under an account that its page query can answer with the account itself, and the
# section guarding each (declared on its field): a list the caller may not see is not fetched.
PAGE_LISTS = frozenset({"units", "contacts", "team", "projects", "plan"})
ACCOUNT_FIELDS = {f.python_name: f for f in get_object_definition(Account, strict=True).fields}
LIST_SECTIONS = {
    name: section
    for name in PAGE_LISTS
    if (section := section_of(ACCOUNT_FIELDS[name])) not in (None, AUTHENTICATED, PUBLIC)
}


# Each paged list's arguments as its field declares them, defaults included.
LIST_DEFAULTS: dict[str, dict[str, Any]] = {
    name: {a.python_name: a.default for a in ACCOUNT_FIELDS[name].arguments}
    for name in ("units", "contacts")
}


def _page_of_selection(field: Selected) -> PageKey | None:
    """(first, after key) of a connection field as selected, its field's defaults where not
    given; None when its arguments are not valid (the field's own resolver then says what is
    wrong, and loads its rows)."""
    defaults = LIST_DEFAULTS[field.name]
    first = field.arguments.get("first", defaults["first"])
    after = field.arguments.get("after", defaults["after"])
    if not isinstance(first, int) or not 1 <= first <= MAX_PAGE:
        return None
    if after is not None and not isinstance(after, str):
        return None
    try:
        key = decode_cursor(after, 2)
    except InvalidInput:
        return None
    return first, (key[0], key[1]) if key else None


async def _account_with_its_page(info: Info, account_id: str) -> Account | None:
    """The account, with the lists selected directly under it (not through fragments) in the
    same query: one round trip for the page, not six. The account carries them (`lists`), each
    with the arguments it answers; its fields read them there. None: missing or out of scope."""
    visibility = info.context.visibility
    chosen = {
        name: field
        for name, field in selected_directly(info, PAGE_LISTS).items()
        if name not in LIST_SECTIONS or visibility.may_see_section(LIST_SECTIONS[name])
    }
    if not chosen:
        row = await info.context.loaders.account_by_id.load(account_id)
        return of_row(Account, row) if row is not None else None
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
        return None
    # The entities it brought also go to the request's by-id caches, for other fields of the
    # query that name them (a unit's mirrors, who knows a contact).
    lists = _lists_of(page, units, contacts, projects)
    info.context.loaders.account_by_id.prime(account_id, page.account)
    members = {p.member_id: p.member for p in page.team or [] if p.member is not None}
    info.context.loaders.member_by_id.prime_many(members)
    return of_row(Account, page.account, lists=lists)


def _lists_of(
    page: AccountPage,
    units: PageKey | None,
    contacts: PageKey | None,
    projects: ProjectsWanted | None,
) -> AccountLists:
    return AccountLists(
        units=Prefetched(units, page.units) if units and page.units is not None else None,
        contacts=(
            Prefetched(contacts, page.contacts) if contacts and page.contacts is not None else None
        ),
        team=page.team,
        projects=(
            Prefetched(projects, page.projects) if projects and page.projects is not None else None
        ),
        has_plan=page.has_plan,
        plan=page.plan,
    )
