"""The three loader shapes: one value per key, one list per key, one page per key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar, overload

from strawberry.dataloader import DataLoader

from graph.driver import Database
from graph.scope import Scope

V = TypeVar("V")
T = TypeVar("T")
PageKey = tuple[str, int, tuple[str, ...] | None]  # (parent id, first, after key)


def by_id(fetch: Callable[[Sequence[str]], Awaitable[dict[str, V]]]) -> DataLoader[str, V | None]:
    """`<Thing>ByIdLoader`: every id asked for in one tick, in one query; a miss is None."""

    async def load(ids: Sequence[str]) -> list[V | None]:
        found = await fetch(list(dict.fromkeys(ids)))
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def grouped(
    fetch: Callable[[Sequence[str]], Awaitable[dict[str, list[V]]]],
) -> DataLoader[str, list[V]]:
    """`<Things>By<Parent>Loader`: the whole list of each parent, all parents in one query."""

    async def load(ids: Sequence[str]) -> list[list[V]]:
        found = await fetch(list(dict.fromkeys(ids)))
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)


def paged(
    fetch: Callable[[Sequence[str], int, tuple[str, str] | None], Awaitable[dict[str, list[V]]]],
) -> DataLoader[PageKey, list[V]]:
    """A page (first+1 rows, to tell whether more follow) per parent; one query per page shape."""

    async def load(keys: Sequence[PageKey]) -> list[list[V]]:
        shapes: dict[tuple[int, tuple[str, ...] | None], list[str]] = defaultdict(list)
        for parent, first, after in keys:
            shapes[(first, after)].append(parent)
        results: dict[Hashable, list[V]] = {}
        for (first, after), parents in shapes.items():
            cursor = (after[0], after[1]) if after else None
            found = await fetch(list(dict.fromkeys(parents)), first, cursor)
            for parent in parents:
                results[(parent, first, after)] = found.get(parent, [])
        return [results[key] for key in keys]

    return DataLoader(load_fn=load)


class OnFirstUse(Generic[T]):
    """A request's loader, built from the request's database and scope (`db`, `scope` on the
    instance) the first time a resolver asks for it, and kept on the instance from then on."""

    def __init__(self, build: Callable[[Database, Scope], T]) -> None:
        self.build = build
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> OnFirstUse[T]: ...

    @overload
    def __get__(self, instance: object, owner: type) -> T: ...

    def __get__(self, instance: Any, owner: type) -> Any:
        if instance is None:
            return self
        value = self.build(instance.db, instance.scope)
        instance.__dict__[self.name] = value  # no __set__: the instance's own value wins now
        return value
