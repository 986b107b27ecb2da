"""Validation runs off the event loop, once per query text and rules: the same text gets
the same errors without validating again, another text is validated on its own, and the
number of texts remembered is bounded."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from resolvers import validation
from resolvers.schema import build_schema


def test_each_text_is_validated_once_off_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    original = validation.validate

    def counted(schema: Any, document: Any, rules: Any) -> Any:
        calls.append((threading.current_thread().name, document.loc.source.body))
        return original(schema, document, rules)

    monkeypatch.setattr(validation, "validate", counted)
    schema = build_schema()
    good, bad = "{ __typename }", "{ me { nothingHere } }"

    async def run() -> list[Any]:
        loop_thread = threading.current_thread().name
        results = [await schema.execute(q) for q in (good, good, bad, bad, " " + good)]
        assert all(name != loop_thread for name, _ in calls)
        return results

    results = asyncio.run(run())
    assert [r.data for r in results[:2]] == [{"__typename": "Query"}] * 2
    assert [e.message for e in results[2].errors or []] == [
        "Cannot query field 'nothingHere' on type 'Me'."
    ]
    assert results[3].errors == results[2].errors
    assert [body for _, body in calls] == [good, bad, " " + good]  # another text: again
    assert all(name.startswith("kam-validate") for name, _ in calls)


def test_the_texts_remembered_are_bounded() -> None:
    known = validation.KnownDocuments(2)
    schema = build_schema()
    from graphql import parse, specified_rules

    from resolvers.adapter.execution import graphql_schema

    rules = tuple(specified_rules)

    async def run() -> None:
        for text in ("{ a }", "{ b }", "{ c }"):
            await known.errors(graphql_schema(schema), text, parse(text), rules)
        assert len(known._seen) == 2
        errors = await known.errors(graphql_schema(schema), None, parse("{ d }"), rules)
        assert errors and len(known._seen) == 2  # without its text: not remembered

    asyncio.run(run())
