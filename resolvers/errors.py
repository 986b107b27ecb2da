"""Typed client errors and the masking of everything else.

A client sees a `code` in each error's extensions (FORBIDDEN, NOT_FOUND, VALIDATION,
UNAUTHENTICATED, UNAVAILABLE, INTERNAL, ...). Only our own typed errors and GraphQL's own
syntax/validation messages pass through; anything else becomes INTERNAL with the request id,
and the detail goes to the log under that id: never a stack trace, Cypher or driver text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.error import GraphQLError
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

from graph.errors import DatabaseUnavailable, GraphError, NotFound, StorageUnavailable

log = logging.getLogger("kam.errors")


class KamError(GraphQLError):
    """An expected failure that clients may see, with its code."""

    code = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class Unauthenticated(KamError):
    code = "UNAUTHENTICATED"


class Forbidden(KamError):
    code = "FORBIDDEN"


class NotFoundError(KamError):
    code = "NOT_FOUND"


class InvalidInput(KamError):
    code = "VALIDATION"


def bounded(name: str, value: int, low: int, high: int) -> int:
    """The value, or a VALIDATION error naming the argument and its bounds."""
    if not low <= value <= high:
        raise InvalidInput(f"'{name}' must be between {low} and {high}, got {value}", argument=name)
    return value


class Unavailable(KamError):
    code = "UNAVAILABLE"


class RateLimited(KamError):
    code = "RATE_LIMITED"


SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    """The message without graphql-core's "Did you mean …?" hints."""
    return SUGGESTION.sub("", message)


def client_error(error: GraphQLError, request_id: str) -> GraphQLError:
    """The error as a client may see it."""
    original = error.original_error
    if isinstance(original, KamError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=original.extensions,
        )
    coercion = isinstance(original or error, StrawberryInputCoercionError)
    if original is None or type(original) is GraphQLError or coercion:
        # GraphQL's own syntax, validation and variable-coercion errors: safe, and say what to
        # fix, but without "Did you mean …?": a suggestion may name a field, type or value
        # hidden from the caller. A scalar that refused a value (a Date that is no date) is a
        # bad input.
        extensions = dict(error.extensions or {})
        extensions.setdefault("code", "VALIDATION" if coercion else "GRAPHQL_VALIDATION")
        return GraphQLError(
            without_suggestions(error.message),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=extensions,
        )
    if isinstance(original, NotFound):
        code, message = "NOT_FOUND", "not found"
    elif isinstance(original, StorageUnavailable):
        code, message = "UNAVAILABLE", "the database cannot store changes now; nothing was written"
        log.error("request %s: %s", request_id, original)
    elif isinstance(original, DatabaseUnavailable):
        code, message = "UNAVAILABLE", "the database is not answering; try again shortly"
        log.warning("request %s: database unavailable: %s", request_id, original)
    else:
        code, message = "INTERNAL", f"internal error (request id {request_id})"
        log.error(
            "request %s: %s at %s",
            request_id,
            type(original).__name__,
            ".".join(str(p) for p in error.path or ()),
            exc_info=original if not isinstance(original, GraphError) else None,
        )
        if isinstance(original, GraphError):
            log.error("request %s: detail: %s", request_id, original)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code, "requestId": request_id},
    )


class ErrorMasking(SchemaExtension):
    """Rewrite every error of a result into its client form (see module docstring)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult | ExecutionResult) and result.errors:
            request_id = getattr(self.execution_context.context, "request_id", "-")
            result.errors = [client_error(e, request_id) for e in result.errors]
