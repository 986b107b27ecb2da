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


def test_a_ready_app_has_frozen_its_start_up_objects_and_collects_young_ones_less_often(
    live: LiveApp,
) -> None:
    """The app runs in this test process: once it answers, what start-up loaded is out of the
    cycle collector's scans and the young threshold is the setting."""
    import gc

    assert live.post("{ __typename }").status_code == 200
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold() == (live.settings.gc_young_threshold, 20, 10)
    assert live.settings.gc_young_threshold == 20_000
