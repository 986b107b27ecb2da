"""A thing the caller may not reach answers exactly like a thing that does not exist: in the
body, the extensions, the error text and the schema they can see. And every write path checks
each property's section through the one gate (auth/registry.py)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kam.settings import Environment, Settings
from tests import factories
from tests.client_fixture import ClientFixture, build_client
from tests.conftest import LiveApp, start_app


@pytest.fixture(scope="module")
def quiet(live: LiveApp) -> Iterator[LiveApp]:
    """The app as deployed: default diagnostics (no round-trip counts for clients)."""
    defaults = Settings()
    settings = live.settings.model_copy(
        update={"expose_metrics": Settings.model_fields["expose_metrics"].default}
    )
    assert defaults.expose_metrics is True  # this test process turns them on for the suite
    server, thread, url = start_app(settings, live.backend.connection)
    try:
        yield LiveApp(url, settings, live.backend, {})
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture(scope="module")
def reach(live: LiveApp) -> tuple[ClientFixture, str]:
    """A client with an account in the user's reach and one (with a contact, a plan and an
    action) out of it."""
    prefix = "o" + secrets.token_hex(4)
    client = build_client(live.backend, prefix)
    live.backend.write(
        """
        MATCH (o:Account {id: $p + '-other'})
        MERGE (u:ClientUnit {id: $p + '-ou'}) SET u.name = 'Other unit', u.level = 'GLOBAL'
        MERGE (o)-[:HAS_UNIT]->(u)
        MERGE (c:Contact {id: $p + '-oc'})
          SET c.name = 'Out Of Reach', c.linkedinUrl = 'https://www.linkedin.com/in/' + $p + '-oc'
        MERGE (c)-[:WORKS_IN]->(u)
        MERGE (pl:Plan {id: $p + '-oplan'}) SET pl.period = '2026', pl.status = 'ACTIVE',
          pl.version = 1
        MERGE (o)-[:HAS_PLAN]->(pl)
        MERGE (x:Action {id: $p + '-oaction'}) SET x.title = 'Hidden', x.status = 'OPEN',
          x.version = 1
        MERGE (pl)-[:HAS_ACTION]->(x)
        """,
        p=prefix,
    )
    since = datetime.now(UTC).date() - timedelta(days=30)
    user = factories.member_login(
        live.backend, prefix, "ACCOUNT_MANAGER", {client.account: (since, None)}, ["Industrial"]
    )
    return client, user


def test_metrics_are_off_by_default_and_never_sent_in_production() -> None:
    assert Settings.model_fields["expose_metrics"].default is False
    asked = Settings(env=Environment.PRODUCTION, token_secret="x" * 48, expose_metrics=True)
    assert asked.exposes_metrics is False
    assert Settings(expose_metrics=True).exposes_metrics is True


def test_login_answers_alike_for_unknown_user_and_wrong_password(quiet: LiveApp) -> None:
    unknown = quiet.login("nobody-" + secrets.token_hex(4), "wrong-password-1")
    wrong = quiet.login("executive", "wrong-password-1")
    assert unknown == wrong
    assert "extensions" not in unknown


def test_an_out_of_scope_id_answers_like_a_missing_one(
    quiet: LiveApp, reach: tuple[ClientFixture, str]
) -> None:
    client, user = reach
    query = "query($a: ID!) { account(id: $a) { name } }"
    missing_id = client.id("nothing")
    hidden = quiet.gql(query, {"a": client.other}, as_user=user)
    missing = quiet.gql(query, {"a": missing_id}, as_user=user)
    assert hidden["data"] == {"account": None} and "extensions" not in hidden
    # The same body, but for the id the caller sent (quoted back to them).
    assert json.dumps(hidden).replace(client.other, "ID") == json.dumps(missing).replace(
        missing_id, "ID"
    )


PROFILE = """mutation($u: String!) { recordProfileChange(input: {linkedinUrl: $u, title: "CFO"}) {
  __typename ... on NotFound { message } } }"""
ACTION = """mutation($x: ID!) { setActionStatus(input: {actionId: $x, status: DONE,
  expectedVersion: 1}) {
  __typename ... on NotFound { message } ... on Forbidden { message } } }"""


def test_mutations_answer_alike_for_out_of_scope_and_missing(
    live: LiveApp, reach: tuple[ClientFixture, str]
) -> None:
    client, user = reach
    hidden_url = f"https://www.linkedin.com/in/{client.prefix}-oc"
    missing_url = f"https://www.linkedin.com/in/{client.prefix}-nobody"
    hidden = live.gql(PROFILE, {"u": hidden_url}, as_user=user)["data"]["recordProfileChange"]
    missing = live.gql(PROFILE, {"u": missing_url}, as_user=user)["data"]["recordProfileChange"]
    assert hidden["__typename"] == missing["__typename"] == "NotFound"
    assert hidden["message"].replace(hidden_url, "URL") == missing["message"].replace(
        missing_url, "URL"
    )
    hidden_id, missing_id = client.id("oaction"), client.id("noaction")
    hidden = live.gql(ACTION, {"x": hidden_id}, as_user=user)["data"]["setActionStatus"]
    missing = live.gql(ACTION, {"x": missing_id}, as_user=user)["data"]["setActionStatus"]
    assert hidden["__typename"] == missing["__typename"] == "NotFound"
    assert hidden["message"].replace(hidden_id, "ID") == missing["message"].replace(
        missing_id, "ID"
    )
    status = live.backend.read("MATCH (x:Action {id: $id}) RETURN x.status AS s", id=hidden_id)
    assert status == [{"s": "OPEN"}]


@pytest.mark.parametrize("user", [None, "marketing", "market_research", "executive"])
def test_errors_suggest_nothing(live: LiveApp, user: str | None) -> None:
    """ "Did you mean …?" would name fields and types hidden from the caller."""
    for query in (
        "{ accounts { edges { node { marketPotencial } } } }",
        "{ auditLo { totalCount } }",
        "{ accounts(sort: MARKET_POTENTIA) { edges { node { name } } } }",
    ):
        body = live.gql(query, as_user=user)
        assert body["errors"], body
        for error in body["errors"]:
            assert "Did you mean" not in error["message"], error
            assert "marketPotential" not in error["message"], error
            assert "auditLog" not in error["message"], error


TYPE = """query($t: String!) { __type(name: $t) { inputFields { name } enumValues { name } } }"""


def _names(live: LiveApp, user: str, type_name: str, key: str) -> set[str]:
    found = live.gql(TYPE, {"t": type_name}, as_user=user)["data"]["__type"][key]
    return {item["name"] for item in found}


def test_introspection_hides_input_fields_and_enum_values_per_role(live: LiveApp) -> None:
    from auth.policy import load_policy
    from auth.registry import ENUM_VALUE_SECTIONS, INPUT_FIELD_SECTIONS
    from graph.model import Role

    policy = load_policy()
    for role in Role:
        user = role.value.lower()
        readable = {s for s in policy.sections if policy.best({role}, s).access >= 1}
        for type_name, sections in INPUT_FIELD_SECTIONS.items():
            shown = _names(live, user, type_name, "inputFields")
            assert {f for f, s in sections.items() if s in readable} <= shown, (role, type_name)
            assert not {f for f, s in sections.items() if s not in readable} & shown, role
        for type_name, values in ENUM_VALUE_SECTIONS.items():
            shown = _names(live, user, type_name, "enumValues")
            assert {v for v, s in values.items() if s in readable} <= shown, (role, type_name)
            assert not {v for v, s in values.items() if s not in readable} & shown, role


CREATE = """mutation($p: JSON!) { createNode(input: {kind: ACCOUNT, properties: $p}) {
  __typename ... on Forbidden { section } } }"""
UPDATE = """mutation($id: ID!, $v: Int!, $p: JSON!) { updateNode(input: {kind: ACCOUNT, id: $id,
  expectedVersion: $v, patch: $p}) {
  __typename ... on Forbidden { section } } }"""
REVIEW = """mutation($plan: ID!, $k: [KpiInput!]!, $c: [ReviewChangeInput!]!) {
  recordReview(input: {planId: $plan, kind: MONTHLY, findings: "probe", kpis: $k, changes: $c}) {
  __typename ... on Forbidden { section } } }"""


def test_every_write_path_checks_each_property_section(
    live: LiveApp, reach: tuple[ClientFixture, str]
) -> None:
    client, user = reach
    name = f"Gate {client.prefix}"
    props: dict[str, Any] = {"name": name, "segment": "Energy", "marketPotential": 9.0}
    created = live.gql(CREATE, {"p": props}, as_user=user)["data"]["createNode"]
    assert created == {"__typename": "Forbidden", "section": "account.market_potential"}
    assert live.backend.read("MATCH (a:Account {name: $n}) RETURN a.id AS id", n=name) == []
    updated = live.gql(
        UPDATE, {"id": client.account, "v": 1, "p": {"marketPotential": 1.0}}, as_user=user
    )["data"]["updateNode"]
    assert updated == {"__typename": "Forbidden", "section": "account.market_potential"}
    kept = live.backend.read(
        "MATCH (a:Account {id: $id}) RETURN a.marketPotential AS m", id=client.account
    )
    assert kept == [{"m": 12500000.0}]
    # Market potential is theirs on accounts of their segment: so the segment is not theirs
    # to change (they could widen their own reach).
    moved = live.gql(
        UPDATE, {"id": client.account, "v": 1, "p": {"segment": "Energy"}}, as_user=user
    )["data"]["updateNode"]
    assert moved == {"__typename": "Forbidden", "section": "account.market_potential"}
    segment = live.backend.read(
        "MATCH (a:Account {id: $id}) RETURN a.segment AS s", id=client.account
    )
    assert segment == [{"s": "Industrial"}]
    # A review that mirrors a section the writer may not change is refused whole.
    controller = factories.member_login(
        live.backend,
        client.prefix + "c",
        "CONTROLLING",
        {client.account: (datetime.now(UTC).date() - timedelta(days=1), None)},
    )
    live.backend.write(
        "MATCH (a:Account {id: $a}) MERGE (p:Plan {id: $id}) "
        "SET p.period = '2027', p.status = 'ACTIVE', p.version = 1 MERGE (a)-[:HAS_PLAN]->(p)",
        a=client.account,
        id=client.id("gate-plan"),
    )
    change = [{"field": "leadersView", "change": "rewritten", "reason": "probe"}]
    refused = live.gql(
        REVIEW, {"plan": client.id("gate-plan"), "k": [], "c": change}, as_user=controller
    )["data"]["recordReview"]
    assert refused == {"__typename": "Forbidden", "section": "plan.strategy"}
    kpi = [{"name": "Revenue", "actual": 1.0, "goal": 2.0}]
    allowed = live.gql(
        REVIEW, {"plan": client.id("gate-plan"), "k": kpi, "c": []}, as_user=controller
    )["data"]["recordReview"]
    assert allowed == {"__typename": "ReviewPayload"}
    reviews = live.backend.read(
        "MATCH (:Plan {id: $id})-[:REVIEWED_IN]->(r:Review) RETURN count(r) AS n",
        id=client.id("gate-plan"),
    )
    assert reviews == [{"n": 1}]
