"""The GraphQL schema, and need-to-know wired into it once at start-up.

Visibility is decided per section, not per field call: at start-up every field's section tag
is read, and only fields that some role may not read get a guard wrapped around their resolver
(root fields always get one, to require a login). Plain fields readable by all keep strawberry's
own resolver, so the hot path pays nothing (DESIGN §6). Introspection hides, per caller, every
field whose section their roles cannot read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Generator
from types import CoroutineType
from typing import Any, Final, NamedTuple

import strawberry
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    GraphQLUnionType,
    Undefined,
    default_field_resolver,
    get_named_type,
    get_nullable_type,
)
from graphql.pyutils import Path, gather_with_cancel
from graphql.type.introspection import (
    SchemaMetaFieldDef,
    TypeFields,
    TypeMetaFieldDef,
    introspection_types,
)
from strawberry.extensions import ParserCache
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.tools import merge_types
from strawberry.types.base import StrawberryOptional

from auth.policy import Policy
from graph.errors import ConfigError
from graph.model import Role
from resolvers.accounts import AccountQueries
from resolvers.audit import AuditQueries
from resolvers.caches import RememberedValidation, SelectionMemo, ValidationMemo
from resolvers.edge import SCALARS
from resolvers.entities import EntityMutations, EntityQueries
from resolvers.errors import ErrorMasking, Forbidden, Unauthenticated
from resolvers.followup import FollowupMutations, FollowupQueries
from resolvers.network import NetworkQueries
from resolvers.plans import PlanMutations, PlanQueries
from resolvers.profiles import ProfileMutations
from resolvers.sections import AUTHENTICATED, PUBLIC, section_of
from resolvers.session import SessionMutations, SessionQueries

Query = merge_types(
    "Query",
    (
        SessionQueries,
        AccountQueries,
        NetworkQueries,
        PlanQueries,
        FollowupQueries,
        EntityQueries,
        AuditQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (SessionMutations, PlanMutations, FollowupMutations, EntityMutations, ProfileMutations),
)

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
Resolver = Callable[..., Any]


LEAF: Final = "_kam_leaf"  # on a GraphQLField: (attribute, scalar or enum type, nullable)
GUARDED: Final = "_kam_guarded"  # on a GraphQLField marked LEAF: the `Guard` of its resolver
SELECTIONS: Final = "_kam_selections"  # on a GraphQLSchema: its `SelectionMemo`
NODE: Final = "_kam_node"  # on a GraphQLField: a `NodeField`


class NodeField(NamedTuple):
    """A plain attribute field whose value is an object, or a list of objects, of one type."""

    attribute: str
    type_: GraphQLObjectType
    nullable: bool  # the field
    item_type: GraphQLOutputType | None  # a list's item type (non-null or not); None: no list


class FastExecution(StrawberryGraphQLCoreExecutionContext):
    """Plain attribute fields, most of the fields of a big answer, are read here without a
    resolve info, strawberry's resolver call and graphql-core's completion steps for each:
    the same values, a fraction of the per-field cost (DESIGN §6).

    - A leaf (scalar or enum) is read and coerced; one behind a read guard (market potential
      in a portfolio) is read once the guard admits the caller, with the same audit entry.
    - An object, or a list of objects, is read and its selection executed right away.

    Only fields that `mark_leaves` marked take this path, and only outside incremental
    delivery. A guard that refuses sends the field the ordinary way, which raises. Anything
    unusual (a null in a non-null field, a value that does not coerce, an object of another
    type) goes the ordinary way, which reports it; an error below a fast field is handled as
    graphql-core handles it (null here, or up to the nearest nullable field)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # An extension that resolves fields must see every field: then no fast path.
        self._fast = manager is None or not manager.middlewares
        self._plans: dict[int, Plan] = {}
        # The collected fields and plans of an operation, shared by its executions.
        memo: SelectionMemo | None = getattr(self.schema, SELECTIONS, None)
        self._shared = (
            memo.of(self.schema, self.operation, self.fragments)
            if memo is not None and self._fast
            else None
        )

    def collect_subfields(self, return_type: GraphQLObjectType, field_details_list: Any) -> Any:
        """The fields a selection collects for a type: worked out once per operation when
        nothing in it depends on the request (no directives), else once per request."""
        shared = self._shared
        if shared is None:
            return super().collect_subfields(return_type, field_details_list)
        key = (return_type, *[id(details.node) for details in field_details_list])
        collected = shared.collected.get(key)
        if collected is None:
            collected = super().collect_subfields(return_type, field_details_list)
            shared.collected[key] = collected  # held: the id of its field set stays its own
            shared.plans.setdefault(id(collected.grouped_field_set), None)  # a plan to come
        return collected

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: dict[str, Any],
        position_context: Any,
    ) -> Any:
        if not self._fast or position_context is not None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plan = self._plan_of(parent_type, grouped_field_set)
        is_awaitable = self.is_awaitable
        results: dict[str, Any] = {}
        waiting: list[str] = []
        value: Any
        try:
            for response_name, details, kind, mark, field in plan[2]:
                if kind is _OTHER:
                    pass
                elif kind is _GUARDED:
                    # Refused: the ordinary way checks again and raises what the guard raises.
                    if mark[1].admits(self.context_value, source_value):
                        value = _leaf_value(source_value, mark[0])
                        if value is not _ORDINARY:
                            results[response_name] = value
                            continue
                elif kind is _NODE:
                    value = self._node_value(
                        source_value,
                        mark,
                        field,
                        details,
                        Path(path, response_name, parent_type.name),
                    )
                    if value is not _ORDINARY:
                        results[response_name] = value
                        if is_awaitable(value):
                            waiting.append(response_name)
                        continue
                else:
                    if kind is not _LEAF:
                        value = getattr(source_value, mark[0], None)
                        if type(value) is kind and (
                            kind is str
                            or kind is bool
                            or (kind is int and _INT_MIN <= value <= _INT_MAX)
                            or (kind is float and value - value == 0.0)  # finite
                        ):
                            results[response_name] = value  # as the scalar serializes it
                            continue
                    value = _leaf_value(source_value, mark)
                    if value is not _ORDINARY:
                        results[response_name] = value
                        continue
                value = self.execute_field(
                    parent_type,
                    source_value,
                    details,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if value is not Undefined:
                    results[response_name] = value
                    if is_awaitable(value):
                        waiting.append(response_name)
        except Exception:
            if waiting:  # let the others settle: they may fail too
                self.settle_in_background([results[name] for name in waiting])
            raise
        if not waiting:
            return results

        async def all_results() -> dict[str, Any]:
            if len(waiting) == 1:
                results[waiting[0]] = await results[waiting[0]]
            else:
                done = await gather_with_cancel(*(results[name] for name in waiting))
                results.update(zip(waiting, done, strict=True))
            return results

        return all_results()

    def _plan_of(self, parent_type: GraphQLObjectType, grouped_field_set: dict[str, Any]) -> Plan:
        plans = self._plans
        shared = self._shared
        if shared is not None and id(grouped_field_set) in shared.plans:
            plans = shared.plans
        plan = plans.get(id(grouped_field_set))
        if plan is None or plan[0] is not grouped_field_set or plan[1] is not parent_type:
            steps = _plan(parent_type, grouped_field_set)
            plan = (grouped_field_set, parent_type, steps, _plain_leaves(steps))
            plans[id(grouped_field_set)] = plan  # holds the set: its id stays its own
        return plan

    def _node_value(
        self, source: Any, node: NodeField, field: GraphQLField, details: Any, path: Path
    ) -> Any:
        value = getattr(source, node.attribute, None)
        if value is None:
            return None if node.nullable else _ORDINARY
        type_ = node.type_
        is_type_of = type_.is_type_of
        if node.item_type is None:
            if self.is_awaitable(value) or (is_type_of and is_type_of(value, _NO_INFO) is not True):
                return _ORDINARY
            items = None
        else:
            if type(value) is not list:
                return _ORDINARY
            items = value
            item_nullable = not isinstance(node.item_type, GraphQLNonNull)
            for item in items:  # decided before anything runs: no work is done twice
                if item is None:
                    if not item_nullable:
                        return _ORDINARY
                elif self.is_awaitable(item) or (
                    is_type_of and is_type_of(item, _NO_INFO) is not True
                ):
                    return _ORDINARY
        grouped_field_set, defers, _forbidden = self.collect_subfields(type_, details)
        if defers:
            return _ORDINARY
        try:
            if items is None:
                done = self.execute_fields(type_, value, path, grouped_field_set, None)
            else:
                done = self._items(items, node.item_type, type_, details, path, grouped_field_set)
        except Exception as error:
            self.handle_field_error(error, field.type, details, path)  # raises when non-null
            return None
        if not self.is_awaitable(done):
            return done
        return self._settled(done, field.type, details, path)

    def _items(
        self,
        items: list[Any],
        item_type: Any,
        type_: GraphQLObjectType,
        details: Any,
        path: Path,
        grouped_field_set: dict[str, Any],
    ) -> Any:
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        waiting: list[int] = []
        # A selection of plain leaves only (an org chart's contacts): each item's answer is
        # read here, as `execute_fields` would read it; an item with any other value goes there.
        leaves = self._plan_of(type_, grouped_field_set)[3]
        try:
            for index, item in enumerate(items):
                if item is None:
                    completed.append(None)
                    continue
                if leaves is not None:
                    answer: dict[str, Any] = {}
                    for response_name, attribute, kind, nullable in leaves:
                        value: Any = getattr(item, attribute, None)
                        if type(value) is kind and (
                            kind is str
                            or kind is bool
                            or (kind is int and _INT_MIN <= value <= _INT_MAX)
                            or (kind is float and value - value == 0.0)
                        ):
                            answer[response_name] = value
                        elif value is None and nullable:
                            answer[response_name] = None
                        else:
                            break
                    else:
                        completed.append(answer)
                        continue
                item_path = Path(path, index, None)
                try:
                    done = self.execute_fields(type_, item, item_path, grouped_field_set, None)
                except Exception as error:
                    self.handle_field_error(error, item_type, details, item_path)
                    done = None
                if is_awaitable(done):
                    done = self._settled(done, item_type, details, item_path)
                    waiting.append(index)
                completed.append(done)
        except Exception:
            if waiting:
                self.settle_in_background([completed[index] for index in waiting])
            raise
        if not waiting:
            return completed

        async def all_items() -> list[Any]:
            done = await gather_with_cancel(*(completed[index] for index in waiting))
            for index, value in zip(waiting, done, strict=True):
                completed[index] = value
            return completed

        return all_items()

    async def _settled(
        self, done: Awaitable[Any], type_: GraphQLOutputType, details: Any, path: Path
    ) -> Any:
        try:
            return await done
        except Exception as error:
            self.handle_field_error(error, type_, details, path)
            return None


_ORDINARY: Final = object()  # "let graphql-core answer this one"
_OTHER: Final = object()  # a field of the ordinary way
_NODE: Final = object()
_LEAF: Final = object()  # a leaf whose value `_leaf_value` coerces
_GUARDED: Final = object()  # a leaf behind a guard: `_leaf_value` once the guard admits
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
# A value of exactly this Python type is what the scalar serializes it to (an Int within 32
# bits): it goes into the answer as it is. Any other value goes through `_leaf_value`.
_AS_IS: Final[dict[GraphQLScalarType, type]] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
    GraphQLInt: int,
    GraphQLFloat: float,
}
Step = tuple[str, Any, Any, Any, Any]  # response name, field details, kind, mark, field
PlainLeaf = tuple[str, str, Any, bool]  # response name, attribute, Python type, nullable
# The selection it is for, its type, its steps, and its plain leaves when that is all it has.
Plan = tuple[dict[str, Any], GraphQLObjectType, list[Step], list[PlainLeaf] | None]


def _plan(parent_type: GraphQLObjectType, grouped_field_set: dict[str, Any]) -> list[Step]:
    """How each field of a selection is answered: a leaf (by the Python type its value must
    have to go in as it is, else `_leaf_value` decides), a node, or the ordinary way. Made
    once per selection set (and operation, or request when it has directives), used for
    every object of a list."""
    fields = parent_type.fields
    steps: list[Step] = []
    for response_name, details in grouped_field_set.items():
        field = fields.get(details[0].node.name.value)
        leaf = getattr(field, LEAF, None)
        node = getattr(field, NODE, None)
        guard = getattr(field, GUARDED, None)
        if guard is not None:
            steps.append((response_name, details, _GUARDED, (leaf, guard), field))
        elif leaf is not None:
            steps.append((response_name, details, _AS_IS.get(leaf[1], _LEAF), leaf, field))
        elif node is not None:
            steps.append((response_name, details, _NODE, node, field))
        else:
            steps.append((response_name, details, _OTHER, None, field))
    return steps


def _plain_leaves(steps: list[Step]) -> list[PlainLeaf] | None:
    """The steps as plain leaves (whose value goes in as it is, or a null where allowed), or
    None when any step is something else."""
    kinds = set(_AS_IS.values())
    if not steps or any(kind not in kinds for _, _, kind, _, _ in steps):
        return None
    return [(name, mark[0], kind, mark[2]) for name, _, kind, mark, _ in steps]


_NO_INFO: Final[Any] = None  # strawberry's is_type_of reads the value alone


def _leaf_value(source: Any, leaf: tuple[str, Any, bool]) -> Any:
    attribute, type_, nullable = leaf
    value = getattr(source, attribute, None)
    if value is None:
        return None if nullable else _ORDINARY
    try:
        coerced = type_.coerce_output_value(value)
    except Exception:  # the ordinary path reports it
        return _ORDINARY
    return _ORDINARY if coerced is None or coerced is Undefined else coerced


def mark_leaves(schema: strawberry.Schema) -> int:
    """Mark the fields `FastExecution` may answer: strawberry's own attribute resolver, no
    arguments, and a scalar or enum type (a leaf, also behind a read guard) or an object type
    or a list of one (a node, never behind a guard; only while the schema has no incremental
    delivery directives). Returns how many leaves."""
    incremental = any(d.name in ("defer", "stream") for d in schema._schema.directives)
    # Plans made with the marks before these are of no use now.
    setattr(schema._schema, SELECTIONS, SelectionMemo(256))
    marked = 0
    for _type_name, _name, field in schema_fields(schema):
        for mark in (LEAF, NODE, GUARDED):
            if hasattr(field, mark):
                delattr(field, mark)
        definition = (field.extensions or {}).get(BACKREF)
        guard: Guard | None = getattr(field.resolve, GUARD, None)
        resolve = guard.inner if guard is not None and not guard.write else field.resolve
        if definition is None or not getattr(resolve, "_is_default", False) or field.args:
            continue
        named = get_named_type(field.type)
        nullable = not isinstance(field.type, GraphQLNonNull)
        inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        if inner is named and isinstance(named, GraphQLScalarType | GraphQLEnumType):
            setattr(field, LEAF, (definition.python_name, named, nullable))
            if guard is not None:
                setattr(field, GUARDED, guard)
            marked += 1
        elif guard is not None or incremental or not isinstance(named, GraphQLObjectType):
            continue
        elif inner is named:
            setattr(field, NODE, NodeField(definition.python_name, named, nullable, None))
        elif isinstance(inner, GraphQLList) and get_nullable_type(inner.of_type) is named:
            setattr(field, NODE, NodeField(definition.python_name, named, nullable, inner.of_type))
    return marked


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
    mutation = schema._schema.mutation_type
    info_class = schema.config.info_class
    names = schema.config.name_converter
    taken = 0
    for type_name, _name, field in schema_fields(schema):
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
    without a task, a gather and an awaitable per field (DESIGN §6). One that does wait
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


def mark_fast_paths(schema: strawberry.Schema) -> int:
    """Mark the leaves `FastExecution` may answer, and start every async resolver of a query
    eagerly (mutations keep theirs: one runs after the other). Returns how many leaves."""
    mutation = schema._schema.mutation_type
    for type_name, _name, field in schema_fields(schema):
        definition = (field.extensions or {}).get(BACKREF)
        if (
            definition is not None
            and definition.is_async
            and field.resolve is not None
            and (mutation is None or type_name != mutation.name)
        ):
            field.resolve = start_eagerly(field.resolve)
    return mark_leaves(schema)


class KamSchema(strawberry.Schema):
    """Our schema: errors are logged once, by `ErrorMasking`, with the request id; expected
    ones (typed `KamError`s, GraphQL validation) are not logged as failures at all."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None


def build_schema(extensions: tuple[Any, ...] = ()) -> strawberry.Schema:
    """The schema as types and resolvers (policy-free: what `schema.graphql` exports)."""
    validation = ValidationMemo(256)
    return KamSchema(
        query=Query,
        mutation=Mutation,
        # Dashboards send the same few documents over and over: parse and validate each once.
        extensions=[
            ErrorMasking,
            lambda: ParserCache(maxsize=256),  # module-level, shared: the same text, one document
            lambda: RememberedValidation(validation),
            *extensions,
        ],
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=FastExecution,
        scalar_overrides=SCALARS,  # dates a calendar holds (resolvers/edge.py)
    )


def field_section(field: GraphQLField) -> str | None:
    return section_of((field.extensions or {}).get(BACKREF))


def schema_fields(schema: strawberry.Schema) -> list[tuple[str, str, GraphQLField]]:
    """Every (type name, field name, field) of our own object types."""
    found = []
    for type_ in schema._schema.type_map.values():
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__"):
            for name, field in type_.fields.items():
                found.append((type_.name, name, field))
    return found


def apply_policy(schema: strawberry.Schema, policy: Policy) -> strawberry.Schema:
    """Check every field's tag against the policy and guard the restricted ones."""
    call_resolvers_directly(schema)  # before the guards, which wrap what it puts in place
    roots = {
        t.name for t in (schema._schema.query_type, schema._schema.mutation_type) if t is not None
    }
    mutation = schema._schema.mutation_type.name if schema._schema.mutation_type else None
    fields = schema_fields(schema)
    incoming = _incoming_sections(fields, roots)
    conditional = {s for s in policy.sections if any(policy.grant(r, s).when for r in Role)}
    for type_name, name, field in fields:
        section = field_section(field)
        if section is None:
            raise ConfigError(f"schema field {type_name}.{name} has no need-to-know section tag")
        if section == PUBLIC:
            continue
        if section == AUTHENTICATED:
            if type_name in roots:
                field.resolve = _login_required(field.resolve or default_field_resolver)
            continue
        if section not in policy.sections:
            raise ConfigError(
                f"schema field {type_name}.{name} names section '{section}', "
                f"which the policy {policy.source} does not define"
            )
        is_root = type_name in roots
        if not is_root and policy.universally_readable(section):
            continue
        if not is_root and incoming.get(type_name) == {section} and section not in conditional:
            continue  # only reachable through fields that already checked this section
        if not is_root and isinstance(field.type, GraphQLNonNull):
            raise ConfigError(
                f"schema field {type_name}.{name} is restricted ({section}) so it must be nullable"
            )
        field.resolve = _guard(
            field.resolve or default_field_resolver,
            section,
            type_name,
            write=type_name == mutation,
            audited=section in policy.audited,
        )
    mark_fast_paths(schema)  # after the guards: a guarded leaf is marked with its guard
    return schema


def _incoming_sections(
    fields: list[tuple[str, str, GraphQLField]], roots: set[str]
) -> dict[str, set[str]]:
    """For each object type, the sections of the fields that lead to it. A PUBLIC structure
    field (a Relay edge, a connection) passes on the sections that lead to its own type."""
    incoming: dict[str, set[str]] = {}
    changed = True
    while changed:
        changed = False
        for type_name, _name, field in fields:
            target = get_named_type(field.type)
            if isinstance(target, GraphQLUnionType):
                targets = list(target.types)
            elif isinstance(target, GraphQLObjectType):
                targets = [target]
            else:
                continue
            section = field_section(field) or PUBLIC
            if section == PUBLIC and type_name not in roots:
                found = incoming.get(type_name, set())
            else:
                found = {section}
            for member in targets:
                before = incoming.setdefault(member.name, set())
                if not found <= before:
                    before |= found
                    changed = True
    return incoming


def _login_required(resolve: Resolver) -> Resolver:
    def guarded(source: Any, info: Any, **kwargs: Any) -> Any:
        if not info.context.principal.is_authenticated:
            raise Unauthenticated("log in first: send 'Authorization: Bearer <token>'")
        return resolve(source, info, **kwargs)

    return guarded


GUARD: Final = "_kam_guard"  # on a guarded resolver: a `Guard`


class Guard(NamedTuple):
    """What a guarded field checks before it resolves (see `_guard`)."""

    section: str
    type_name: str
    write: bool
    audited: bool
    inner: Resolver  # the resolver it guards

    def admits(self, ctx: Any, source: Any) -> bool:
        """Whether the caller may read (write) the section on `source`: logged in, and the
        policy says so. Each audited read and each refusal is noted for the audit trail."""
        if not ctx.principal.is_authenticated:
            return False
        section = self.section
        allowed: bool = (
            ctx.visibility.can_write(section, source)
            if self.write
            else ctx.visibility.can_read(section, source)
        )
        if not allowed or (self.audited and not self.write):
            target = str(getattr(source, "id", "") or "")
            ctx.audit_reads.add((section, self.type_name, target, "OK" if allowed else "FORBIDDEN"))
        return allowed


def _guard(
    resolve: Resolver, section: str, type_name: str, *, write: bool, audited: bool
) -> Resolver:
    guard = Guard(section, type_name, write, audited, resolve)

    def guarded(source: Any, info: Any, **kwargs: Any) -> Any:
        ctx = info.context
        if not guard.admits(ctx, source):
            if not ctx.principal.is_authenticated:
                raise Unauthenticated("log in first: send 'Authorization: Bearer <token>'")
            raise Forbidden(
                f"your role may not {'change' if write else 'read'} {section}", section=section
            )
        return resolve(source, info, **kwargs)

    setattr(guarded, GUARD, guard)
    return guarded


def _visible_fields(type_: Any, info: Any, includeDeprecated: bool = False) -> Any:
    items = TypeFields.fields(type_, info, includeDeprecated)  # type: ignore[no-untyped-call]
    visibility = getattr(info.context, "visibility", None)
    if items is None or visibility is None:
        return items
    return [(name, field) for name, field in items if _may_see(field, visibility)]


def _may_see(field: GraphQLField, visibility: Any) -> bool:
    section = field_section(field)
    if section is None or section == PUBLIC:
        return True
    if section == AUTHENTICATED:
        return bool(visibility.principal.is_authenticated)
    return bool(visibility.may_see_section(section))


def install_introspection_filter() -> None:
    """Make `__Type.fields` list only the fields the caller's roles may read, and refuse
    `__schema` / `__type` where the context says introspection is off (idempotent)."""
    type_ = introspection_types["__Type"]
    assert isinstance(type_, GraphQLObjectType)
    field = type_.fields["fields"]
    field.resolve = _visible_fields
    for meta_field in (SchemaMetaFieldDef, TypeMetaFieldDef):
        original = getattr(meta_field, "_kam_original", None) or meta_field.resolve
        assert original is not None
        meta_field._kam_original = original  # type: ignore[attr-defined]
        meta_field.resolve = _introspection_allowed(original)


def _introspection_allowed(resolve: Resolver) -> Resolver:
    def guarded(source: Any, info: Any, **kwargs: Any) -> Any:
        if not getattr(info.context, "introspection", True):
            raise Unauthenticated("introspection needs a login in production")
        return resolve(source, info, **kwargs)

    return guarded


def export_sdl() -> str:
    """The SDL of the schema, as written to `schema.graphql`."""
    return build_schema().as_str() + "\n"
