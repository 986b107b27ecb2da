"""Validation remembered per parsed document.

Dashboards send the same few documents over and over, and the parser cache hands back the
same parsed document for the same text. strawberry's validation cache keys on the document's
contents, hashing its whole tree on every request (25 µs for an account page); this memo
keys on the document object itself, which is what the parser cache makes stable."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

Key = tuple[int, int, tuple[Any, ...]]


class ValidationMemo:
    """The errors of each (schema, document, rules) validated lately, at most `size`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._seen: OrderedDict[Key, tuple[DocumentNode, list[GraphQLError]]] = OrderedDict()

    def errors(
        self, schema: Any, document: DocumentNode, rules: tuple[Any, ...]
    ) -> list[GraphQLError]:
        key = (id(schema), id(document), rules)
        seen = self._seen.get(key)
        if seen is not None and seen[0] is document:  # an id is only reused once freed
            self._seen.move_to_end(key)
            return seen[1]
        errors = validate_document(schema, document, rules)
        self._seen[key] = (document, errors)  # holds the document: its id stays its own
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return errors


class RememberedValidation(SchemaExtension):
    def __init__(self, memo: ValidationMemo) -> None:
        super().__init__()
        self.memo = memo

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None:
            ctx.pre_execution_errors = self.memo.errors(
                ctx.schema._schema, ctx.graphql_document, ctx.validation_rules
            )
        yield
