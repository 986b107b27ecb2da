"""Edges that cross accounts never carry an out-of-scope node into an in-scope answer.

The hand-built client (account A) is linked to a second account (B) by every relationship
type that can cross accounts, in both directions. A caller who reaches only A asks every
query and field that follows an edge; no id or name of B's may appear anywhere in an answer.
An executive, who reaches both, sees the links: so the fixture really crosses.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests import factories
from tests.client_fixture import ClientFixture, build_client
from tests.conftest import LiveApp

MARK = "Xeno"  # in every name of account B's people and units

LINK_ACROSS = """
MATCH (a:Account {id: $p + '-acc'}), (o:Account {id: $p + '-other'})
MERGE (bu:ClientUnit {id: $p + '-xb-unit'}) SET bu.name = 'Xeno Unit', bu.level = 'GLOBAL'
MERGE (bu2:ClientUnit {id: $p + '-xb-sub'}) SET bu2.name = 'Xeno Sub', bu2.level = 'REGIONAL'
MERGE (o)-[:HAS_UNIT]->(bu) MERGE (o)-[:HAS_UNIT]->(bu2) MERGE (bu)-[:PARENT_OF]->(bu2)
MERGE (bx:Contact {id: $p + '-xb-boss'})
  SET bx.name = 'Xeno Boss', bx.buyingRole = 'DECISION_MAKER', bx.linkedinUrl = 'https://www.linkedin.com/in/xeno-boss'
MERGE (by:Contact {id: $p + '-xb-champ'}) SET by.name = 'Xeno Champion',
  by.buyingRole = 'INFLUENCER'
MERGE (bx)-[:WORKS_IN]->(bu) MERGE (by)-[:WORKS_IN]->(bu2)
WITH a, o, bu, bu2, bx, by
MATCH (ceo:Contact {id: $p + '-ceo'}), (site:Contact {id: $p + '-site'}),
  (rpres:Contact {id: $p + '-rpres'}),
      (p1:Project {id: $p + '-p1'}), (p2:Project {id: $p + '-p2'}), (po:Project {id: $p + '-po'}),
      (g:ClientUnit {id: $p + '-G'}), (n2:ClientUnit {id: $p + '-N2'}),
        (am:TeamMember {id: $p + '-am'})
// unit tree across accounts, both ways
MERGE (bu)-[:PARENT_OF]->(g) MERGE (n2)-[:PARENT_OF]->(bu2)
// reporting lines both ways
MERGE (site)-[:REPORTS_TO {kind: 'SOLID'}]->(bx) MERGE (bx)-[:REPORTS_TO {kind: 'DOTTED'}]->(ceo)
MERGE (by)-[:REPORTS_TO {kind: 'SOLID'}]->(site)
// influence both ways
MERGE (bx)-[:INFLUENCES {strength: 0.95}]->(ceo) MERGE (ceo)-[:INFLUENCES {strength: 0.95}]->(bx)
MERGE (by)-[:INFLUENCES {strength: 0.9}]->(site)
// buying centres: B's people on A's projects, A's people on B's project
MERGE (bx)-[:DECIDES {role: 'BLOCKER'}]->(p1) MERGE (by)-[:DECIDES {role: 'CHAMPION'}]->(p2)
MERGE (bz:Contact {id: $p + '-xb-stop'}) SET bz.name = 'Xeno Stopper',
  bz.email = 'stop@xeno.example'
MERGE (bz)-[:WORKS_IN]->(bu2) MERGE (bz)-[:DECIDES {role: 'BLOCKER'}]->(p2)
MERGE (ceo)-[:DECIDES {role: 'INFLUENCER'}]->(po) MERGE (site)-[:DECIDES {role: 'BLOCKER'}]->(po)
// our people know B's people; an interaction about A with B's person, one about B with A's
MERGE (am)-[:KNOWS {strength: 0.99, since: $since}]->(bx)
MERGE (am)-[:MIRRORS]->(bu)
MERGE (i1:Interaction {id: $p + '-joint-talk'}) SET i1.at = $now, i1.channel = 'MEETING',
  i1.summary = 'Joint talk'
MERGE (i1)-[:ABOUT]->(a) MERGE (i1)-[:WITH]->(bx) MERGE (i1)-[:WITH]->(rpres) MERGE (i1)-[:BY]->(am)
MERGE (am)-[:KNOWS {strength: 0.7, since: $since}]->(ceo)
MERGE (i2:Interaction {id: $p + '-xb-talk-b'}) SET i2.at = $now, i2.channel = 'CALL',
  i2.summary = 'Xeno call'
MERGE (i2)-[:ABOUT]->(o) MERGE (i2)-[:WITH]->(ceo) MERGE (i2)-[:BY]->(am)
RETURN count(*) AS n
"""

# Every query and field that follows an edge, asked for A (`$a`), its projects and people.
QUERIES: dict[str, str] = {
    "decisionNetwork": """query($a: ID!, $p1: ID!) { decisionNetwork(accountId: $a, projectId: $p1,
        maxHops: 4) {
        project { id } centre { role contact { id name } } contacts { id name }
        influences { fromId toId strength } } }""",
    "decisionNetwork p2": """query($a: ID!, $p2: ID!) { decisionNetwork(accountId: $a,
        projectId: $p2, maxHops: 4) {
        centre { role contact { id name } } contacts { id name } influences { fromId toId } } }""",
    "orgChart": """query($a: ID!) { orgChart(accountId: $a) { unitCount contactCount
        levels { level units { id name parentId contacts { id name managerId } mirroredBy { id } } }
        reportingLines { fromId toId kind } } }""",
    "projectsAtRisk": """{ projectsAtRisk(quietDays: 30) { project { id name }
        reasons blockerIds lastActivity } }""",
    "project buying centres": """query($a: ID!) { account(id: $a) { projects { edges { node {
        id buyingCentre { edges { node { role contact { id name } } } } partnerIds } } } } }""",
    "account units and contacts": """query($a: ID!) { account(id: $a) {
        units(first: 10) { edges { node { id name parent { id name } children(first: 5)
          { edges { node { id name } } }
          contacts(first: 10) { edges { node { id name } } } } } }
        contacts(first: 20) { edges { node { id name unit { id name parent { id name } } } } }
        interactions { edges { node { id summary contactIds memberIds
          contacts { id name } } } }
        plan { keyContacts { contact { id name } roles } } } }""",
    "contact links": """query($c: ID!) { contact(id: $c) { id
        managers { edges { node { kind contact { id name } } } }
        reports { edges { node { id name } } }
        influences { edges { node { strength contact { id name } } } }
        influencedBy { edges { node { strength contact { id name } } } }
        projects { edges { node { role project { id name } } } }
        interactions { edges { node { id summary contactIds contacts { id name } } } }
        unit { id parent { id name } children { edges { node { id name } } } } } }""",
    "contact ceo": """query($ceo: ID!) { contact(id: $ceo) { id
        managers { edges { node { kind contact { id name } } } }
        reports { edges { node { id name } } }
        influences { edges { node { contact { id name } } } }
        influencedBy { edges { node { contact { id name } } } }
        projects { edges { node { role project { id name } } } }
        interactions { edges { node { id summary contactIds contacts { id name } } } } } }""",
    "influencePaths": """query($a: ID!, $ceo: ID!) { influencePaths(accountId: $a,
        toContactId: $ceo, maxHops: 4) {
        member { id } strength steps { kind fromId fromName toId toName } } }""",
    "coverageGaps": """query($a: ID!) { coverageGaps(accountId: $a, staleDays: 90) { coverageScore
        unknownKeyPeople { id name } singleThreaded { contact { id name } }
        unmirroredUnits { id name } projectsWithoutChampion { id name }
        uncoveredBlockers { contact { id name } } staleRelationships
          { contact { id name } lastInteraction }
        departedKeyPeople { contact { id name } } pathsIn { contact { id name } } } }""",
    "compareAccounts": """query($a: ID!) { compareAccounts(ids: [$a]) { coverageScore teamSize
        openProjects { attack defend } } }""",
    "partnerOptions": """query($n: ID!) { partnerOptions(needId: $n) { needName options {
        partners { partnerId history { projectId projectName accountId accountName } } } } }""",
}


@pytest.fixture(scope="module")
def crossed(live: LiveApp) -> tuple[ClientFixture, str]:
    prefix = "x" + secrets.token_hex(4)
    client = build_client(live.backend, prefix)
    live.backend.write(LINK_ACROSS, p=prefix, now=datetime.now(UTC), since=date(2020, 1, 1))
    since = datetime.now(UTC).date() - timedelta(days=30)
    user = factories.member_login(
        live.backend, prefix, "ACCOUNT_MANAGER", {client.account: (since, None)}, ["Industrial"]
    )
    return client, user


def _variables(client: ClientFixture) -> dict[str, Any]:
    return {
        "a": client.account,
        "p1": client.id("p1"),
        "p2": client.id("p2"),
        "c": client.id("site"),
        "ceo": client.id("ceo"),
        "n": client.id("need-ptn"),
    }


def _used(query: str, variables: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in variables.items() if f"${k}" in query}


def _leaks(client: ClientFixture, answer: Any, path: str = "") -> list[str]:
    """The paths in an answer whose value names something of account B."""
    if isinstance(answer, dict):
        return [p for k, v in answer.items() for p in _leaks(client, v, f"{path}.{k}")]
    if isinstance(answer, list):
        return [p for i, v in enumerate(answer) for p in _leaks(client, v, f"{path}[{i}]")]
    text = json.dumps(answer)
    marks = (MARK, client.id("xb-"), client.other, "Other project")
    return [f"{path} = {text}" for m in marks if m in text]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_no_node_of_an_unreachable_account_comes_through_an_edge(
    live: LiveApp, crossed: tuple[ClientFixture, str], name: str
) -> None:
    client, user = crossed
    query = QUERIES[name]
    body = live.gql(query, _used(query, _variables(client)), as_user=user)
    assert body.get("data"), body
    found = [e for e in body.get("errors", []) if e["extensions"]["code"] != "FORBIDDEN"]
    assert not found, found
    assert _leaks(client, body["data"]) == []
    if name == "coverageGaps":
        gaps = body["data"]["coverageGaps"]
        # B's champion does not cover p2; the only talk with the CEO was about B's account.
        assert client.id("p2") in [p["id"] for p in gaps["projectsWithoutChampion"]]
        stale = {r["contact"]["id"]: r for r in gaps["staleRelationships"]}
        assert client.id("ceo") in stale
    if name == "projectsAtRisk":
        # B's champion on p2 does not count, and B's blocker on p1 is no blocker here.
        risks = {r["project"]["id"]: r for r in body["data"]["projectsAtRisk"]}
        assert "NO_CHAMPION" in risks[client.id("p2")]["reasons"]
        assert risks[client.id("p1")]["blockerIds"] == [client.id("buyer")]


def test_a_caller_who_reaches_both_accounts_sees_the_links(
    live: LiveApp, crossed: tuple[ClientFixture, str]
) -> None:
    """The control: the same queries as an executive do show B's people, so the fixture
    really links across accounts and the test above can fail."""
    client, _ = crossed
    variables = _variables(client)
    for name in ("decisionNetwork", "contact links", "projectsAtRisk", "project buying centres"):
        query = QUERIES[name]
        body = live.gql(query, _used(query, variables), as_user="executive")
        assert _leaks(client, body["data"]), name


PROFILE = """mutation($c: ID!, $co: String!) { recordProfileChange(input: {contactId: $c,
  company: $co}) {
  __typename ... on ProfileChangePayload { keyPersonLeft joinedAccountId } } }"""


def test_a_move_names_only_what_the_caller_reaches(
    live: LiveApp, crossed: tuple[ClientFixture, str]
) -> None:
    """Run last: people leave. A blocker role on B's project does not make a key person of A,
    and a move to B is recorded without naming B to a caller who cannot reach it."""
    client, user = crossed
    left = live.gql(PROFILE, {"c": client.id("site"), "co": "Elsewhere Ltd"}, as_user=user)
    assert left["data"]["recordProfileChange"] == {
        "__typename": "ProfileChangePayload",
        "keyPersonLeft": False,
        "joinedAccountId": None,
    }
    moved = live.gql(PROFILE, {"c": client.id("nat"), "co": f"Other {client.prefix}"}, as_user=user)
    assert moved["data"]["recordProfileChange"]["joinedAccountId"] is None
    assert _leaks(client, moved["data"]) == []
    gaps = live.gql(
        "query($a: ID!) "
        "{ coverageGaps(accountId: $a) { departedKeyPeople { contact { id } roles } } }",
        {"a": client.account},
        as_user=user,
    )["data"]["coverageGaps"]["departedKeyPeople"]
    assert client.id("site") not in [d["contact"]["id"] for d in gaps]
    assert _leaks(client, gaps) == []


def test_linking_a_contact_to_another_unit_moves_it(
    live: LiveApp, crossed: tuple[ClientFixture, str]
) -> None:
    """A contact works in one unit: a second WORKS_IN would make them a member of two accounts."""
    client, user = crossed
    link = """mutation($c: ID!, $u: ID!) { link(input: {kind: WORKS_IN, fromId: $c, toId: $u}) {
      __typename } }"""
    done = live.gql(link, {"c": client.id("buyer"), "u": client.id("G")}, as_user=user)
    assert done["data"]["link"]["__typename"] == "LinkPayload"
    units = live.backend.read(
        "MATCH (:Contact {id: $c})-[:WORKS_IN]->(u:ClientUnit) RETURN u.id AS id",
        c=client.id("buyer"),
    )
    assert units == [{"id": client.id("G")}]
