"""Validation off the event loop, remembered per query text.

Dashboards send the same few documents over and over. graphql-core's rules take tens of µs a
field and compare every pair of fields of one name, so a new document of a thousand tokens
takes 80-300 ms to validate: that runs on two threads of its own, and the event loop answers
others meanwhile. The errors are then remembered by the query's text (whose hash Python keeps
with the string) and the rules: a document is parsed from its text, so the same text under the
same rules always validates the same. Built on strawberry's public `SchemaExtension` hooks and
graphql-core's public `validate`.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, validate
from strawberry.extensions import SchemaExtension

from resolvers.adapter.execution import graphql_schema

Key = tuple[str, tuple[Any, ...]]


class KnownDocuments:
    """The validation errors of the query texts seen lately, at most `size`, for one schema."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._seen: OrderedDict[Key, list[GraphQLError]] = OrderedDict()
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kam-validate")

    async def errors(
        self,
        schema: GraphQLSchema,
        text: str | None,
        document: DocumentNode,
        rules: tuple[Any, ...],
    ) -> list[GraphQLError]:
        """The errors of `document`, parsed from `text` (None: a document given without its
        text, validated and not remembered)."""
        key = (text or "", rules)
        known = self._seen.get(key) if text is not None else None
        if known is not None:
            self._seen.move_to_end(key)
            return known
        loop = asyncio.get_running_loop()
        errors = await loop.run_in_executor(self.executor, validate, schema, document, rules)
        if text is None:
            return errors
        self._seen[key] = errors
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return errors


class OffLoopValidation(SchemaExtension):
    """Validates each document on `KnownDocuments`' threads, once per query text."""

    def __init__(self, known: KnownDocuments) -> None:
        super().__init__()
        self.known = known

    async def on_validate(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        # A document already refused (kam/shape.py, right after parsing) is not validated.
        if ctx.graphql_document is not None and ctx.pre_execution_errors is None:
            ctx.pre_execution_errors = await self.known.errors(
                graphql_schema(ctx.schema),
                ctx.query,
                ctx.graphql_document,
                tuple(ctx.validation_rules),
            )
        yield
