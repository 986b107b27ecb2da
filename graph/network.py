"""Who decides, who influences, how we reach them, and where our coverage is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from graph.contacts import CONTACT_FIELDS, ContactRow, to_contact
from graph.convert import native
from graph.driver import Database
from graph.errors import NotFound
from graph.org import UNIT_FIELDS, UnitRow, to_unit
from graph.projects import PROJECT_FIELDS, ProjectRow, to_project
from graph.scope import ACCOUNT_IN_SCOPE, OTHER_ACCOUNT_IN_SCOPE, Scope

MAX_HOPS = 6
KEY_ROLES = ["DECISION_MAKER", "INFLUENCER"]


@dataclass(frozen=True)
class Influence:
    from_id: str
    to_id: str
    strength: float | None


@dataclass(frozen=True)
class DecisionNetwork:
    project: ProjectRow
    centre: list[tuple[str, str]]  # (contact id, buying role)
    contacts: list[ContactRow]  # the centre and everyone within maxHops of influence
    influences: list[Influence]


# Variable-length bounds are literals in Cypher: one statement per allowed hop count,
# chosen from this closed table (never formatted from input).
_AROUND: Final = {1: "1..1", 2: "1..2", 3: "1..3", 4: "1..4"}
_DECISION_HEAD: Final = (
    """
MATCH (a:Account {id: $accountId})-[:HAS_PROJECT]->(p:Project {id: $projectId})
WHERE """
    + ACCOUNT_IN_SCOPE
    + """
CALL (p) {
  // Edges may cross accounts: only people of accounts in the caller's reach take part.
  MATCH (p)<-[d:DECIDES]-(c:Contact)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(b:Account)
  WHERE """
    + OTHER_ACCOUNT_IN_SCOPE
    + """
  RETURN collect([c.id, d.role]) AS centre, collect(c) AS members
}
CALL (members, a) {
  UNWIND members AS m
  MATCH path = (m)-[:INFLUENCES*"""
)
_DECISION_TAIL: Final = (
    """]-(x:Contact)
  WHERE all(n IN nodes(path) WHERE EXISTS { (n)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a) })
  UNWIND relationships(path) AS r
  WITH DISTINCT r
  RETURN collect([startNode(r).id, endNode(r).id, r.strength]) AS influences
}
WITH a, p, centre, members, influences,
     [i IN influences | i[0]] + [i IN influences | i[1]] + [m IN members | m.id] AS ids
CALL (ids) {
  // One id seek per element: ArcadeDB scans every Contact for `c.id IN <computed list>`.
  UNWIND ids AS cid
  MATCH (c:Contact {id: cid})
  WITH DISTINCT c
  RETURN collect("""
    + CONTACT_FIELDS
    + """) AS contacts
}
RETURN """
    + PROJECT_FIELDS
    + """ AS project, centre, influences, contacts
"""
)
DECISION_NETWORK: Final = {
    n: _DECISION_HEAD + bounds + _DECISION_TAIL for n, bounds in _AROUND.items()
}


async def decision_network(
    db: Database, scope: Scope, account_id: str, project_id: str, max_hops: int
) -> DecisionNetwork:
    """The buying centre of a project and the influence web around it up to `max_hops`."""
    rows = await db.read(
        DECISION_NETWORK[max_hops],
        {"accountId": account_id, "projectId": project_id, **scope.params()},
    )
    if not rows:
        raise NotFound(f"project {project_id} at account {account_id}")
    row = rows[0]
    return DecisionNetwork(
        project=to_project(row["project"]),
        centre=sorted((c[0], c[1]) for c in row["centre"]),
        contacts=sorted((to_contact(c) for c in row["contacts"]), key=lambda c: (c.name, c.id)),
        influences=sorted(
            {Influence(i[0], i[1], i[2]) for i in row["influences"]},
            key=lambda i: (i.from_id, i.to_id),
        ),
    )


@dataclass(frozen=True)
class PathStep:
    kind: str  # KNOWS or INFLUENCES
    from_id: str
    from_name: str
    to_id: str
    to_name: str
    strength: float


@dataclass(frozen=True)
class InfluencePath:
    member_id: str
    strength: float
    steps: list[PathStep]


# Walk backwards from the target (an index seek), through INFLUENCES inside the same account,
# to a contact one of our people KNOWS. A missing strength counts as 0.5.
_PATHS_HEAD: Final = (
    """
MATCH (t:Contact {id: $contactId})-[:WORKS_IN]->(:ClientUnit)
      <-[:HAS_UNIT]-(a:Account {id: $accountId})
WHERE """
    + ACCOUNT_IN_SCOPE
    + """
MATCH p = (t)<-[:INFLUENCES*"""
)
_PATHS_TAIL: Final = """]-(c0:Contact)<-[:KNOWS]-(m:TeamMember)
WHERE all(n IN nodes(p) WHERE n:TeamMember
  OR EXISTS { (n)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a) })
WITH m, p, reduce(s = 1.0, r IN relationships(p) | s * coalesce(r.strength, 0.5)) AS strength
RETURN m.id AS memberId, strength,
       [n IN nodes(p) | [n.id, n.name]] AS nodes,
       [r IN relationships(p) | [type(r), coalesce(r.strength, 0.5)]] AS rels
ORDER BY strength DESC, memberId
LIMIT $limit
"""
_PATH_BOUNDS: Final = {1: "0..0", 2: "0..1", 3: "0..2", 4: "0..3", 5: "0..4", 6: "0..5"}
INFLUENCE_PATHS: Final = {n: _PATHS_HEAD + b + _PATHS_TAIL for n, b in _PATH_BOUNDS.items()}
TARGET_IN_SCOPE: Final = (
    """
MATCH (t:Contact {id: $contactId})-[:WORKS_IN]->(:ClientUnit)
      <-[:HAS_UNIT]-(a:Account {id: $accountId})
WHERE """
    + ACCOUNT_IN_SCOPE
    + " RETURN t.id AS id"
)


async def influence_paths(
    db: Database, scope: Scope, account_id: str, contact_id: str, max_hops: int, limit: int
) -> list[InfluencePath]:
    """Warm-introduction paths from our people to a contact, strongest first.

    Strength of a path is the product of its edge strengths (KNOWS then INFLUENCES)."""
    rows = await db.read(
        INFLUENCE_PATHS[max_hops],
        {"accountId": account_id, "contactId": contact_id, "limit": limit, **scope.params()},
    )
    if not rows and not await db.read(
        TARGET_IN_SCOPE, {"accountId": account_id, "contactId": contact_id, **scope.params()}
    ):
        raise NotFound(f"contact {contact_id} at account {account_id}")
    paths = []
    for row in rows:
        nodes = list(reversed(row["nodes"]))  # member first, target last
        rels = list(reversed(row["rels"]))
        steps = [
            PathStep(
                rels[i][0],
                nodes[i][0],
                nodes[i][1],
                nodes[i + 1][0],
                nodes[i + 1][1],
                float(rels[i][1]),
            )
            for i in range(len(rels))
        ]
        paths.append(InfluencePath(row["memberId"], round(float(row["strength"]), 6), steps))
    return paths


@dataclass(frozen=True)
class StaleRelationship:
    member_id: str
    contact: ContactRow
    last_interaction: datetime | None


@dataclass(frozen=True)
class CoverageGaps:
    account_id: str
    unknown_key_people: list[ContactRow]
    single_threaded: list[tuple[ContactRow, str]]  # (contact, the one member who knows them)
    unmirrored_units: list[UnitRow]
    projects_without_champion: list[ProjectRow]
    uncovered_blockers: list[tuple[ProjectRow, ContactRow]]
    stale_relationships: list[StaleRelationship]
    key_people: int
    key_people_known: int

    @property
    def coverage_score(self) -> float:
        """Share of decision makers and influencers someone on our team knows (1.0 when none)."""
        return 1.0 if self.key_people == 0 else round(self.key_people_known / self.key_people, 4)


COVERAGE_GAPS: Final = (
    """
MATCH (a:Account {id: $accountId})
WHERE coalesce(a.archived, false) = false AND """
    + ACCOUNT_IN_SCOPE
    + """
CALL (a) {
  MATCH (a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)
  WHERE coalesce(c.archived, false) = false
    AND (c.buyingRole IN $keyRoles OR EXISTS {
      MATCH (c)-[d:DECIDES]->(:Project)<-[:HAS_PROJECT]-(a) WHERE d.role IN $keyRoles })
  WITH c, COUNT { (c)<-[:KNOWS]-(:TeamMember) } AS known
  RETURN count(c) AS keyPeople, sum(CASE WHEN known > 0 THEN 1 ELSE 0 END) AS keyKnown,
         collect(CASE WHEN known = 0 THEN """
    + CONTACT_FIELDS
    + """ END) AS unknown
}
CALL (a) {
  MATCH (a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)<-[:KNOWS]-(m:TeamMember)
  WITH c, collect(m.id) AS knowers
  WHERE size(knowers) = 1
  RETURN collect([knowers[0], """
    + CONTACT_FIELDS
    + """]) AS single
}
CALL (a) {
  MATCH (a)-[:HAS_UNIT]->(u:ClientUnit)
  WHERE coalesce(u.archived, false) = false AND NOT EXISTS {
    MATCH (u)<-[:MIRRORS]-(:TeamMember)-[t:ON_TEAM]->(a)
    WHERE t.role = 'ACCOUNT_MANAGER' AND t.from <= $today
      AND (t.until IS NULL OR t.until >= $today) }
  RETURN collect("""
    + UNIT_FIELDS
    + """) AS unmirrored
}
CALL (a) {
  MATCH (a)-[:HAS_PROJECT]->(p:Project)
  WHERE coalesce(p.status, 'OPEN') = 'OPEN' AND coalesce(p.archived, false) = false
    AND NOT EXISTS {
      MATCH (p)<-[d:DECIDES]-(:Contact)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(b:Account)
      WHERE d.role = 'CHAMPION' AND """
    + OTHER_ACCOUNT_IN_SCOPE
    + """ }
  RETURN collect("""
    + PROJECT_FIELDS
    + """) AS noChampion
}
CALL (a) {
  MATCH (a)-[:HAS_PROJECT]->(p:Project)<-[d:DECIDES]-(c:Contact)
  WHERE d.role = 'BLOCKER' AND coalesce(p.status, 'OPEN') = 'OPEN'
    AND NOT EXISTS { (c)<-[:KNOWS]-(:TeamMember) }
    AND EXISTS {
      MATCH (c)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(b:Account) WHERE """
    + OTHER_ACCOUNT_IN_SCOPE
    + """ }
  RETURN collect(["""
    + PROJECT_FIELDS
    + ", "
    + CONTACT_FIELDS
    + """]) AS blockers
}
CALL (a) {
  MATCH (a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)<-[:KNOWS]-(m:TeamMember)
  WITH a, m, c, [(c)<-[:WITH]-(i:Interaction)-[:ABOUT]->(a)
    WHERE coalesce(i.archived, false) = false AND EXISTS { (i)-[:BY]->(m) } | i.at] AS ats
  WITH m, c, reduce(last = null, x IN ats | CASE WHEN last IS NULL OR x > last THEN x
    ELSE last END) AS lastAt
  WHERE lastAt IS NULL OR lastAt < $staleBefore
  RETURN collect([m.id, lastAt, """
    + CONTACT_FIELDS
    + """]) AS stale
}
RETURN a.id AS accountId, keyPeople, keyKnown, unknown, single, unmirrored, noChampion,
  blockers, stale
"""
)


def _by_name(contact: ContactRow) -> tuple[str, str]:
    return (contact.name, contact.id)


async def coverage_gaps(
    db: Database, scope: Scope, account_id: str, stale_before: datetime
) -> CoverageGaps:
    """Where our coverage of an account is missing or thin (see `CoverageGaps`)."""
    rows = await db.read(
        COVERAGE_GAPS,
        {
            "accountId": account_id,
            "keyRoles": KEY_ROLES,
            "staleBefore": stale_before,
            **scope.params(),
        },
    )
    if not rows:
        raise NotFound(f"account {account_id}")
    r = rows[0]
    return CoverageGaps(
        account_id=r["accountId"],
        unknown_key_people=sorted((to_contact(c) for c in r["unknown"] if c), key=_by_name),
        single_threaded=sorted(
            ((to_contact(s[1]), s[0]) for s in r["single"]), key=lambda s: _by_name(s[0])
        ),
        unmirrored_units=sorted(
            (to_unit(u) for u in r["unmirrored"]), key=lambda u: (u.level, u.name)
        ),
        projects_without_champion=sorted(
            (to_project(p) for p in r["noChampion"]), key=lambda p: p.name
        ),
        uncovered_blockers=sorted(
            ((to_project(b[0]), to_contact(b[1])) for b in r["blockers"]),
            key=lambda b: (b[0].name, b[1].name),
        ),
        stale_relationships=sorted(
            (StaleRelationship(s[0], to_contact(s[2]), native(s[1])) for s in r["stale"]),
            key=lambda s: (
                s.last_interaction is not None,
                s.last_interaction or datetime.min,
                s.member_id,
                s.contact.id,
            ),
        ),
        key_people=int(r["keyPeople"]),
        key_people_known=int(r["keyKnown"] or 0),
    )
