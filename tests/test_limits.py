"""Every limit, one past it: depth, aliases (through fragments), tokens, body size, batching,
operations per request, cost, rates, time; and production's closed doors."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from kam.settings import Environment
from tests.conftest import DEMO_PASSWORD, LiveApp, start_app


def deep(depth: int) -> str:
    """A query of `depth` (the root field is depth 0): contact > unit > parent > ... > name."""
    inner = "name"
    for _ in range(depth - 2):
        inner = "parent { " + inner + " }"
    return '{ contact(id: "acc-nordwind-u-global-c001") { unit { ' + inner + " } } }"


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def test_depth_limit(live: LiveApp) -> None:
    assert "errors" not in live.gql(deep(10), as_user="executive")
    refused = live.gql(deep(11), as_user="executive")
    assert refused["data"] is None
    assert "depth" in refused["errors"][0]["message"]


def test_alias_limit_counts_through_fragments(live: LiveApp) -> None:
    def doc(n: int) -> str:
        aliases = " ".join(f"a{i}: me {{ username }}" for i in range(n - 1))
        return (
            "query { ...F ... on Query { last: me { username } } } fragment F on Query { "
            + aliases
            + " }"
        )

    assert "errors" not in live.gql(doc(15), as_user="executive")
    refused = live.gql(doc(16), as_user="executive")
    assert refused["data"] is None and "aliases" in refused["errors"][0]["message"].lower()


def test_token_limit(live: LiveApp) -> None:
    def doc(tokens: int) -> str:  # 12 tokens around the list, each string one more
        ids = " ".join(f'"x{i}"' for i in range(tokens - 12))
        return "{ compareAccounts ( ids : [ " + ids + " ] ) { coverageScore } }"

    at_limit = live.gql(doc(1000), as_user="executive")
    assert "token" not in at_limit["errors"][0]["message"].lower()  # parsed; refused for its ids
    assert at_limit["errors"][0]["extensions"]["argument"] == "ids (count)"
    refused = live.gql(doc(1001), as_user="executive")
    assert refused["data"] is None and "token" in refused["errors"][0]["message"].lower()


def test_body_size_limit(live: LiveApp) -> None:
    query = "query($pad: String) { me { username } }"
    ok = httpx.post(
        f"{live.url}/graphql",
        json={"query": query, "variables": {"pad": "x" * 90_000}},
        headers={"Authorization": f"Bearer {live.token('executive')}"},
    )
    assert ok.status_code == 200
    big = httpx.post(
        f"{live.url}/graphql", json={"query": query, "variables": {"pad": "x" * 100_001}}
    )
    assert big.status_code == 413
    assert big.json()["errors"][0]["extensions"]["code"] == "VALIDATION"


def test_batched_requests_are_refused(live: LiveApp) -> None:
    response = httpx.post(
        f"{live.url}/graphql",
        json=[{"query": "{ me { username } }"}, {"query": "{ me { username } }"}],
        headers={"Authorization": f"Bearer {live.token('executive')}"},
    )
    assert response.status_code == 400


def test_one_operation_per_request(live: LiveApp) -> None:
    body = live.post(
        "query A { me { username } } query B { me { roles } }", token=live.token("executive")
    ).json()
    assert body["data"] is None
    assert "one operation per request" in body["errors"][0]["message"]


def test_cost_limit_multiplies_page_sizes(live: LiveApp) -> None:
    query = (
        "query($a: Int!, $b: Int!) "
        "{ accounts(first: $a) "
        "{ edges { node { units(first: $b) { edges { node { name } } } } } } }"
    )
    assert "errors" not in live.gql(query, {"a": 20, "b": 50}, as_user="executive")
    refused = live.gql(query, {"a": 100, "b": 100}, as_user="executive")
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["limit"] == "cost"
    assert refused["errors"][0]["extensions"]["cost"] > 5000


def test_cost_limit_counts_default_page_sizes(live: LiveApp) -> None:
    """A page size not sent is counted at the field's default, not as one row."""
    nested = "units(first: 70) { edges { node { children { edges { node { name } } } } } }"
    refused = live.gql('{ account(id: "acc-nordwind") { ' + nested + " } }", as_user="executive")
    # each field costs page x (1 + its children): children counts its default page of 20
    children = 20 * (1 + 1 * (1 + 1 * (1 + 1)))  # x (1 + edges x (1 + node x (1 + name)))
    units = 70 * (1 + 1 * (1 + 1 * (1 + children)))  # x (1 + edges x (1 + node x (1 + children)))
    assert refused["errors"][0]["extensions"]["limit"] == "cost", refused
    assert refused["errors"][0]["extensions"]["cost"] == 1 * (1 + units) > 5000
    small = nested.replace("children {", "children(first: 2) {")
    assert "errors" not in live.gql(
        '{ account(id: "acc-nordwind") { ' + small + " } }", as_user="executive"
    )


@pytest.fixture(scope="module")
def tight(live: LiveApp) -> Iterator[str]:
    settings = live.settings.model_copy(
        update={
            "rate_limit_per_minute_address": 5,
            "login_attempts_per_minute": 2,
            "request_timeout_seconds": 0.005,
        }
    )
    server, thread, url = start_app(settings, live.backend.connection)
    yield url
    server.should_exit = True
    thread.join(15)


def test_rate_limit_answers_429_with_retry_after(tight: str) -> None:
    statuses = [
        httpx.post(f"{tight}/graphql", json={"query": "{ __typename }"}).status_code
        for _ in range(7)
    ]
    assert 429 in statuses
    limited = httpx.post(f"{tight}/graphql", json={"query": "{ __typename }"})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_time_limit_stops_slow_requests(live: LiveApp) -> None:
    settings = live.settings.model_copy(update={"request_timeout_seconds": 0.005})
    server, thread, url = start_app(settings, live.backend.connection)
    try:
        response = httpx.post(
            f"{url}/graphql",
            json={"query": '{ orgChart(accountId: "acc-nordwind") { contactCount } }'},
            headers={"Authorization": f"Bearer {live.token('executive')}"},
        )
        assert response.status_code == 503
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    finally:
        server.should_exit = True
        thread.join(15)


def test_login_has_its_own_stricter_limit(live: LiveApp) -> None:
    settings = live.settings.model_copy(update={"login_attempts_per_minute": 2})
    server, thread, url = start_app(settings, live.backend.connection)
    try:
        login = 'mutation($p: String!) { login(username: "executive", password: $p) { token } }'
        results = [
            httpx.post(
                f"{url}/graphql", json={"query": login, "variables": {"p": DEMO_PASSWORD}}
            ).json()
            for _ in range(3)
        ]
        assert results[0]["data"]["login"]["token"]
        assert codes(results[2]) == ["RATE_LIMITED"]
        assert results[2]["errors"][0]["extensions"]["retryAfter"] >= 1
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture(scope="module")
def production(live: LiveApp) -> Iterator[str]:
    settings = live.settings.model_copy(
        update={
            "env": Environment.PRODUCTION,
            "token_secret": SecretStr(secrets.token_urlsafe(48)),
            "cors_origins": ["https://dash.example"],
        }
    )
    server, thread, url = start_app(settings, live.backend.connection)
    yield url
    server.should_exit = True
    thread.join(15)


def test_production_closes_graphiql_and_anonymous_introspection(production: str) -> None:
    page = httpx.get(f"{production}/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    anonymous = httpx.post(
        f"{production}/graphql", json={"query": "{ __schema { types { name } } }"}
    ).json()
    assert anonymous["data"] is None and codes(anonymous) == ["UNAUTHENTICATED"]
    login = httpx.post(
        f"{production}/graphql",
        json={
            "query": 'mutation { login(username: "executive", password: "%s") { token } }'
            % DEMO_PASSWORD
        },
    ).json()
    token = login["data"]["login"]["token"]
    allowed = httpx.post(
        f"{production}/graphql",
        json={"query": '{ __type(name: "Account") { name } }'},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert allowed["data"] == {"__type": {"name": "Account"}}


def test_production_security_headers_and_cors(production: str) -> None:
    response = httpx.get(f"{production}/healthz", headers={"Origin": "https://dash.example"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "max-age" in response.headers["strict-transport-security"]
    assert response.headers["access-control-allow-origin"] == "https://dash.example"
    other = httpx.get(f"{production}/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
