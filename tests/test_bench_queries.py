"""Every benchmarked operation answers on the demo data through the live app, within the
limits, with data, and so does its raw Cypher: a bench that measures errors would measure
nothing."""

from __future__ import annotations

import asyncio

import pytest

from bench.__main__ import graphql_request
from bench.client import Connection, Response, post_request
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


@pytest.mark.parametrize(
    "query", [q for q in QUERIES if q not in ON_DEMO_DATA], ids=lambda q: q.name
)
def test_bench_query_of_larger_data_is_valid_here(live: LiveApp, query: BenchQuery) -> None:
    """A query of sizes M and L only: the demo data may not hold what it asks for, but it is
    a valid request that the app answers without errors, and so does its raw Cypher."""
    body = live.gql(query.graphql, query.variables, as_user=query.role)
    assert "errors" not in body or all(
        e["extensions"]["code"] == "NOT_FOUND" for e in body["errors"]
    ), body["errors"][:2]
    live.backend.run(query.raw(live.backend.db))


def test_the_lean_client_reads_what_httpx_reads(live: LiveApp) -> None:
    """The bench's own client: the same answer as a general-purpose client, over one
    keep-alive connection, request after request."""
    query = next(q for q in ON_DEMO_DATA if q.name == "accountPage")
    token = live.token(query.role)
    expected = live.gql(query.graphql, query.variables, token=token)
    request = graphql_request(live.url, query, {"Authorization": f"Bearer {token}"})

    async def twice() -> list[Response]:
        connection = await Connection.open(live.url)
        try:
            return [await connection.send(request) for _ in range(2)]
        finally:
            await connection.close()

    for response in asyncio.run(twice()):
        assert response.status == 200
        body = response.json()
        assert isinstance(body, dict)
        assert body["data"] == expected["data"]


def test_the_lean_client_reads_chunked_responses() -> None:
    async def scenario() -> list[tuple[int, bytes]]:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            for body in (b"first answer", b""):
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                await reader.readexactly(length)
                chunks = b"".join(
                    b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:5], body[5:]) if part
                )
                writer.write(
                    b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunks
                    + b"0\r\n\r\n"
                )
            writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        connection = await Connection.open(url)
        request = post_request(url, "/x", {"q": 1}, {})
        try:
            return [((r := await connection.send(request)).status, r.body) for _ in range(2)]
        finally:
            await connection.close()
            server.close()

    assert asyncio.run(scenario()) == [(201, b"first answer"), (201, b"")]
