"""The benchmarked operations: each GraphQL query, and the best single Cypher query fetching
the same data straight from the driver (the baseline of the GraphQL ÷ raw ratio)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graph import compare, network, org, partners
from graph.driver import Database
from graph.network import KEY_ROLES
from graph.scope import Scope

ALL = Scope(all_accounts=True, member_id=None, today=datetime.now(UTC).date())
ACCOUNT = "acc-nordwind"  # the largest account: 1,052 contacts in 51 units
TYPICAL = "acc-g00100"  # a generated account of sizes M and L: about 100 contacts
TARGET = "acc-nordwind-u-global-c000"
PROJECT = "acc-nordwind-p0"
NEED = "acc-nordwind-n2"
DEMO_IDS = ["acc-nordwind", "acc-aurora", "acc-helios", "acc-kestrel"]


@dataclass(frozen=True)
class BenchQuery:
    name: str
    graphql: str
    raw: Callable[[Database], Awaitable[Any]]
    variables: dict[str, Any] = field(default_factory=dict)
    role: str = "executive"
    sizes: str = "SML"  # the dataset sizes that hold the data it asks for


# The same data as the GraphQL account page: units and contacts by name, the team, the projects
# and the current plan's summary.
ACCOUNT_PAGE_RAW = """
MATCH (a:Account {id: $id})
CALL (a) {
  MATCH (a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)
  WITH c, c.name AS byName, c.id AS byId ORDER BY byName, byId LIMIT 10
  RETURN collect(c {.id, .name, .title}) AS contacts
}
CALL (a) {
  MATCH (a)-[:HAS_PLAN]->(p:Plan)
  WITH p, p.period AS byPeriod ORDER BY byPeriod DESC LIMIT 1
  RETURN collect(p {.period, .status, .shareOfWalletGoal, .shareOfWalletActual,
    .revenueGoal}) AS plan
}
RETURN a {
  .id, .name, .segment, .industry, .tier, .status, .marketPotential,
  units: [(a)-[:HAS_UNIT]->(u:ClientUnit) | u {.id, .name, .level}][0..20],
  team: [(a)<-[t:ON_TEAM]-(m:TeamMember) WHERE t.from <= $today
    AND (t.until IS NULL OR t.until >= $today)
         | {role: t.role, name: m.name}],
  projects: [(a)-[:HAS_PROJECT]->(p:Project) | p {.id, .name, .kind, .value}]
} AS account, contacts, plan
"""
# The largest account's page as a hand-written pair would read it: its contacts from the index
# of account, name and id in a statement of their own (graph/contacts.py, `CONTACTS_BY_KEY`).
ACCOUNT_PAGE_RAW_BY_KEY = ACCOUNT_PAGE_RAW.replace(
    """CALL (a) {
  MATCH (a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)
  WITH c, c.name AS byName, c.id AS byId ORDER BY byName, byId LIMIT 10
  RETURN collect(c {.id, .name, .title}) AS contacts
}
""",
    "",
).replace("AS account, contacts, plan", "AS account, plan")
CONTACTS_BY_KEY_RAW = """
MATCH (c:Contact) WHERE c.accountId >= $id AND c.accountId <= $id
RETURN c {.id, .name, .title} AS contact ORDER BY c.accountId, c.name, c.id LIMIT 10
"""

# Ordered by the index of name and id: `ORDER BY … LIMIT` closes the statement, over a range
# on the index's first key (graph/dialect.py).
PORTFOLIO_RAW = """
MATCH (a:Account) WHERE a.name >= ''
RETURN a {.id, .name, .segment, .tier, .status, .marketPotential,
          projects: [(a)-[:HAS_PROJECT]->(p:Project) | p {.kind, .value}]} AS account
ORDER BY a.name, a.id LIMIT 50
"""

# A team member's accounts (24 of them at L), found from the member.
MEMBER = "tm-intelligence-1"
MEMBER_PORTFOLIO_RAW = """
MATCH (:TeamMember {id: $member})-[t:ON_TEAM]->(a:Account)
WHERE t.from <= $today AND (t.until IS NULL OR t.until >= $today)
WITH DISTINCT a
WITH a, a.name AS byName, a.id AS byId ORDER BY byName, byId LIMIT 50
RETURN collect(a {.id, .name, .segment, .tier, .status, .marketPotential,
          projects: [(a)-[:HAS_PROJECT]->(p:Project) | p {.kind, .value}]}) AS accounts
"""

CONTACT_RAW = """
MATCH (c:Contact {id: $id})
RETURN c {.id, .name, .title, .email,
  unit: head([(c)-[:WORKS_IN]->(u:ClientUnit) | u.name]),
  managers: [(c)-[r:REPORTS_TO]->(m:Contact) | {kind: r.kind, name: m.name}],
  influences: [(c)-[r:INFLUENCES]->(x:Contact) | {strength: r.strength, name: x.name}],
  influencedBy: [(c)<-[r:INFLUENCES]-(x:Contact) | {strength: r.strength, name: x.name}],
  knownBy: [(c)<-[k:KNOWS]-(m:TeamMember) | {strength: k.strength, name: m.name}]} AS contact
"""


ACCOUNT_PAGE = """query($id: ID!) { account(id: $id) {
  id name segment industry tier status marketPotential
  units(first: 20) { edges { node { id name level } } }
  team(first: 20) { edges { node { role member { name } } } }
  projects(first: 20) { edges { node { id name kind value } } }
  contacts(first: 10) { edges { node { id name title } } }
  plan { period status shareOfWalletGoal shareOfWalletActual revenueGoal } } }"""


async def _read(db: Database, text: str, **params: Any) -> Any:
    return await db.read(text, params)  # type: ignore[arg-type]


async def _read_then(db: Database, first: str, then: str, **params: Any) -> Any:
    return await db.read_then(first, lambda _: then, {**params, "today": ALL.today})  # type: ignore[arg-type, return-value]


QUERIES: list[BenchQuery] = [
    BenchQuery(
        "me (floor)",
        "{ me { username roles } }",
        lambda db: _read(db, "RETURN 1 AS ok"),
    ),
    BenchQuery(
        "accountPage",
        ACCOUNT_PAGE,
        lambda db: _read_then(db, ACCOUNT_PAGE_RAW_BY_KEY, CONTACTS_BY_KEY_RAW, id=ACCOUNT),
        {"id": ACCOUNT},
    ),
    BenchQuery(
        "accountPage (typical)",
        ACCOUNT_PAGE,
        lambda db: _read(db, ACCOUNT_PAGE_RAW, id=TYPICAL, today=ALL.today),
        {"id": TYPICAL},
        sizes="ML",
    ),
    BenchQuery(
        "portfolio50",
        """{ accounts(first: 50) { edges { node { id name segment tier status marketPotential
             projects(first: 10) { edges { node { kind value } } } } } } }""",
        lambda db: _read(db, PORTFOLIO_RAW),
    ),
    BenchQuery(
        "portfolio of a member",
        """query($m: ID!) { accounts(first: 50, filter: {teamMemberId: $m}) { edges { node {
             id name segment tier status marketPotential
             projects(first: 10) { edges { node { kind value } } } } } } }""",
        lambda db: _read(db, MEMBER_PORTFOLIO_RAW, member=MEMBER, today=ALL.today),
        {"m": MEMBER},
        sizes="ML",
    ),
    BenchQuery(
        "contact",
        """query($id: ID!) { contact(id: $id) { id name title email unit { name }
             managers { edges { node { kind contact { name } } } }
             influences { edges { node { strength contact { name } } } }
             influencedBy { edges { node { strength contact { name } } } }
             knownBy { edges { node { strength member { name } } } } } }""",
        lambda db: _read(db, CONTACT_RAW, id=TARGET),
        {"id": TARGET},
    ),
    BenchQuery(
        "orgChart",
        """query($a: ID!) { orgChart(accountId: $a) { accountName unitCount contactCount
             levels { level units { id name parentId contactCount contacts
               { id name title managerId } } }
             reportingLines { fromId toId kind } } }""",
        lambda db: _read(db, org.ORG_CHART, accountId=ACCOUNT, **ALL.params()),
        {"a": ACCOUNT},
    ),
    BenchQuery(
        "decisionNetwork",
        """query($a: ID!, $p: ID!) { decisionNetwork(accountId: $a, projectId: $p, maxHops: 2) {
             centre { role contact { id name } } contacts { id name title } influences
               { fromId toId strength } } }""",
        lambda db: _read(
            db, network.DECISION_NETWORK[2], accountId=ACCOUNT, projectId=PROJECT, **ALL.params()
        ),
        {"a": ACCOUNT, "p": PROJECT},
    ),
    BenchQuery(
        "influencePaths",
        """query($a: ID!, $c: ID!) { influencePaths(accountId: $a, toContactId: $c, maxHops: 4,
             first: 10) {
             strength steps { kind fromName toName strength } } }""",
        lambda db: _read(
            db,
            network.INFLUENCE_PATHS[4],
            accountId=ACCOUNT,
            contactId=TARGET,
            limit=10,
            **ALL.params(),
        ),
        {"a": ACCOUNT, "c": TARGET},
    ),
    BenchQuery(
        "coverageGaps",
        """query($a: ID!) { coverageGaps(accountId: $a) { coverageScore unknownKeyPeople { id name }
             singleThreaded { contact { id name } memberId } unmirroredUnits { id name }
             projectsWithoutChampion { id name } uncoveredBlockers { project { id } contact { id } }
             staleRelationships { memberId contact { id } lastInteraction } } }""",
        lambda db: _read(
            db,
            network.COVERAGE_GAPS,
            accountId=ACCOUNT,
            keyRoles=KEY_ROLES,
            staleBefore=datetime.now(UTC) - timedelta(days=90),
            **ALL.params(),
        ),
        {"a": ACCOUNT},
    ),
    BenchQuery(
        "compareAccounts",
        """query($ids: [ID!]!) { compareAccounts(ids: $ids) { account { id name marketPotential }
             openProjects { attack defend progressive attackValue defendValue }
             coverageScore teamSize } }""",
        lambda db: _read(db, compare.COMPARE, ids=DEMO_IDS, keyRoles=KEY_ROLES, **ALL.params()),
        {"ids": DEMO_IDS},
    ),
    BenchQuery(
        "partnerOptions",
        """query($n: ID!) { partnerOptions(needId: $n) { needName
             options { capabilityName recommendation internal { name }
               partners { partnerName history { projectName accountName } } } } }""",
        lambda db: _read(db, partners.PARTNER_OPTIONS, needId=NEED, **ALL.params()),
        {"n": NEED},
    ),
]
