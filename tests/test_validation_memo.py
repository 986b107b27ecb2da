"""Validation is remembered per parsed document object: validated once, the same errors
after, again for another document (even one of the same text), and bounded in size."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, specified_rules

from resolvers.adapter import memo as caches
from resolvers.adapter.memo import ValidationMemo
from resolvers.schema import build_schema

RULES = tuple(specified_rules)


def test_each_document_is_validated_once_and_keeps_its_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = build_schema()._schema
    calls: list[Any] = []
    original = caches.validate_document

    def counted(*args: Any) -> Any:
        calls.append(args[1])
        return original(*args)

    monkeypatch.setattr(caches, "validate_document", counted)
    memo = ValidationMemo(2)
    good, bad = parse("{ me { username } }"), parse("{ me { nothingHere } }")
    assert memo.errors(schema, good, RULES) == []
    assert memo.errors(schema, good, RULES) == []
    first = memo.errors(schema, bad, RULES)
    assert [e.message for e in first] == ["Cannot query field 'nothingHere' on type 'Me'."]
    assert memo.errors(schema, bad, RULES) is first
    assert calls == [good, bad]
    twin = parse("{ me { username } }")  # equal text, another object: validated on its own
    assert memo.errors(schema, twin, RULES) == []
    assert calls == [good, bad, twin]
    # Size 2: `twin` pushed out `good`, the least recently used; `good` then pushes out `bad`.
    memo.errors(schema, good, RULES)
    memo.errors(schema, bad, RULES)
    assert calls == [good, bad, twin, good, bad]
    memo.errors(schema, bad, (*RULES, RULES[0]))  # other rules: validated again
    assert len(calls) == 6
