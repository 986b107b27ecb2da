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
from resolvers import schema as schema_module
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
            tags=["a", str(i)],
        )
        for i in range(8)
    ]


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row | None]:  # a null item stays an item
        return rows()


QUERY = "{ rows { __typename id name count share kind due at broken odd tags } }"


def run(fast: bool) -> Any:
    kwargs: dict[str, Any] = {"execution_context_class": FastExecution} if fast else {}
    schema = strawberry.Schema(query=Query, config=StrawberryConfig(auto_camel_case=True), **kwargs)
    if fast:
        assert mark_leaves(schema) >= 9
    return asyncio.run(schema.execute(QUERY))


def test_the_fast_path_answers_exactly_as_the_ordinary_one(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = []
    original = schema_module._leaf_value

    def counted(source: Any, leaf: Any) -> Any:
        taken.append(leaf[0])
        return original(source, leaf)

    monkeypatch.setattr(schema_module, "_leaf_value", counted)
    fast, ordinary = run(fast=True), run(fast=False)
    assert len(taken) >= 8 * 8  # eight leaf fields of eight rows went the fast way
    assert json.dumps(fast.data) == json.dumps(ordinary.data)  # the same order of keys too
    assert [(e.message, e.path) for e in fast.errors or []] == [
        (e.message, e.path) for e in ordinary.errors or []
    ]
    paths = sorted(tuple(e.path) for e in ordinary.errors or [])
    assert paths == [("rows", 3, "broken"), ("rows", 4, "odd")]  # the test can tell them apart


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
