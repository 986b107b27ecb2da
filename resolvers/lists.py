"""Lists under a node: the rows that came with the node from its page query (`Prefetched`),
one page of children (`page_of`: those rows when they answer, else a paged loader), and
name-sorted connections. Shared by the types of every domain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from loaders.base import PageKey
from resolvers.relay import Connection, check_first, connection_of, decode_cursor
from resolvers.soon import Soon, then

RowT = TypeVar("RowT")
ArgsT = TypeVar("ArgsT")
Page = tuple[int, tuple[str, ...] | None]  # a paged list's arguments: (first, after key)


@dataclass(frozen=True, slots=True)
class Prefetched(Generic[ArgsT, RowT]):
    """Rows that came with their parent from the query that found it, and the arguments of
    the field they answer."""

    args: ArgsT
    rows: RowT

    def answering(self, args: ArgsT) -> RowT | None:
        """The rows, when they answer exactly `args`; else None (the field loads them)."""
        return self.rows if self.args == args else None


class _HasId(Protocol):
    @property
    def id(self) -> strawberry.ID: ...


def node_id(node: _HasId) -> str:
    """The cursor key of a node paged in memory by id."""
    return str(node.id)


async def came_or_loaded(
    came: Mapping[str, RowT], loader: DataLoader[str, RowT | None], ids: list[str]
) -> list[RowT | None]:
    """The rows of `ids` in order: those that `came` with the parent, the rest by the loader
    (one batch)."""
    missing = [i for i in ids if i not in came]
    loaded = await loader.load_many(missing) if missing else []
    found = dict(zip(missing, loaded, strict=True))
    return [came[i] if i in came else found[i] for i in ids]


def page_of(
    loader: DataLoader[PageKey, list[RowT]],
    parent_id: str,
    first: int,
    after: str | None,
    came: Prefetched[Page, list[RowT]] | None = None,
    *,
    dated: bool = False,
) -> Soon[tuple[list[RowT], bool]]:
    """One page of a parent's children, and whether more follow: at once the rows that
    `came` with the parent when they answer `first` and `after`, else soon through the paged
    loader (`dated`: its cursors start with a date and time)."""
    check_first(first)
    key = decode_cursor(after, 2, dated=dated)
    rows = came.answering((first, key)) if came is not None else None
    return then(
        rows if rows is not None else loader.load((parent_id, first, key)),
        lambda found: (found[:first], len(found) > first),
    )


class _Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


NamedT = TypeVar("NamedT", bound=_Named)


def named_connection(nodes: list[NamedT], more: bool) -> Connection[NamedT]:
    """A page of name-sorted nodes; the cursor is (name, id), both readable fields."""
    return connection_of(nodes, [(n.name, n.id) for n in nodes], more)
