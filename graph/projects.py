"""Major projects at an account and their buying centres."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from graph.driver import Database
from graph.scope import ACCOUNT_IN_SCOPE, Scope


@dataclass(frozen=True)
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


PROJECT_FIELDS: Final = """p {
  .id, .name, .kind, .status, .stage, .value, .nextStep, accountId: a.id,
  partnerIds: [(p)-[:WITH_PARTNER]->(x:Partner) | x.id],
  buyingCentre: [(p)<-[d:DECIDES]-(c:Contact) | [c.id, d.role]]
}"""


def to_project(r: dict[str, Any]) -> ProjectRow:
    return ProjectRow(
        id=r["id"],
        name=r["name"],
        kind=r["kind"],
        status=r.get("status"),
        stage=r.get("stage"),
        value=r.get("value"),
        next_step=r.get("nextStep"),
        account_id=r["accountId"],
        partner_ids=sorted(r["partnerIds"]),
        buying_centre=sorted((b[0], b[1]) for b in r["buyingCentre"]),
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


PROJECTS_OF_ACCOUNTS: Final = (
    """
UNWIND $ids AS accountId
MATCH (a:Account {id: accountId})
CALL (a) {
  MATCH (a)-[:HAS_PROJECT]->(p:Project)
  WHERE coalesce(p.archived, false) = false
  WITH a, p ORDER BY p.name, p.id
  RETURN collect("""
    + PROJECT_FIELDS
    + """) AS projects
}
RETURN accountId, projects
"""
)


async def projects_of_accounts(db: Database, ids: Sequence[str]) -> dict[str, list[ProjectRow]]:
    rows = await db.read(PROJECTS_OF_ACCOUNTS, {"ids": list(ids)})
    return {r["accountId"]: [to_project(p) for p in r["projects"]] for r in rows}


COMPETITION_OF_ACCOUNTS: Final = """
UNWIND $ids AS accountId
MATCH (a:Account {id: accountId})
RETURN accountId,
  [(a)<-[r:COMPETES_AT]-(x:Competitor) | {id: x.id, name: x.name, share: r.share, position: r.position}]
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
