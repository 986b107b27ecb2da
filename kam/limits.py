"""Limits on what one request may ask: size, shape, cost, rate and time.

A document past a shape limit (depth, aliases, fields: kam/shape.py), the token limit, one
operation per request or the cost limit (kam/cost.py) is refused before anything runs, with
a message naming the limit. Size, rate and time are ASGI middleware around the endpoint;
heavy fields run a few at a time per caller.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import math
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
    default_field_resolver,
)

from graph.errors import ConfigError
from resolvers.errors import RateLimited


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


class CallerSlots:
    """Heavy fields run at most `running` at a time per caller (their user, else their
    address), across all their requests; `waiting` more queue for a slot, and any beyond that
    are refused. One caller's heavy work then cannot fill the database and starve others."""

    def __init__(self, running: int, waiting: int) -> None:
        self.running = running
        self.waiting = waiting
        self._callers: dict[str, _Caller] = {}

    @asynccontextmanager
    async def slot(self, caller: str) -> AsyncIterator[None]:
        """Hold one of `caller`'s slots; RateLimited when too many already wait for one."""
        entry = self._callers.get(caller)
        if entry is None:
            entry = self._callers[caller] = _Caller(asyncio.Semaphore(self.running))
        if entry.semaphore.locked() and entry.queued >= self.waiting:
            raise RateLimited(
                f"you have {self.running} heavy queries running and {entry.queued} waiting: "
                "wait for them to finish before sending more",
                retryAfter=1,
            )
        entry.users += 1
        try:
            entry.queued += 1
            try:
                await entry.semaphore.acquire()
            finally:
                entry.queued -= 1
            try:
                yield
            finally:
                entry.semaphore.release()
        finally:
            entry.users -= 1
            if not entry.users:
                del self._callers[caller]

    def gate(self, resolve: Any) -> Any:
        """`resolve` (a root field's resolver) run in one of its caller's slots."""

        async def gated(source: Any, info: Any, **kwargs: Any) -> Any:
            context = info.context
            principal = context.principal
            if principal.user_id:
                caller = "user:" + principal.user_id
            else:
                client = context.request.client
                caller = "address:" + (client.host if client else "-")
            async with self.slot(caller):
                result = resolve(source, info, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
                return result

        return gated


@dataclass
class _Caller:
    semaphore: asyncio.Semaphore
    queued: int = 0
    users: int = 0  # holding or waiting for a slot: the entry goes when none is left


def gate_heavy_fields(
    schema: GraphQLSchema, fields: Iterable[tuple[str, str]], slots: CallerSlots
) -> None:
    """Run each of `fields` (type, field) in its caller's slots."""
    for type_name, name in fields:
        type_ = schema.get_type(type_name)
        if not isinstance(type_, GraphQLObjectType) or name not in type_.fields:
            raise ConfigError(f"heavy field {type_name}.{name} is not in the schema")
        field = type_.fields[name]
        field.resolve = slots.gate(field.resolve or default_field_resolver)


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
