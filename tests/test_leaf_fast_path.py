"""The leaf fast path answers exactly what graphql-core's ordinary path answers (values,
nulls, errors), and never takes a field that carries a need-to-know guard."""

from __future__ import annotations

import asyncio
import enum
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig

from auth.policy import load_policy
from kam.settings import Settings
from resolvers.schema import (
    LEAF,
    FastExecution,
    apply_policy,
    build_schema,
    mark_leaves,
    schema_fields,
)


@strawberry.enum
class Kind(enum.Enum):
    RETROFIT = "RETROFIT"
    SERVICE = "SERVICE"


@strawberry.type
class Row:
    id: strawberry.ID
    name: str
    count: int
    share: float | None
    kind: Kind
    due: date | None
    at: datetime
    broken: str  # non-null, but some rows hold None: the ordinary path reports it
    odd: int | None  # holds a value that is no Int: the ordinary path reports it
    big: int | None  # one holds more than 32 bits: no Int either
    ratio: float | None  # one is infinite: no Float
    flag: bool
    tags: list[str]


def rows() -> list[Row]:
    return [
        Row(
            id=strawberry.ID(f"r{i}"),
            name=f"Row {i}",
            count=i,
            share=None if i % 2 else i / 10,
            kind=Kind.RETROFIT if i % 3 else Kind.SERVICE,
            due=date(2026, 1, 1 + i) if i % 2 else None,
            at=datetime(2026, 11, 24, 12, i, tzinfo=UTC),
            broken=None if i == 3 else "ok",  # type: ignore[arg-type]
            odd="many" if i == 4 else i,  # type: ignore[arg-type]
            big=2**31 if i == 5 else -(2**31) + i,
            ratio=float("inf") if i == 6 else i / 3,
            flag=i % 2 == 0,
            tags=["a", str(i)],
        )
        for i in range(8)
    ]


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row | None]:  # a null item stays an item
        return rows()


QUERY = "{ rows { __typename id name count share kind due at broken odd big ratio flag tags } }"


def run(fast: bool) -> Any:
    kwargs: dict[str, Any] = {"execution_context_class": FastExecution} if fast else {}
    schema = strawberry.Schema(query=Query, config=StrawberryConfig(auto_camel_case=True), **kwargs)
    if fast:
        assert mark_leaves(schema) >= 9
    return asyncio.run(schema.execute(QUERY))


def test_the_fast_path_answers_exactly_as_the_ordinary_one(monkeypatch: pytest.MonkeyPatch) -> None:
    ordinary_fields = []
    original = FastExecution.execute_field

    def counted(
        self: FastExecution, parent_type: Any, source: Any, details: Any, *rest: Any
    ) -> Any:
        ordinary_fields.append(details[0].node.name.value)
        return original(self, parent_type, source, details, *rest)

    monkeypatch.setattr(FastExecution, "execute_field", counted)
    fast, ordinary = run(fast=True), run(fast=False)
    # Of eleven fields on eight rows, only these went the ordinary way: the root, a list of
    # strings, __typename, and the two values the fast path cannot answer.
    assert sorted(set(ordinary_fields)) == [
        "__typename",
        "big",
        "broken",
        "odd",
        "ratio",
        "rows",
        "tags",
    ]
    assert [ordinary_fields.count(name) for name in ("broken", "odd", "big", "ratio")] == [1] * 4
    assert json.dumps(fast.data) == json.dumps(ordinary.data)  # the same order of keys too
    assert [(e.message, e.path) for e in fast.errors or []] == [
        (e.message, e.path) for e in ordinary.errors or []
    ]
    paths = sorted(tuple(e.path) for e in ordinary.errors or [])
    assert paths == [  # the test can tell them apart
        ("rows", 3, "broken"),
        ("rows", 4, "odd"),
        ("rows", 5, "big"),
        ("rows", 6, "ratio"),
    ]


def test_no_guarded_field_is_marked() -> None:
    schema = build_schema()
    apply_policy(schema, load_policy(Settings().policy_file))
    marked = [(t, n, f) for t, n, f in schema_fields(schema) if hasattr(f, LEAF)]
    assert len(marked) > 100
    for type_name, name, field in marked:
        assert getattr(field.resolve, "_is_default", False), f"{type_name}.{name} is guarded"
    guarded = {(t, n) for t, n, f in schema_fields(schema) if f.resolve.__name__ == "guarded"}
    assert ("Account", "marketPotential") in guarded
    assert not guarded & {(t, n) for t, n, _ in marked}
