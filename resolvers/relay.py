"""Relay-style connections: `first`/`after` with opaque cursors built from readable fields."""

from __future__ import annotations

import base64
import json
from typing import Generic, TypeVar

import strawberry

from resolvers.errors import InvalidInput
from resolvers.sections import PUBLIC, sectioned

NodeT = TypeVar("NodeT")
MAX_PAGE = 100


@sectioned(PUBLIC)
@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@sectioned(PUBLIC)
@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@sectioned(PUBLIC)
@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo


def check_first(first: int, argument: str = "first") -> int:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(
            f"'{argument}' must be between 1 and {MAX_PAGE}, got {first}", argument=argument
        )
    return first


def encode_cursor(*key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def decode_cursor(cursor: str | None, size: int, argument: str = "after") -> tuple[str, ...] | None:
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise InvalidInput(
            f"'{argument}' is not a cursor from this API", argument=argument
        ) from None
    if not isinstance(key, list) or len(key) != size or not all(isinstance(k, str) for k in key):
        raise InvalidInput(f"'{argument}' is not a cursor from this API", argument=argument)
    return tuple(key)
