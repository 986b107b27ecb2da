"""Our resolvers called straight from graphql-core, and async resolvers started eagerly
(docs/ARCHITECTURE.md §9).

`call_resolvers_directly` builds strawberry's `Info` from its private fields (`_raw_info`,
`_field`) and marks the resolver with graphql-core's `_is_default`; `start_eagerly` steps a
coroutine by hand and parks its future through asyncio's `_asyncio_future_blocking`. Both wait
for a public way to skip strawberry's per-call argument conversion for plain scalar
arguments (strawberry 0.341 has none) and for graphql-core to complete a resolver's value
without a task per field (graphql-python/graphql-core#190).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator
from types import CoroutineType
from typing import Any, Final

import strawberry
from strawberry.types.base import StrawberryOptional

from resolvers.adapter.info import BACKREF, graphql_schema, own_fields

Resolver = Callable[..., Any]

PLAIN_ARGUMENTS: Final = (int, str, bool, float, strawberry.ID)


def call_resolvers_directly(schema: strawberry.Schema) -> int:
    """Call our own resolvers straight from graphql-core, as strawberry would call them but
    without its per-call argument conversion and extension chain (in a portfolio page, the
    conversion alone cost as much as the accounts' `projects` resolvers themselves). Taken
    only where that chain would do nothing: no field extensions, no exception handlers,
    arguments of plain scalar types (which graphql-core has already coerced, defaults
    included). Returns how many fields."""
    if getattr(schema, "exception_handlers", ()):
        return 0
    mutation = graphql_schema(schema).mutation_type
    info_class = schema.config.info_class
    names = schema.config.name_converter
    taken = 0
    for type_name, _name, field in own_fields(schema):
        definition = (field.extensions or {}).get(BACKREF)
        if definition is None or definition.base_resolver is None:
            continue
        resolver = definition.base_resolver
        if (
            definition.extensions
            or (mutation is not None and type_name == mutation.name)
            or not all(_plain(argument.type) for argument in definition.arguments)
        ):
            continue
        arguments = {names.get_graphql_name(a): a.python_name for a in definition.arguments}
        field.resolve = _direct(definition, resolver, arguments, info_class)
        taken += 1
    return taken


def _plain(type_: Any) -> bool:
    inner = type_.of_type if isinstance(type_, StrawberryOptional) else type_
    return inner in PLAIN_ARGUMENTS


def _direct(field: Any, resolver: Any, arguments: dict[str, str], info_class: Any) -> Resolver:
    with_self = resolver.self_parameter is not None
    sources = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p]
    info_name = resolver.info_parameter.name if resolver.info_parameter else None

    def direct(source: Any, info: Any, **kwargs: Any) -> Any:
        named = {arguments[name]: value for name, value in kwargs.items()}
        for name in sources:
            named[name] = source
        if info_name is not None:
            named[info_name] = info_class(_raw_info=info, _field=field)
        return resolver(source, **named) if with_self else resolver(**named)

    direct._is_default = False  # type: ignore[attr-defined]
    return direct


EAGER: Final = "_kam_eager"  # on a resolver: it starts its coroutine at once


class Started:
    """An async resolver's coroutine that already ran up to its first real wait (a batch
    still to be loaded, a database read): awaiting this goes on from there, passing every
    wait, result, exception and cancellation through as `await coroutine` would."""

    __slots__ = ("_coroutine", "_waiting_on")

    def __init__(self, coroutine: Coroutine[Any, Any, Any], waiting_on: Any) -> None:
        self._coroutine, self._waiting_on = coroutine, waiting_on

    def __await__(self) -> Generator[Any, Any, Any]:
        coroutine, waiting_on = self._coroutine, self._waiting_on
        if getattr(waiting_on, _BLOCKING, None) is False:  # parked by `start_eagerly`
            setattr(waiting_on, _BLOCKING, True)  # a task takes it from here, as from `await`
        while True:
            try:
                sent = yield waiting_on
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as thrown:  # handed to the coroutine, whatever it is
                try:
                    waiting_on = coroutine.throw(thrown)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    waiting_on = coroutine.send(sent)
                except StopIteration as done:
                    return done.value


# A future awaited is marked blocking until the task running the coroutine takes it up. A
# started coroutine has no task yet: its future is parked (not blocking), so that another one
# may wait on the same future (two fields loading one key), until `Started` hands it on.
_BLOCKING: Final = "_asyncio_future_blocking"


def start_eagerly(resolve: Resolver) -> Resolver:
    """An async resolver that runs at once, as far as it can without waiting. Most of them
    read a loader its parent already primed (an account page's lists, a portfolio's
    projects), so they finish right here: a plain value, which graphql-core completes
    without a task, gather or awaitable per field (docs/ARCHITECTURE.md §9). One that does wait
    goes on as an awaitable; loads made while starting still share one batch."""
    if getattr(resolve, EAGER, False):
        return resolve

    def started(source: Any, info: Any, **kwargs: Any) -> Any:
        result = resolve(source, info, **kwargs)
        if type(result) is not CoroutineType:
            return result
        try:
            waiting_on = result.send(None)
        except StopIteration as done:
            return done.value
        if getattr(waiting_on, _BLOCKING, None) is True:
            setattr(waiting_on, _BLOCKING, False)
        return Started(result, waiting_on)

    setattr(started, EAGER, True)
    return started
