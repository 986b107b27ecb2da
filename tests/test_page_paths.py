"""The rows a page query hands to the objects it returns (`account(id)`,
`contact(id)`, `accounts(...)`) answer exactly what the loaders answer, for every role.

Oracle: the same fields asked through an inline fragment are not "selected directly", so they
take the loader path. The page path and the loader path must give the same data and the same
errors (path, code, message), whatever the arguments (aliases, cursors, variables) and role.
Account B is linked to A by cross-account edges (tests/test_cross_account_edges.py), so a row
that skips the scope shows up as a difference, and as a name with `Xeno` in it.
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
from tests.test_cross_account_edges import LINK_ACROSS, MARK

ROLES = ("ACCOUNT_MANAGER", "MARKET_RESEARCH", "CONTROLLING", "CUSTOMER_SUPPORT", "INTELLIGENCE")

ACCOUNT_BODY = """
  id name marketPotential
  units(first: $u) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } }
  u2: units(first: 1, after: $uc) { edges { node { id name } } }
  contacts(first: $c) { edges { cursor node { id name email unit { id name }
    managers(first: 2) { edges { node { contact { id name } } } }
    influences(first: 2) { edges { node { contact { id name } } } } } }
    pageInfo { hasNextPage endCursor } }
  c2: contacts(first: 2, after: $cc) { edges { node { id name } } }
  team(first: 5) { edges { node { role member { id name } } } }
  projects(first: 5) { edges { node { id name value
    buyingCentre(first: 3) { edges { node { contact { id name } } } } } } }
  p2: projects(first: 1) { edges { node { id name } } }
  plan { id }
"""

CONTACT_BODY = """
  id name email
  unit { id name parent { id name } }
  managers { edges { node { kind contact { id name email } } } }
  reports { edges { node { id name } } }
  influences { edges { node { strength contact { id name } } } }
  influencedBy { edges { node { strength contact { id name } } } }
  knownBy { edges { node { strength member { id name } } } }
  projects { edges { node { role project { id name } } } }
"""


def _account_query(direct: bool) -> str:
    body = ACCOUNT_BODY if direct else "... on Account {" + ACCOUNT_BODY + "}"
    return (
        "query($a: ID!, $u: Int!, $uc: String, $c: Int!, $cc: String) { account(id: $a) {"
        + body
        + "} }"
    )


def _contact_query(direct: bool) -> str:
    body = CONTACT_BODY if direct else "... on Contact {" + CONTACT_BODY + "}"
    return "query($id: ID!) { contact(id: $id) {" + body + "} }"


PORTFOLIO = """query { accounts(first: 20) { edges { node { id name %s } } } }"""
PORTFOLIO_PROJECTS = "projects { edges { node { id name value } } }"


def _normal(body: dict[str, Any]) -> tuple[str, list[tuple[str, str, str]]]:
    errors = sorted(
        (
            json.dumps(e.get("path")),
            str((e.get("extensions") or {}).get("code")),
            e.get("message", ""),
        )
        for e in body.get("errors", [])
    )
    return json.dumps(body.get("data"), sort_keys=True), errors


@pytest.fixture(scope="module")
def crossed(live: LiveApp) -> tuple[ClientFixture, dict[str, str]]:
    prefix = "r" + secrets.token_hex(4)
    client = build_client(live.backend, prefix)
    live.backend.write(LINK_ACROSS, p=prefix, now=datetime.now(UTC), since=date(2020, 1, 1))
    since = datetime.now(UTC).date() - timedelta(days=30)
    users = {
        role: factories.member_login(
            live.backend, prefix, role, {client.account: (since, None)}, ["Industrial"]
        )
        for role in ROLES
    }
    users["executive"] = "executive"
    return client, users


def _cursors(live: LiveApp, client: ClientFixture) -> tuple[str | None, str | None]:
    body = live.gql(
        "query($a: ID!) { account(id: $a) { ... on Account {"
        " units(first: 1) { pageInfo { endCursor } } contacts(first: 1) { pageInfo { endCursor } }"
        " } } }",
        {"a": client.account},
        as_user="executive",
    )
    account = body["data"]["account"]
    return account["units"]["pageInfo"]["endCursor"], account["contacts"]["pageInfo"]["endCursor"]


@pytest.mark.parametrize("who", [*ROLES, "executive"])
@pytest.mark.parametrize(("u", "c", "after"), [(10, 10, False), (1, 1, True), (2, 3, True)])
def test_the_account_page_answers_what_the_loaders_answer(
    live: LiveApp,
    crossed: tuple[ClientFixture, dict[str, str]],
    who: str,
    u: int,
    c: int,
    after: bool,
) -> None:
    client, users = crossed
    uc, cc = _cursors(live, client) if after else (None, None)
    variables = {"a": client.account, "u": u, "uc": uc, "c": c, "cc": cc}
    page = live.gql(_account_query(True), variables, as_user=users[who])
    loaders = live.gql(_account_query(False), variables, as_user=users[who])
    assert page.get("data"), page
    assert _normal(page) == _normal(loaders)
    if who != "executive":
        assert MARK not in json.dumps(page.get("data"))


@pytest.mark.parametrize("who", [*ROLES, "executive"])
@pytest.mark.parametrize("key", ["site", "ceo", "rpres"])
def test_the_contact_page_answers_what_the_loaders_answer(
    live: LiveApp, crossed: tuple[ClientFixture, dict[str, str]], who: str, key: str
) -> None:
    client, users = crossed
    variables = {"id": client.id(key)}
    page = live.gql(_contact_query(True), variables, as_user=users[who])
    loaders = live.gql(_contact_query(False), variables, as_user=users[who])
    assert page.get("data"), page
    assert _normal(page) == _normal(loaders)
    if who != "executive":
        assert MARK not in json.dumps(page.get("data"))


@pytest.mark.parametrize("who", [*ROLES, "executive"])
def test_the_portfolio_projects_answer_what_the_loader_answers(
    live: LiveApp, crossed: tuple[ClientFixture, dict[str, str]], who: str
) -> None:
    _client, users = crossed
    page = live.gql(PORTFOLIO % PORTFOLIO_PROJECTS, as_user=users[who])
    loaders = live.gql(
        PORTFOLIO % ("... on Account {" + PORTFOLIO_PROJECTS + "}"), as_user=users[who]
    )
    assert page.get("data"), page
    assert _normal(page) == _normal(loaders)


def test_an_out_of_reach_account_and_a_missing_one_look_alike(
    live: LiveApp, crossed: tuple[ClientFixture, dict[str, str]]
) -> None:
    client, users = crossed
    user = users["ACCOUNT_MANAGER"]
    for direct in (True, False):
        query = _account_query(direct)
        base = {"u": 1, "uc": None, "c": 1, "cc": None}
        hidden = live.gql(query, {**base, "a": client.other}, as_user=user)
        missing = live.gql(query, {**base, "a": client.id("no-such")}, as_user=user)
        strip = [
            (json.dumps(e.get("path")), (e.get("extensions") or {}).get("code"))
            for e in hidden.get("errors", [])
        ]
        strip2 = [
            (json.dumps(e.get("path")), (e.get("extensions") or {}).get("code"))
            for e in missing.get("errors", [])
        ]
        assert hidden.get("data") == missing.get("data")
        assert strip == strip2


def test_the_probe_takes_the_page_path(
    live: LiveApp, crossed: tuple[ClientFixture, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Control: asked directly, the lists are answered from the rows the page brought."""
    from resolvers import lists

    hits: list[object] = []
    original = lists.Prefetched.answering

    def counting(self: Any, args: Any) -> Any:
        rows = original(self, args)
        hits.append(rows is not None)
        return rows

    monkeypatch.setattr(lists.Prefetched, "answering", counting)
    client, users = crossed
    variables = {"a": client.account, "u": 10, "uc": None, "c": 10, "cc": None}
    live.gql(_account_query(True), variables, as_user=users["ACCOUNT_MANAGER"])
    assert sum(1 for h in hits if h) >= 3, hits
    hits.clear()
    live.gql(_account_query(False), variables, as_user=users["ACCOUNT_MANAGER"])
    assert not any(hits), hits
