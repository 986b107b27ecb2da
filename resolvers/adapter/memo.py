"""Validation, and the fields each selection collects, remembered per parsed document.

Dashboards send the same few documents over and over, and the parser cache hands back the
same parsed document for the same text. strawberry's validation cache keys on the document's
contents, hashing its whole tree on every request (25 µs for an account page); this memo
keys on the document object itself, which is what the parser cache makes stable."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from graphql import DocumentNode, GraphQLError, Node, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

Key = tuple[int, int, tuple[Any, ...]]


class ValidationMemo:
    """The errors of each (schema, document, rules) validated lately, at most `size`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._seen: OrderedDict[Key, tuple[DocumentNode, list[GraphQLError]]] = OrderedDict()
        # graphql-core's rules take tens of µs a field, and compare every pair of fields of
        # one name: a new document of a thousand tokens takes 80-300 ms. It is validated on
        # these threads, so the event loop answers others meanwhile.
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kam-validate")

    def known(
        self, schema: Any, document: DocumentNode, rules: tuple[Any, ...]
    ) -> list[GraphQLError] | None:
        """The remembered errors of this document, or None when it is not remembered."""
        seen = self._seen.get((id(schema), id(document), rules))
        if seen is not None and seen[0] is document:  # an id is only reused once freed
            self._seen.move_to_end((id(schema), id(document), rules))
            return seen[1]
        return None

    def remember(
        self,
        schema: Any,
        document: DocumentNode,
        rules: tuple[Any, ...],
        errors: list[GraphQLError],
    ) -> None:
        self._seen[(id(schema), id(document), rules)] = (document, errors)  # held: id stays
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)

    def errors(
        self, schema: Any, document: DocumentNode, rules: tuple[Any, ...]
    ) -> list[GraphQLError]:
        known = self.known(schema, document, rules)
        if known is not None:
            return known
        errors = validate_document(schema, document, rules)
        self.remember(schema, document, rules, errors)
        return errors

    async def errors_off_loop(
        self, schema: Any, document: DocumentNode, rules: tuple[Any, ...]
    ) -> list[GraphQLError]:
        """`errors`, with a document not remembered validated on the memo's threads."""
        known = self.known(schema, document, rules)
        if known is not None:
            return known
        loop = asyncio.get_running_loop()
        errors = await loop.run_in_executor(
            self.executor, validate_document, schema, document, rules
        )
        self.remember(schema, document, rules, errors)
        return errors


class RememberedValidation(SchemaExtension):
    def __init__(self, memo: ValidationMemo) -> None:
        super().__init__()
        self.memo = memo

    async def on_validate(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        # A document already refused (kam/shape.py, right after parsing) is not validated.
        if ctx.graphql_document is not None and ctx.pre_execution_errors is None:
            ctx.pre_execution_errors = await self.memo.errors_off_loop(
                ctx.schema._schema, ctx.graphql_document, ctx.validation_rules
            )
        yield


class Shared:
    """What one operation's executions share (see `SelectionMemo`)."""

    __slots__ = ("collected", "plans")

    def __init__(self) -> None:
        self.collected: dict[tuple[Any, ...], Any] = {}  # (type, *ids of field nodes) -> fields
        # id of a collected field set -> how it is answered (None until first answered)
        self.plans: dict[int, Any] = {}


class SelectionMemo:
    """Per (schema, operation), whatever execution works out from the operation alone and
    may share between requests: the fields each selection collects for a type, and how
    `FastExecution` answers them. At most `size` operations. An operation with directives
    anywhere (`@include(if: $x)` depends on the request's variables) gets nothing here."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._seen: OrderedDict[tuple[int, int], tuple[Any, ...]] = OrderedDict()

    def of(
        self, schema: Any, operation: OperationDefinitionNode, fragments: dict[str, Any]
    ) -> Shared | None:
        """The memo of this operation, or None when it may not be shared."""
        key = (id(schema), id(operation))
        seen = self._seen.get(key)
        if seen is not None and seen[0] is schema and seen[1] is operation:
            self._seen.move_to_end(key)
            shared: Shared | None = seen[3]
            return shared
        nodes = [operation, *(f.definition for f in fragments.values())]
        shared = None if any(_has_directives(node) for node in nodes) else Shared()
        # Held with it, so that the ids of their nodes (the memo's keys) stay their own.
        self._seen[key] = (schema, operation, dict(fragments), shared)
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return shared


def _has_directives(node: Node) -> bool:
    if getattr(node, "directives", None):
        return True
    selection_set = getattr(node, "selection_set", None)
    return selection_set is not None and any(
        _has_directives(child) for child in selection_set.selections
    )
