"""Relay-style connections: `first`/`after` with opaque cursors built from readable fields."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Generic, TypeVar

import strawberry

from resolvers.edge import has_lone_surrogate
from resolvers.errors import InvalidInput, bounded
from resolvers.sections import PUBLIC, sectioned

NodeT = TypeVar("NodeT")
MAX_PAGE = 100


@sectioned(PUBLIC)
@strawberry.type
class PageInfo:
    has_next_page: bool
    end_key: strawberry.Private[tuple[str, ...] | None]

    @strawberry.field
    def end_cursor(self) -> str | None:
        # Encoded when asked for, as an edge's cursor is.
        return encode_cursor(*self.end_key) if self.end_key is not None else None


@sectioned(PUBLIC)
@strawberry.type
class Edge(Generic[NodeT]):
    node: NodeT
    key: strawberry.Private[tuple[str, ...]]

    @strawberry.field
    def cursor(self) -> str:
        # Encoded when asked for: most pages are read without their edges' cursors.
        return encode_cursor(*self.key)


@sectioned(PUBLIC)
@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo


def check_first(first: int, argument: str = "first") -> int:
    return bounded(argument, first, 1, MAX_PAGE)


def encode_cursor(*key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def decode_cursor(
    cursor: str | None, size: int, argument: str = "after", *, dated: bool = False
) -> tuple[str, ...] | None:
    """The key a cursor of this API encodes: `size` strings of valid text, the first a date
    and time when `dated`. Anything else is a VALIDATION naming the argument: a forged key
    would otherwise reach the database (a lone surrogate) or a date parser (year 0)."""
    if cursor is None:
        return None
    not_ours = InvalidInput(f"'{argument}' is not a cursor from this API", argument=argument)
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeEncodeError):
        raise not_ours from None
    if not isinstance(key, list) or len(key) != size or not all(isinstance(k, str) for k in key):
        raise not_ours
    if any(has_lone_surrogate(k) for k in key):
        raise not_ours
    if dated:
        try:
            at = datetime.fromisoformat(key[0])
            if at.tzinfo is not None:
                at.astimezone(UTC)
        except (ValueError, OverflowError):
            raise not_ours from None
    return tuple(key)


def connection_of(nodes: list[NodeT], keys: list[tuple[str, ...]], more: bool) -> Connection[NodeT]:
    """A page whose cursors encode the given keys (one per node, in order)."""
    edges = [Edge(node=n, key=k) for n, k in zip(nodes, keys, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=more, end_key=keys[-1] if keys else None),
    )


def page_in_memory(
    nodes: list[NodeT], key: Callable[[NodeT], str], first: int, after: str | None
) -> Connection[NodeT]:
    """Page a short, already-ordered list that one loader call brought whole.

    The cursor is the key of the last node seen; paging on from a node that has left the
    list since (archived, out of scope now) is refused rather than guessed."""
    check_first(first)
    start = 0
    cursor = decode_cursor(after, 1)
    if cursor is not None:
        keys = [key(n) for n in nodes]
        try:
            start = keys.index(cursor[0]) + 1
        except ValueError:
            raise InvalidInput(
                "'after' names an entry that is no longer in this list: start again without it",
                argument="after",
            ) from None
    page = nodes[start : start + first]
    return connection_of(page, [(key(n),) for n in page], start + first < len(nodes))
