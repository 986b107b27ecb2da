"""Every benchmarked operation answers on the demo data through the live app, within the
limits, with data, and so does its raw Cypher: a bench that measures errors would measure
nothing."""

from __future__ import annotations

import pytest

from bench.queries import QUERIES, BenchQuery
from tests.conftest import LiveApp

ON_DEMO_DATA = [q for q in QUERIES if "S" in q.sizes]


@pytest.mark.parametrize("query", ON_DEMO_DATA, ids=lambda q: q.name)
def test_bench_query_answers(live: LiveApp, query: BenchQuery) -> None:
    body = live.gql(query.graphql, query.variables, as_user=query.role)
    assert "errors" not in body, body["errors"][:2]
    assert all(v is not None for v in body["data"].values()), body["data"]
    rows = live.backend.run(query.raw(live.backend.db))
    assert rows, f"the raw Cypher of {query.name} found nothing"
