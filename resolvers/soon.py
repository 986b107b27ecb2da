"""Answers that are here now or still have to come.

A nested field usually answers from what came with its parent (the page query's rows): then
its resolver returns the value at once. Only when it must ask a loader does it return an
awaitable. graphql-core completes either, as its public contract says (a resolver may return a
value or an awaitable), so a page of fifty accounts answers its fifty `projects` fields without
fifty coroutines and tasks (docs/PERFORMANCE.md, "Answers at once").

Such a resolver is a plain `def`; its GraphQL type is given to `strawberry.field` as
`graphql_type`, since its Python return type is `Soon[...]`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from inspect import isawaitable
from typing import TypeAlias, TypeVar

T = TypeVar("T")
U = TypeVar("U")

Soon: TypeAlias = T | Awaitable[T]


def then(value: Soon[T], fn: Callable[[T], U]) -> Soon[U]:
    """`fn` of a value: at once when the value is here, else once it has come."""
    if isawaitable(value):
        return _later(value, fn)
    return fn(value)


async def _later(value: Awaitable[T], fn: Callable[[T], U]) -> U:
    return fn(await value)
