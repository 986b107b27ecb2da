"""An account with the lists its page shows, in one round trip.

The account page asks for the account and, below it, its units, contacts, team, projects and
current plan: one loader each, so six queries in two levels. When the selection is known up
front, one query answers all of it: the account (with its row scope) and each asked-for list,
written with the same query pieces the loaders use, so the rows are exactly the loaders' rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, LiteralString

from graph.accounts import ACCOUNT_FIELDS, AccountRow, to_account
from graph.contacts import CONTACTS_PAGE, ContactRow, to_contact
from graph.driver import Database
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
# their name (a page needs an order and a limit); the team and the plans are list
# expressions in the RETURN itself, as the projects are (graph/projects.py).
PAGES: Final[tuple[tuple[str, LiteralString], ...]] = (
    ("units", UNITS_PAGE),
    ("contacts", CONTACTS_PAGE),
)
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
    for name, piece in PAGES:
        if name in wanted:
            text += piece
            returns += ", " + name
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
) -> AccountPage | None:
    """The account and the asked-for lists (units and contacts as first+1 rows), or None
    when the account is missing or out of scope."""
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
    rows = await db.read(_query(wanted, projects), params)
    if not rows:
        return None
    r = rows[0]
    return AccountPage(
        account=to_account(r["account"]),
        units=[to_unit(u) for u in r["units"]] if units is not None else None,
        contacts=[to_contact(c) for c in r["contacts"]] if contacts is not None else None,
        team=to_team(account_id, r["team"]) if team else None,
        projects=to_projects(r["projects"], projects) if projects else None,
        plan=to_current_plan(account_id, r["account"].get("segment"), r["plan"]) if plan else None,
        has_plan=plan,
    )
