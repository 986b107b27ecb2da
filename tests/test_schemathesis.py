"""schemathesis against the live app, for every role: queries and mutations generated from
`schema.graphql` (arguments, inputs, selections) are sent by each role's user. No answer is a
500 or an untyped error, none leaks internals, and a refused mutation changes nothing.

It runs on an app and database of its own (the demo data loaded), so generated writes that
succeed never touch the shared test database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from graphql import (
    BooleanValueNode,
    FloatValueNode,
    IntValueNode,
    NameNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
)
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from graph.model import Role
from graph.seed import seed_demo
from tests.own_app import OwnApp, own_app


def _value(v: Any) -> ValueNode:
    if isinstance(v, bool):
        return BooleanValueNode(value=v)
    if isinstance(v, int):
        return IntValueNode(value=str(v))
    if isinstance(v, float):
        return FloatValueNode(value=repr(v))
    return StringValueNode(value=str(v))


# JSON arguments are property maps: plausible names (and some random ones) with scalar values.
_KEYS = st.sampled_from(
    [
        "name",
        "title",
        "level",
        "strength",
        "email",
        "segment",
        "tier",
        "status",
        "role",
        "since",
        "value",
        "kind",
        "share",
        "summary",
        "channel",
        "at",
        "due",
    ]
) | st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,11}\Z")
_SCALARS = (
    st.text(max_size=30)
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False)
    | st.booleans()
)
schemathesis.graphql.scalar(
    "JSON",
    st.dictionaries(_KEYS, _SCALARS, max_size=4).map(
        lambda d: ObjectValueNode(
            fields=tuple(
                ObjectFieldNode(name=NameNode(value=k), value=_value(v)) for k, v in d.items()
            )
        )
    ),
)
# Dates over the whole calendar and past its ends: year 1 and 9999 with a UTC offset that
# carries them over the edge, year 0, days that do not exist, words.
_NOT_DATES = st.sampled_from(["0000-01-01", "2026-02-30", "soon", "", "9999-99-99"])
schemathesis.graphql.scalar(
    "Date",
    st.one_of(st.dates().map(lambda d: d.isoformat()), _NOT_DATES).map(
        lambda v: StringValueNode(value=v)
    ),
)
schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(
        st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
        st.sampled_from(
            ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z"]
        ),
        _NOT_DATES,
    ).map(lambda v: StringValueNode(value=v)),
)

SCHEMA = schemathesis.graphql.from_path(Path(__file__).resolve().parent.parent / "schema.graphql")
PASSWORD = "schemathesis-password-1"
TYPED = {
    "FORBIDDEN",
    "NOT_FOUND",
    "VALIDATION",
    "GRAPHQL_VALIDATION",
    "CONFLICT",
    "UNAUTHENTICATED",
    "RATE_LIMITED",
}
LEAKS = ("Traceback", "neo4j", "Neo.", "MATCH (", 'File "', "/work/", "site-packages")
# Data labels only: refusals are audited, logins make sessions, retries leave receipts.
FINGERPRINT = """
MATCH (n) WHERE NOT (n:AuditEntry OR n:Session OR n:MutationReceipt OR n:Migration)
RETURN count(n) AS nodes, sum(coalesce(n.version, 0)) AS versions,
       count{ (n)-->() } AS rels, max(toString(n.updatedAt)) AS latest
"""
tried: dict[str, int] = {"requests": 0, "refused mutations": 0}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OwnApp, dict[str, str]]]:
    root = tmp_path_factory.mktemp("schemathesis")
    with own_app(root / "db", root / "app") as own:
        own.loop.run(seed_demo(own.db, PASSWORD))
        tokens = {}
        for role in Role:
            body = httpx.post(
                f"{own.url}/graphql",
                json={
                    "query": (
                        "mutation($u: String!, $p: String!) "
                        "{ login(username: $u, password: $p) { token } }"
                    ),
                    "variables": {"u": role.value.lower(), "p": PASSWORD},
                },
            ).json()
            tokens[role.value] = body["data"]["login"]["token"]
        yield own, tokens
    print(
        f"schemathesis: {tried['requests']} requests, "
        f"{tried['refused mutations']} refused mutations checked"
    )


def fingerprint(own: OwnApp) -> dict[str, Any]:
    return own.read(FINGERPRINT)[0]


@pytest.mark.slow
@pytest.mark.parametrize("role", [r.value for r in Role])
@SCHEMA.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_generated_operations_answer_typed(
    app: tuple[OwnApp, dict[str, str]], role: str, case: Any
) -> None:
    own, tokens = app
    is_mutation = case.operation.label.startswith("Mutation.")
    if case.operation.label in ("Mutation.logout", "Mutation.changePassword"):
        pytest.skip("would end the role's own session for the rest of the run")
    before = fingerprint(own) if is_mutation else None
    response = httpx.post(
        f"{own.url}/graphql",
        json={"query": case.body},
        headers={"Authorization": f"Bearer {tokens[role]}"},
        timeout=30,
    )
    tried["requests"] += 1
    assert response.status_code < 500, (response.status_code, response.text[:300])
    body = response.json()
    text = json.dumps(body)
    # A marker counts as leaked when the answer holds it more often than the request: a
    # validation message may quote the client's own input ("MATCH (" in a summary).
    leaked = [leak for leak in LEAKS if text.count(leak) > case.body.count(leak)]
    assert not leaked, (leaked, text[:500])
    errors = body.get("errors") or []
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        assert code in TYPED, (case.body, error)
    if is_mutation and (errors or _refused(body)):
        tried["refused mutations"] += 1
        assert fingerprint(own) == before, (case.body, body)


def _refused(body: dict[str, Any]) -> bool:
    """A problem union member came back (it has a message and no id of a written thing)."""
    for result in (body.get("data") or {}).values():
        if isinstance(result, dict) and "message" in result and "id" not in result:
            return True
    return False
