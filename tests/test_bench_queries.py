"""Every benchmarked operation answers on the demo data through the live app, within the
limits, with data: a bench that measures errors would measure nothing."""

from __future__ import annotations

import pytest

from bench.queries import QUERIES, BenchQuery
from tests.conftest import LiveApp


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_bench_query_answers(live: LiveApp, query: BenchQuery) -> None:
    body = live.gql(query.graphql, query.variables, as_user=query.role)
    assert "errors" not in body, body["errors"][:2]
    assert all(v is not None for v in body["data"].values()), body["data"]
