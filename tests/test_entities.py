"""Writes for every node and relationship: validation naming the field, conflicts, archive,
links, forbidden sections, milestones and projects at risk."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.client_fixture import ClientFixture, am_login, build_client
from tests.conftest import LiveApp
from tests.factories import nodes
from tests.test_plans import graph_dump, on_team

CREATE = """mutation($in: CreateNodeInput!) { createNode(input: $in) { __typename
  ... on NodePayload { id kind replayed } ... on ValidationProblem { field message }
  ... on Forbidden { section } ... on NotFound { message } } }"""
UPDATE = """mutation($in: UpdateNodeInput!) { updateNode(input: $in) { __typename
  ... on NodePayload { id } ... on ValidationProblem { field } ... on Conflict { currentVersion }
    ... on NotFound { message } } }"""
LINK = """mutation($in: LinkInput!) { link(input: $in) { __typename
  ... on LinkPayload { kind present } ... on ValidationProblem { field message }
    ... on Forbidden { section } ... on NotFound { message } } }"""


@pytest.fixture
def client(live: LiveApp, uid: str) -> ClientFixture:
    return build_client(live.backend, uid)


def create(
    live: LiveApp,
    user: str,
    kind: str,
    props: dict[str, Any],
    parent: str | None = None,
    cmid: str | None = None,
) -> dict[str, Any]:
    body = live.gql(
        CREATE,
        {"in": {"kind": kind, "properties": props, "parentId": parent, "clientMutationId": cmid}},
        as_user=user,
    )
    assert "errors" not in body, body
    return body["data"]["createNode"]


def test_create_contact_validated_and_idempotent(live: LiveApp, client: ClientFixture) -> None:
    am = am_login(live.backend, client)
    bad = create(live, am, "CONTACT", {"name": "Eve", "email": "not-an-email"}, client.id("N"))
    assert bad["__typename"] == "ValidationProblem" and bad["field"] == "properties.email"
    unknown = create(live, am, "CONTACT", {"name": "Eve", "shoeSize": 42}, client.id("N"))
    assert unknown["field"] == "properties.shoeSize"
    nameless = create(live, am, "CONTACT", {"title": "CFO"}, client.id("N"))
    assert nameless["field"] == "properties.name"
    orphan = create(live, am, "CONTACT", {"name": "Eve"})
    assert orphan["field"] == "parentId"
    foreign = create(live, am, "CONTACT", {"name": "Eve"}, "acc-nordwind-u-global")
    assert foreign["__typename"] == "ValidationProblem" and foreign["field"] == "parentId"
    made = create(
        live,
        am,
        "CONTACT",
        {
            "name": "Eve Example",
            "title": "CFO",
            "email": "eve@client.example",
            "buyingRole": "DECISION_MAKER",
        },
        client.id("N"),
        cmid=f"{client.prefix}-eve",
    )
    again = create(
        live, am, "CONTACT", {"name": "Eve Example"}, client.id("N"), cmid=f"{client.prefix}-eve"
    )
    assert made["replayed"] is False and again == {**made, "replayed": True}
    shown = live.gql(
        "query($c: ID!) { contact(id: $c) { name title email buyingRole unit { name } } }",
        {"c": made["id"]},
        as_user=am,
    )
    assert shown["data"]["contact"] == {
        "name": "Eve Example",
        "title": "CFO",
        "email": "eve@client.example",
        "buyingRole": "DECISION_MAKER",
        "unit": {"name": "Germany"},
    }


def test_update_conflict_archive_and_restore(live: LiveApp, client: ClientFixture) -> None:
    am = am_login(live.backend, client)
    node = {"kind": "CONTACT", "id": client.id("buyer")}
    ok = live.gql(
        UPDATE, {"in": {**node, "expectedVersion": 1, "patch": {"title": "Lead Buyer"}}}, as_user=am
    )["data"]["updateNode"]
    assert ok == {"__typename": "NodePayload", "id": client.id("buyer")}
    before = graph_dump(live)
    stale = live.gql(
        UPDATE,
        {"in": {**node, "expectedVersion": 1, "patch": {"title": "Overwritten"}}},
        as_user=am,
    )["data"]["updateNode"]
    assert stale == {"__typename": "Conflict", "currentVersion": 2}
    bad = live.gql(
        UPDATE,
        {"in": {**node, "expectedVersion": 2, "patch": {"buyingRole": "KINGMAKER"}}},
        as_user=am,
    )["data"]["updateNode"]
    assert bad == {"__typename": "ValidationProblem", "field": "patch.buyingRole"}
    # A required property may not be cleared: a nameless contact or account would drop out of
    # every list sorted by name.
    for kind, target in (("CONTACT", client.id("buyer")), ("ACCOUNT", client.account)):
        cleared = live.gql(
            UPDATE,
            {"in": {"kind": kind, "id": target, "expectedVersion": 2, "patch": {"name": None}}},
            as_user="admin",
        )["data"]["updateNode"]
        assert cleared == {"__typename": "ValidationProblem", "field": "patch.name"}, kind
    assert graph_dump(live) == before
    archive = "mutation($k: NodeKind!, $id: ID!) { archiveNode(kind: $k, id: $id) { __typename } }"
    assert (
        live.gql(archive, {"k": "CONTACT", "id": client.id("buyer")}, as_user=am)["data"][
            "archiveNode"
        ]["__typename"]
        == "NodePayload"
    )
    gone = live.gql(
        "query($c: ID!) { contact(id: $c) { name } }", {"c": client.id("buyer")}, as_user=am
    )
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    chart = live.gql(
        "query($a: ID!) { orgChart(accountId: $a) { contactCount } }",
        {"a": client.account},
        as_user=am,
    )
    assert chart["data"]["orgChart"]["contactCount"] == 5
    kept = live.backend.read(
        "MATCH (c:Contact {id: $id}) RETURN c.archived AS a, c.title AS t", id=client.id("buyer")
    )
    assert kept == [{"a": True, "t": "Lead Buyer"}]  # nothing is lost
    restore = "mutation($k: NodeKind!, $id: ID!) { restoreNode(kind: $k, id: $id) { __typename } }"
    live.gql(restore, {"k": "CONTACT", "id": client.id("buyer")}, as_user=am)
    back = live.gql(
        "query($c: ID!) { contact(id: $c) { title } }", {"c": client.id("buyer")}, as_user=am
    )
    assert back["data"]["contact"] == {"title": "Lead Buyer"}


def test_links_validated_and_unlinked(live: LiveApp, client: ClientFixture) -> None:
    am = am_login(live.backend, client)
    edge = {"kind": "INFLUENCES", "fromId": client.id("ceo"), "toId": client.id("buyer")}
    bad = live.gql(LINK, {"in": {**edge, "properties": {"strength": 1.5}}}, as_user=am)["data"][
        "link"
    ]
    assert bad["__typename"] == "ValidationProblem" and bad["field"] == "properties.strength"
    ok = live.gql(
        LINK, {"in": {**edge, "properties": {"strength": 0.7, "note": "Golf partners"}}}, as_user=am
    )["data"]["link"]
    assert ok == {"__typename": "LinkPayload", "kind": "INFLUENCES", "present": True}
    q = (
        "query($c: ID!) "
        "{ contact(id: $c) { influences { edges { node { strength contact { name } } } } } }"
    )
    assert {"strength": 0.7, "contact": {"name": "Bea Buyer"}} in nodes(
        live.gql(q, {"c": client.id("ceo")}, as_user=am)["data"]["contact"]["influences"]
    )
    unlink = (
        "mutation($f: ID!, $t: ID!) "
        "{ unlink(kind: INFLUENCES, fromId: $f, toId: $t) "
        "{ __typename ... on LinkPayload { present } } }"
    )
    assert live.gql(unlink, {"f": client.id("ceo"), "t": client.id("buyer")}, as_user=am)["data"][
        "unlink"
    ] == {"__typename": "LinkPayload", "present": False}
    assert {"strength": 0.7, "contact": {"name": "Bea Buyer"}} not in nodes(
        live.gql(q, {"c": client.id("ceo")}, as_user=am)["data"]["contact"]["influences"]
    )
    window = live.gql(
        LINK,
        {
            "in": {
                "kind": "ON_TEAM",
                "fromId": client.id("mk"),
                "toId": client.account,
                "properties": {"role": "MARKETING", "from": "2026-06-01", "until": "2026-01-01"},
            }
        },
        as_user="admin",
    )
    assert window["data"]["link"]["__typename"] == "ValidationProblem"
    wrong_end = live.gql(
        LINK,
        {
            "in": {
                "kind": "DECIDES",
                "fromId": client.id("ceo"),
                "toId": "acc-nordwind-p0",
                "properties": {"role": "CHAMPION"},
            }
        },
        as_user=am,
    )["data"]["link"]
    assert wrong_end["__typename"] == "ValidationProblem" and wrong_end["field"] == "toId"


def test_forbidden_sections_change_nothing(live: LiveApp, client: ClientFixture) -> None:
    research = on_team(live, client, "MARKET_RESEARCH")
    before = graph_dump(live)
    denied = create(live, research, "PROJECT", {"name": "Sneaky", "kind": "ATTACK"}, client.account)
    assert denied == {"__typename": "Forbidden", "section": "projects"}
    link = live.gql(
        LINK,
        {
            "in": {
                "kind": "KNOWS",
                "fromId": client.id("mk"),
                "toId": client.id("ceo"),
                "properties": {"strength": 0.5},
            }
        },
        as_user=research,
    )
    assert link["data"]["link"] == {"__typename": "Forbidden", "section": "network.influence"}
    assert graph_dump(live) == before


def test_new_account_puts_its_creator_on_the_team(live: LiveApp, client: ClientFixture) -> None:
    am = am_login(live.backend, client)
    made = create(
        live, am, "ACCOUNT", {"name": f"New {client.prefix}", "segment": "Industrial", "tier": "B"}
    )
    assert made["__typename"] == "NodePayload"
    seen = live.gql(
        "query($a: ID!) "
        "{ account(id: $a) { name tier team { edges { node { role member { name } } } } } }",
        {"a": made["id"]},
        as_user=am,
    )
    assert seen["data"]["account"] == {
        "name": f"New {client.prefix}",
        "tier": "B",
        "team": {
            "edges": [{"node": {"role": "ACCOUNT_MANAGER", "member": {"name": "Alma Manager"}}}]
        },
    }


def test_milestones_history_and_projects_at_risk(live: LiveApp, client: ClientFixture) -> None:
    am = am_login(live.backend, client)
    add = (
        'mutation($p: ID!, $d: Date!) { addMilestone(projectId: $p, name: "Pilot live", due: $d) '
        "{ __typename ... on NodePayload { id } } }"
    )
    overdue = live.gql(
        add, {"p": client.id("p1"), "d": str(date.today() - timedelta(days=3))}, as_user=am
    )["data"]["addMilestone"]
    assert overdue["__typename"] == "NodePayload"
    risk = live.gql(
        "{ projectsAtRisk { project { name } reasons overdueMilestones } }", as_user=am
    )["data"]["projectsAtRisk"]
    by_name = {r["project"]["name"]: r for r in risk}
    assert by_name["Attack line"]["overdueMilestones"] == ["Pilot live"]
    # Adding the milestone is activity on the project; the other project has none.
    assert set(by_name["Attack line"]["reasons"]) == {"OVERDUE_MILESTONE", "BLOCKER"}
    assert set(by_name["Defend frame"]["reasons"]) == {"NO_CHAMPION", "NO_ACTIVITY"}
    done = "mutation($m: ID!) { completeMilestone(id: $m) { __typename } }"
    live.gql(done, {"m": overdue["id"]}, as_user=am)
    live.gql(
        UPDATE,
        {
            "in": {
                "kind": "PROJECT",
                "id": client.id("p1"),
                "expectedVersion": 1,
                "patch": {"stage": "NEGOTIATE"},
            }
        },
        as_user=am,
    )
    after = {
        r["project"]["name"]: r["reasons"]
        for r in live.gql("{ projectsAtRisk { project { name } reasons } }", as_user=am)["data"][
            "projectsAtRisk"
        ]
    }
    assert after["Attack line"] == ["BLOCKER"]  # the milestone is done
    project = live.gql(
        "query($a: ID!) "
        "{ account(id: $a) "
        "{ projects { edges { node { name milestones { name doneAt } statusHistory } } } } }",
        {"a": client.account},
        as_user=am,
    )
    attack = next(
        p for p in nodes(project["data"]["account"]["projects"]) if p["name"] == "Attack line"
    )
    assert attack["milestones"][0]["name"] == "Pilot live" and attack["milestones"][0]["doneAt"]
    assert (
        attack["statusHistory"][0]["field"] == "stage"
        and attack["statusHistory"][0]["to"] == "NEGOTIATE"
    )


def test_follow_up_records_update_archive_and_reassign(
    live: LiveApp, client: ClientFixture
) -> None:
    from tests.test_plans import REVIEW, start

    plan = start(live, client.account, "2026")["plan"]
    review = live.gql(
        REVIEW,
        {
            "in": {
                "planId": plan["id"],
                "kind": "MONTHLY",
                "findings": "first draft",
                "actions": [{"title": "Call the CEO", "ownerId": client.id("am")}],
            }
        },
        as_user="admin",
    )
    review = review["data"]["recordReview"]["review"]
    made = create(live, "admin", "INTERACTION", {"summary": "x"})
    assert made == {"__typename": "ValidationProblem", "field": "kind", "message": made["message"]}
    assert "logInteraction" in made["message"]
    fixed = live.gql(
        UPDATE,
        {
            "in": {
                "kind": "REVIEW",
                "id": review["id"],
                "expectedVersion": 1,
                "patch": {"findings": "final"},
            }
        },
        as_user="admin",
    )
    assert fixed["data"]["updateNode"]["__typename"] == "NodePayload"
    action = review["actions"][0]
    moved = live.gql(
        LINK,
        {"in": {"kind": "OWNED_BY", "fromId": action["id"], "toId": client.id("mk")}},
        as_user="admin",
    )["data"]["link"]
    assert moved == {"__typename": "LinkPayload", "kind": "OWNED_BY", "present": True}
    owners = live.backend.read(
        "MATCH (:Action {id: $a})-[:OWNED_BY]->(m) RETURN m.id AS m", a=action["id"]
    )
    assert owners == [{"m": client.id("mk")}]  # one owner: the old one was replaced
    interaction = live.backend.read(
        "MATCH (i:Interaction)-[:ABOUT]->(:Account {id: $a}) RETURN i.id AS id LIMIT 1",
        a=client.account,
    )[0]["id"]
    archive = "mutation($k: NodeKind!, $id: ID!) { archiveNode(kind: $k, id: $id) { __typename } }"
    assert (
        live.gql(archive, {"k": "INTERACTION", "id": interaction}, as_user="admin")["data"][
            "archiveNode"
        ]["__typename"]
        == "NodePayload"
    )
    assert live.backend.read(
        "MATCH (i:Interaction {id: $id}) RETURN i.archived AS a", id=interaction
    ) == [{"a": True}]
    history = live.gql(
        "query($a: ID!) { account(id: $a) { interactions(first: 20) { edges { node { id } } } } }",
        {"a": client.account},
        as_user="admin",
    )
    assert interaction not in [
        e["node"]["id"] for e in history["data"]["account"]["interactions"]["edges"]
    ]
