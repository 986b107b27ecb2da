"""An account with the lists its page shows, in one session.

The account page asks for the account and, below it, its units, contacts, team, projects and
current plan: one loader each, so six queries in two levels. When the selection is known up
front, one query answers all of it: the account (with its row scope) and each asked-for list,
written with the same query pieces the loaders use, so the rows are exactly the loaders' rows.
An account with more contacts than `CONTACTS_INLINE` is the exception: its contacts come next,
on the same session and only once the account is known to be in reach, from the index of each
contact's account and name (graph/contacts.py, `CONTACTS_BY_KEY`), without sorting them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, LiteralString

from graph.accounts import ACCOUNT_FIELDS, AccountRow, to_account
from graph.contacts import CONTACTS_BY_KEY, CONTACTS_PAGE_IF_FEW, ContactRow, to_contact
from graph.driver import Database, Row
from graph.org import UNITS_PAGE, UnitRow, to_unit
from graph.plans import CURRENT_PLAN, PlanRow, to_current_plan
from graph.projects import PROJECTS_OF_ACCOUNT, ProjectRow, ProjectsWanted, to_projects
from graph.scope import ACCOUNT_IN_SCOPE, Scope, page_params
from graph.team import TEAM_NOW, MembershipRow, to_team

Page = tuple[int, tuple[str, str] | None]  # (first, after key)

HEAD: Final = (
    "MATCH (a:Account {id: $id}) WHERE coalesce(a.archived, false) = false AND "
    + ACCOUNT_IN_SCOPE
    + " "
)
# Each part, in a fixed order (no input in Cypher). The paged lists are subqueries binding
# their names (a page needs an order and a limit; the contacts' comes first, as its `WITH`
# carries `a` alone); the team and the plans are list expressions in the RETURN itself, as the
# projects are (graph/projects.py).
PAGES: Final[tuple[tuple[str, LiteralString, LiteralString], ...]] = (
    ("contacts", CONTACTS_PAGE_IF_FEW, "contacts, contactsFound"),
    ("units", UNITS_PAGE, "units"),
)
# Up to this many people in its units, an account's page sorts its contacts in its own
# statement; beyond, they are read from the index (see the module's note). At about a hundred
# contacts the sort costs a fraction of a millisecond, at a thousand twice a second statement.
CONTACTS_INLINE: Final = 200
LISTS: Final[tuple[tuple[str, LiteralString], ...]] = (
    ("team", TEAM_NOW),
    ("plan", CURRENT_PLAN),
)


@dataclass(frozen=True)
class AccountPage:
    account: AccountRow
    units: list[UnitRow] | None
    contacts: list[ContactRow] | None
    team: list[MembershipRow] | None
    projects: list[ProjectRow] | None
    plan: PlanRow | None
    has_plan: bool  # whether `plan` was asked for (None then means: the account has none)


def _query(wanted: set[str], projects: ProjectsWanted | None) -> LiteralString:
    text: LiteralString = HEAD
    returns: LiteralString = "RETURN " + ACCOUNT_FIELDS + " AS account"
    for name, piece, names in PAGES:
        if name in wanted:
            text += piece
            returns += ", " + names
    for name, expression in LISTS:
        if name in wanted:
            returns += ", " + expression + " AS " + name
    if projects is not None:
        returns += ", " + PROJECTS_OF_ACCOUNT[projects] + " AS projects"
    return text + returns


async def account_with_lists(
    db: Database,
    scope: Scope,
    account_id: str,
    units: Page | None,
    contacts: Page | None,
    team: bool,
    projects: ProjectsWanted | None,
    plan: bool = False,
    contacts_inline: int = CONTACTS_INLINE,
) -> AccountPage | None:
    """The account and the asked-for lists (units and contacts as first+1 rows), or None
    when the account is missing or out of scope. (`contacts_inline`: see `CONTACTS_INLINE`;
    tests read a small account's contacts both ways with it.)"""
    params: dict[str, Any] = {"id": account_id, **scope.params()}
    wanted: set[str] = set()
    for name, page in (("units", units), ("contacts", contacts)):
        if page is not None:
            wanted.add(name)
            params.update(page_params([], page[0], page[1], name))
    if team:
        wanted.add("team")  # its `$today` is the scope's
    if plan:
        wanted.add("plan")
    params.pop("ids", None)
    params["contactsInline"] = contacts_inline

    def by_key(rows: list[Row]) -> LiteralString | None:
        many = contacts is not None and rows[0]["contactsFound"] > contacts_inline
        return CONTACTS_BY_KEY if many else None

    rows, by_key_rows = await db.read_then(_query(wanted, projects), by_key, params)
    if not rows:
        return None
    r = rows[0]
    if by_key_rows is not None:
        r["contacts"] = [c["contact"] for c in by_key_rows]
    return AccountPage(
        account=to_account(r["account"]),
        units=[to_unit(u) for u in r["units"]] if units is not None else None,
        contacts=[to_contact(c) for c in r["contacts"]] if contacts is not None else None,
        team=to_team(account_id, r["team"]) if team else None,
        projects=to_projects(r["projects"], projects) if projects else None,
        plan=to_current_plan(account_id, r["account"].get("segment"), r["plan"]) if plan else None,
        has_plan=plan,
    )
