"""Limits on what one request may ask: size, shape, cost, rate and time.

Shape limits (depth, aliases, tokens, one operation, cost) are GraphQL validation rules: a
document past one is refused before anything runs, with a message naming the limit. Size,
rate and time are ASGI middleware around the endpoint.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension

DEFAULT_PAGE = 20  # a `first` with no default and no value sent


def one_operation_rule() -> type[ValidationRule]:
    class OneOperation(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            operations = [
                d for d in context.document.definitions if isinstance(d, OperationDefinitionNode)
            ]
            if len(operations) > 1:
                context.report_error(
                    GraphQLError(
                        f"one operation per request, got {len(operations)}",
                        extensions={"code": "VALIDATION", "limit": "operations"},
                    )
                )

    return OneOperation


class CostLimit(SchemaExtension):
    """Estimated rows: each field costs 1 plus its children, times its page size (`first`).

    Run per request at execution (not as a validation rule): the estimate depends on the
    variables, and validation results are cached per document."""

    def __init__(self, max_cost: int) -> None:
        super().__init__()
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None:
            schema = ctx.schema._schema
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            values = ctx.variables or {}
            for op in document.definitions:
                if isinstance(op, OperationDefinitionNode):
                    root = schema.get_root_type(op.operation)
                    walk = _CostWalk(schema, fragments, values)
                    cost = walk.cost(op.selection_set, root, frozenset())
                    if cost > self.max_cost:
                        raise GraphQLError(
                            f"the query would cost about {cost} rows; the limit is {self.max_cost}: ask for smaller pages",
                            extensions={"code": "VALIDATION", "limit": "cost", "cost": cost},
                        )
        yield


class _CostWalk:
    """Each field costs 1 plus its children, times its page size: `first` as sent, else the
    field's own default for `first`, else 1 (a single object)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        values: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.values = values

    def page(self, field: FieldNode, definition: GraphQLField | None) -> int:
        for arg in field.arguments or ():
            if arg.name.value == "first":
                if isinstance(arg.value, IntValueNode):
                    return max(1, int(arg.value.value))
                if isinstance(arg.value, VariableNode):
                    value = self.values.get(arg.value.name.value)
                    if isinstance(value, int):
                        return max(1, value)
                break
        if definition is not None and "first" in definition.args:
            default = definition.args["first"].default_value
            return max(1, default) if isinstance(default, int) else DEFAULT_PAGE
        return 1

    def cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        seen: frozenset[str],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        fields = (
            parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
        )
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                definition = fields.get(sel.name.value)
                if sel.selection_set is None:
                    total += 1
                    continue
                child = get_named_type(definition.type) if definition else None
                children = self.cost(sel.selection_set, child, seen)
                total += self.page(sel, definition) * (1 + children)
            elif isinstance(sel, InlineFragmentNode):
                total += self.cost(sel.selection_set, self._condition(sel, parent), seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                if name in self.fragments and name not in seen:
                    fragment = self.fragments[name]
                    total += self.cost(
                        fragment.selection_set, self._condition(fragment, parent), seen | {name}
                    )
        return total

    def _condition(
        self, node: InlineFragmentNode | FragmentDefinitionNode, parent: GraphQLNamedType | None
    ) -> GraphQLNamedType | None:
        if node.type_condition is None:
            return parent
        return self.schema.get_type(node.type_condition.name.value)


class TokenBucket:
    """Per-key token buckets: `rate` requests a minute, bursts up to the same number."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 when allowed; else the seconds to wait."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > 50_000:
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 120}
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate


def _error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = json.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    ).encode()
    pairs = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    pairs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return status, pairs, body


async def _send(send: Any, response: tuple[int, list[tuple[bytes, bytes]], bytes]) -> None:
    status, headers, body = response
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over `max_bytes` (413), whatever the Content-Length says."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _send(
                send,
                _error_response(
                    413, "VALIDATION", f"the request body is over {self.max_bytes} bytes"
                ),
            )
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _send(
                send,
                _error_response(
                    413, "VALIDATION", f"the request body is over {self.max_bytes} bytes"
                ),
            )


class _TooLarge(Exception):
    pass


class RateLimit:
    """429 with Retry-After past `per_user` requests a minute per user, `per_address` per client."""

    def __init__(self, app: Any, per_user: int, per_address: int) -> None:
        self.app = app
        self.users = TokenBucket(per_user)
        self.addresses = TokenBucket(per_address)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") != "/graphql":
            await self.app(scope, receive, send)
            return
        user = scope.get("user")
        principal = getattr(user, "principal", None)
        wait = self.addresses.take(str((scope.get("client") or ("-",))[0]))
        if not wait and principal is not None and principal.user_id:
            wait = self.users.take(principal.user_id)
        if wait:
            await _send(
                send,
                _error_response(
                    429,
                    "RATE_LIMITED",
                    "too many requests; slow down",
                    {"Retry-After": str(math.ceil(wait))},
                ),
            )
            return
        await self.app(scope, receive, send)


class TimeLimit:
    """Answer 503 (code TIMEOUT) when a request runs past `seconds`; the database side is
    bounded by the transaction timeout of every query."""

    def __init__(self, app: Any, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") != "/graphql":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            if not started:
                await _send(
                    send,
                    _error_response(
                        503,
                        "UNAVAILABLE",
                        f"the request took over {self.seconds:g} s and was stopped",
                    ),
                )


class SecurityHeaders:
    """Headers every response carries; HSTS only in production (behind TLS)."""

    def __init__(self, app: Any, production: bool) -> None:
        self.app = app
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
        ]
        if production:
            self.headers += [
                (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
                (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
            ]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", [])]
                # A response with its own policy (the web app's pages) keeps it: two CSP
                # headers would both be enforced, and `default-src 'none'` blocks the app.
                own_csp = any(k.lower() == b"content-security-policy" for k, _ in headers)
                message["headers"] = headers + [
                    h for h in self.headers if not (own_csp and h[0] == b"content-security-policy")
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
