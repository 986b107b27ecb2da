"""Every use of graphql-core's and strawberry's internals, in one module (docs/ARCHITECTURE.md
§9). Outside it the code uses them through their public APIs only; `tests/test_import_rules.py`
counts each use here and fails on a new one anywhere. Each piece says what it waits for:

- `FastExecution`: plain attribute fields, most of the fields of a big answer, answered
  without graphql-core's per-field steps. It subclasses strawberry's execution context and
  overrides graphql-core's `collect_subfields` / `execute_fields`, calling `execute_field`,
  `handle_field_error` and `settle_in_background`: hooks that are not a public API. It waits
  for graphql-core to offer a public way to resolve plain attribute fields cheaply
  (graphql-core 3.3 has none; see graphql-python/graphql-core#190 on the per-field cost), and
  goes when a profile shows stock execution within 1.25x of it on the bench's pages.
- `graphql_schema`: strawberry's `Schema._schema`. Strawberry 0.341 (pinned below 0.342 in
  pyproject.toml) has no public accessor; its maintainers point users to `_schema`
  (strawberry-graphql/strawberry#2590). Goes when one exists.
- `BACKREF` / `strawberry_field`: the strawberry field behind a graphql-core field, which
  strawberry keeps in the field's extensions under `GraphQLCoreConverter.DEFINITION_BACKREF`
  (`Schema.get_field_for_type` is public, but a name lookup per field and request). Goes when
  the converter's backref is documented, or for that lookup if a profile allows it.
- `field_nodes`: the syntax nodes of a resolver call, from strawberry's `Info._raw_info`
  (its public `selected_fields` converts the whole selection below, which costs more than a
  page's rows). Goes when `Info` exposes the field nodes.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Final, NamedTuple

import strawberry
from graphql import (
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    get_named_type,
    get_nullable_type,
)
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from resolvers.guards import GUARD, Guarded
from resolvers.sections import section_of

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built."""
    built: GraphQLSchema = schema._schema
    return built


def strawberry_field(field: GraphQLField) -> Any:
    """The strawberry field a graphql-core field was made from (None for introspection's)."""
    return (field.extensions or {}).get(BACKREF)


def field_section(field: GraphQLField) -> str | None:
    """The need-to-know section a field is tagged with."""
    return section_of(strawberry_field(field))


def own_fields(schema: strawberry.Schema) -> list[tuple[str, str, GraphQLField]]:
    """Every (type name, field name, field) of our own object types."""
    found = []
    for type_ in graphql_schema(schema).type_map.values():
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__"):
            for name, field in type_.fields.items():
                found.append((type_.name, name, field))
    return found


def field_nodes(info: Any) -> list[FieldNode]:
    """The syntax nodes of the field a strawberry resolver is resolving."""
    nodes: list[FieldNode] = info._raw_info.field_nodes
    return nodes


# Marks in a GraphQLField's `extensions` (graphql-core's place for custom metadata):
LEAF: Final = "kam_leaf"  # (attribute, scalar or enum type, nullable)
GUARDED: Final = "kam_guarded"  # on a field marked LEAF: the `Check` its resolver's guard makes
NODE: Final = "kam_node"  # a `NodeField`
# The resolver the field had when marked: a wrapper put on it later voids the marks.
MARKED_WITH: Final = "kam_marked_with"


class NodeField(NamedTuple):
    """A plain attribute field whose value is an object, or a list of objects, of one type."""

    attribute: str
    type_: GraphQLObjectType
    nullable: bool  # the field
    item_type: GraphQLOutputType | None  # a list's item type (non-null or not); None: no list


class FastExecution(StrawberryGraphQLCoreExecutionContext):
    """Plain attribute fields, most of the fields of a big answer, are read here without a
    resolve info, strawberry's resolver call and graphql-core's completion steps for each:
    the same values, a fraction of the per-field cost (docs/ARCHITECTURE.md §9).

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
        self._plans: dict[int, Plan] = {}  # per selection set of this request

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
        plan = self._plans.get(id(grouped_field_set))
        if plan is None or plan[0] is not grouped_field_set or plan[1] is not parent_type:
            steps = _plan(parent_type, grouped_field_set)
            plan = (grouped_field_set, parent_type, steps, _plain_leaves(steps))
            self._plans[id(grouped_field_set)] = plan  # holds the set: its id stays its own
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
        marks = field.extensions if field is not None else None
        if marks and marks.get(MARKED_WITH) is not field.resolve:
            marks = None
        leaf = marks.get(LEAF) if marks else None
        node = marks.get(NODE) if marks else None
        guard = marks.get(GUARDED) if marks else None
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
    incremental = any(d.name in ("defer", "stream") for d in graphql_schema(schema).directives)
    marked = 0
    for _type_name, _name, field in own_fields(schema):
        if field.extensions is None:
            field.extensions = {}
        marks = field.extensions
        for mark in (LEAF, NODE, GUARDED, MARKED_WITH):
            marks.pop(mark, None)
        marks[MARKED_WITH] = field.resolve
        definition = marks.get(BACKREF)
        guard: Guarded | None = getattr(field.resolve, GUARD, None)
        resolve = guard.inner if guard is not None and not guard.check.write else field.resolve
        if (
            definition is None
            or definition.extensions  # permission classes, field extensions: strawberry's way
            or getattr(definition, "permission_classes", None)
            or not getattr(resolve, "_is_default", False)
            or field.args
        ):
            continue
        named = get_named_type(field.type)
        nullable = not isinstance(field.type, GraphQLNonNull)
        inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        if inner is named and isinstance(named, GraphQLScalarType | GraphQLEnumType):
            marks[LEAF] = (definition.python_name, named, nullable)
            if guard is not None:
                marks[GUARDED] = guard.check
            marked += 1
        elif guard is not None or incremental or not isinstance(named, GraphQLObjectType):
            continue
        elif inner is named:
            marks[NODE] = NodeField(definition.python_name, named, nullable, None)
        elif isinstance(inner, GraphQLList) and get_nullable_type(inner.of_type) is named:
            marks[NODE] = NodeField(definition.python_name, named, nullable, inner.of_type)
    return marked
