"""Major projects at an account and their buying centres."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, LiteralString

from graph.convert import native_row
from graph.driver import Database
from graph.scope import ACCOUNT_IN_SCOPE, OTHER_ACCOUNT_IN_SCOPE, Scope


@dataclass(slots=True)
class ProjectRow:
    id: str
    name: str
    kind: str
    status: str | None
    stage: str | None
    value: float | None
    next_step: str | None
    account_id: str
    partner_ids: list[str]
    buying_centre: list[tuple[str, str]]  # (contact id, buying role)
    milestones: list[dict[str, Any]]
    status_history: list[dict[str, Any]]


# The comprehensions' variables have names of their own: a name the enclosing statement binds
# (a blocker `c` and its `d:DECIDES`, a member `m`) would narrow the list to that one.
PROJECT_FIELDS: Final = """p {
  .id, .name, .kind, .status, .stage, .value, .nextStep, accountId: a.id,
  partnerIds: [(p)-[:WITH_PARTNER]->(projectPartner:Partner) | projectPartner.id],
  buyingCentre: [(p)<-[buyingRole:DECIDES]-(buyer:Contact) | [buyer.id, buyingRole.role]],
  milestones: [(p)-[:HAS_MILESTONE]->(milestone:Milestone) | milestone {.id, .name, .due, .doneAt}],
  history: coalesce(p.history, [])
}"""


def to_project(r: dict[str, Any], summary: bool = False) -> ProjectRow:
    """A project row; `summary`: the row has no details (see SUMMARY_FIELDS), so they are
    empty here, not known to be empty."""
    return ProjectRow(
        id=r["id"],
        name=r["name"],
        kind=r["kind"],
        status=r.get("status"),
        stage=r.get("stage"),
        value=r.get("value"),
        next_step=r.get("nextStep"),
        account_id=r["accountId"],
        partner_ids=[] if summary else sorted(r["partnerIds"]),
        buying_centre=[] if summary else sorted((b[0], b[1]) for b in r["buyingCentre"]),
        milestones=[]
        if summary
        else sorted(
            (native_row(m) for m in r.get("milestones") or []),
            key=lambda m: (m.get("due"), m["id"]),
        ),
        status_history=[] if summary else [json.loads(h) for h in r.get("history") or []],
    )


PROJECTS_BY_IDS: Final = (
    """
MATCH (p:Project) WHERE p.id IN $ids AND coalesce(p.archived, false) = false
MATCH (a:Account)-[:HAS_PROJECT]->(p)
WHERE """
    + ACCOUNT_IN_SCOPE
    + """
RETURN """
    + PROJECT_FIELDS
    + " AS project"
)


async def projects_by_ids(db: Database, scope: Scope, ids: Sequence[str]) -> dict[str, ProjectRow]:
    rows = await db.read(PROJECTS_BY_IDS, {"ids": list(ids), **scope.params()})
    return {r["project"]["id"]: to_project(r["project"]) for r in rows}


# How an account's projects are wanted: "full", or "summary" without their details (partners,
# buying centre, milestones, history), for a list that shows only the project's own fields
# such as a portfolio page's figures; the buying centre alone is most of a project's cost.
ProjectsWanted = Literal["full", "summary"]
SUMMARY_FIELDS: Final = frozenset(
    {"id", "name", "kind", "status", "stage", "value", "nextStep", "accountId", "__typename"}
)

# An account's live projects as a list expression, for any query with `a` bound (the account
# page, the account list and the loaders): a pattern comprehension is cheaper than a subquery
# per account on ArcadeDB. It has no order: `to_projects` sorts by name, then id.
_LIVE_PROJECTS: Final = (
    "[(a)-[:HAS_PROJECT]->(p:Project) WHERE coalesce(p.archived, false) = false | "
)
PROJECTS_OF_ACCOUNT: Final[dict[ProjectsWanted, LiteralString]] = {
    "full": _LIVE_PROJECTS + PROJECT_FIELDS + "]",
    "summary": _LIVE_PROJECTS
    + "p {.id, .name, .kind, .status, .stage, .value, .nextStep, accountId: a.id}]",
}


def to_projects(rows: list[dict[str, Any]], wanted: ProjectsWanted) -> list[ProjectRow]:
    """An account's projects in their list order: by name, then id."""
    summary = wanted == "summary"
    return sorted((to_project(p, summary) for p in rows), key=lambda p: (p.name, p.id))


async def projects_of_accounts(
    db: Database, ids: Sequence[str], wanted: ProjectsWanted
) -> dict[str, list[ProjectRow]]:
    """Each account's projects, as wanted."""
    query = (
        "UNWIND $ids AS accountId MATCH (a:Account {id: accountId}) "
        "RETURN accountId, " + PROJECTS_OF_ACCOUNT[wanted] + " AS projects"
    )
    rows = await db.read(query, {"ids": list(ids)})
    return {r["accountId"]: to_projects(r["projects"], wanted) for r in rows}


COMPETITION_OF_ACCOUNTS: Final = """
UNWIND $ids AS accountId
MATCH (a:Account {id: accountId})
RETURN accountId,
  [(a)<-[r:COMPETES_AT]-(x:Competitor) |
    {id: x.id, name: x.name, share: r.share, position: r.position}]
    AS competitors
"""


@dataclass(frozen=True)
class CompetitorPositionRow:
    competitor_id: str
    name: str
    share: float | None
    position: str | None


async def competition_of_accounts(
    db: Database, ids: Sequence[str]
) -> dict[str, list[CompetitorPositionRow]]:
    rows = await db.read(COMPETITION_OF_ACCOUNTS, {"ids": list(ids)})
    return {
        r["accountId"]: sorted(
            (
                CompetitorPositionRow(c["id"], c["name"], c.get("share"), c.get("position"))
                for c in r["competitors"]
            ),
            key=lambda c: (-(c.share or 0), c.name),
        )
        for r in rows
    }


@dataclass(frozen=True)
class ProjectRisk:
    project: ProjectRow
    overdue_milestones: list[tuple[str, str]]  # (id, name)
    has_champion: bool
    blocker_ids: list[str]
    last_activity: Any
    reasons: list[str]


# Each input of a risk reason is read only when the caller may read its section ($readCentre:
# network.influence, $readInteractions: interactions; DERIVED in auth/registry.py), and only
# people of accounts in the caller's reach count (edges may cross accounts).
PROJECTS_AT_RISK: Final = (
    """
MATCH (a:Account)-[:HAS_PROJECT]->(p:Project)
WHERE coalesce(p.status, 'OPEN') = 'OPEN' AND coalesce(p.archived, false) = false
  AND coalesce(a.archived, false) = false AND """
    + ACCOUNT_IN_SCOPE
    + """
CALL (p) {
  OPTIONAL MATCH (p)<-[d:DECIDES]-(c:Contact)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(b:Account)
  WHERE $readCentre AND """
    + OTHER_ACCOUNT_IN_SCOPE
    + """
  RETURN collect(CASE WHEN c IS NULL THEN null ELSE [c.id, d.role] END) AS centre
}
CALL (a, p) {
  OPTIONAL MATCH (p)<-[:DECIDES]-(:Contact)<-[:WITH]-(i:Interaction)-[:ABOUT]->(a)
  WHERE $readInteractions AND coalesce(i.archived, false) = false
  RETURN max(i.at) AS lastTouch
}
WITH a, p, centre, lastTouch,
  [(p)-[:HAS_MILESTONE]->(m:Milestone) WHERE m.doneAt IS NULL AND m.due < $asOfDate
    | [m.id, m.name]] AS overdue
WITH a, p, overdue, centre,
  [x IN centre WHERE x[1] = 'CHAMPION' | x[0]] AS champions,
  [x IN centre WHERE x[1] = 'BLOCKER' | x[0]] AS blockers,
  CASE WHEN lastTouch IS NOT NULL AND (p.updatedAt IS NULL OR lastTouch > p.updatedAt)
       THEN lastTouch ELSE p.updatedAt END AS lastActivity
WHERE size(overdue) > 0 OR ($readCentre AND (size(champions) = 0 OR size(blockers) > 0))
   OR lastActivity IS NULL OR lastActivity < $quietSince
RETURN """
    + PROJECT_FIELDS
    + """ AS project, overdue, size(champions) > 0 AS champion, blockers, lastActivity
"""
)


async def projects_at_risk(
    db: Database, scope: Scope, as_of: Any, quiet_days: int, readable: frozenset[str]
) -> list[ProjectRisk]:
    """Open projects with overdue milestones, no champion, a blocker, or no recent activity,
    judged only on the `readable` sections (network.influence, interactions)."""
    from datetime import timedelta

    from graph.convert import native

    read_centre = "network.influence" in readable
    rows = await db.read(
        PROJECTS_AT_RISK,
        {
            **scope.params(),
            "asOfDate": as_of.date(),
            "quietSince": as_of - timedelta(days=quiet_days),
            "readCentre": read_centre,
            "readInteractions": "interactions" in readable,
        },
    )
    risks = []
    for r in rows:
        last = native(r["lastActivity"])
        reasons = []
        if r["overdue"]:
            reasons.append("OVERDUE_MILESTONE")
        if read_centre and not r["champion"]:
            reasons.append("NO_CHAMPION")
        if read_centre and r["blockers"]:
            reasons.append("BLOCKER")
        if last is None or last < as_of - timedelta(days=quiet_days):
            reasons.append("NO_ACTIVITY")
        risks.append(
            ProjectRisk(
                to_project(r["project"]),
                [(m[0], m[1]) for m in r["overdue"]],
                bool(r["champion"]),
                sorted(r["blockers"]),
                last,
                reasons,
            )
        )
    return sorted(risks, key=lambda x: (-len(x.reasons), x.project.name))
