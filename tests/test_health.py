"""The app answers over HTTP: liveness, readiness, GraphQL, request ids."""

from __future__ import annotations

import httpx

from tests.conftest import LiveApp


def test_healthz_and_readyz_answer(live: LiveApp) -> None:
    assert httpx.get(f"{live.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{live.url}/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


def test_graphql_typename_and_request_id(live: LiveApp) -> None:
    response = live.post("{ __typename }")
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}
    assert len(response.headers["x-request-id"]) == 16


def test_graphiql_served_on_get_in_development(live: LiveApp) -> None:
    page = httpx.get(f"{live.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_http_to_cypher_and_back(live: LiveApp) -> None:
    body = live.gql('{ account(id: "acc-nordwind") { id name segment tier } }', as_user="executive")
    assert body["data"]["account"] == {
        "id": "acc-nordwind",
        "name": "Nordwind Industrial Group",
        "segment": "Industrial",
        "tier": "A",
    }
    assert body["extensions"]["dbRoundTrips"] == 1
