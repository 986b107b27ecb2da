"""The cost limit: the rows a query would read, estimated before it runs.

Each field costs 1 plus its children, times its page size (`first`); a heavy root field adds
the rows its own work reads (`HEAVY_FIELDS`), which depend on its arguments. Variables count
with their operation defaults, and each fragment is costed once per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

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
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension

from resolvers.adapter.execution import graphql_schema

DEFAULT_PAGE = 20  # a `first` with no default and no value sent

Weight = Callable[[Mapping[str, Any]], int]


def _by_hops(rows: Mapping[int, int]) -> Weight:
    return lambda args: rows.get(args.get("maxHops", 0), max(rows.values()))


def _per_id(rows: int, most: int) -> Weight:
    # Past `most` ids the field itself refuses the call, naming the argument.
    return lambda args: rows * min(len(args.get("ids") or ()), most)


# Rows each heavy root field reads on top of what it returns, estimated from the demo data
# (about 30 rows a millisecond, as `contacts(first: 100)` reads them): an org chart holds
# every contact of the account (the largest 1,052, with 51 units and their reporting lines:
# 15-27 ms); the decision network grows about 4x a hop (5, 10, 35, 140 ms at 1-4 hops).
# The limit (5,000) leaves room for any one of them, and for no more than two of the
# heaviest in one query.
HEAVY_FIELDS: Final[dict[tuple[str, str], Weight]] = {
    ("Query", "orgChart"): lambda _args: 2000,
    ("Query", "decisionNetwork"): _by_hops({1: 150, 2: 300, 3: 1000, 4: 2000}),
    ("Query", "influencePaths"): _by_hops({1: 100, 2: 200, 3: 300, 4: 400}),
    ("Query", "coverageGaps"): lambda _args: 500,
    ("Query", "compareAccounts"): _per_id(80, 50),
    ("Query", "projectsAtRisk"): lambda _args: 1000,
}


class CostLimit(SchemaExtension):
    """Refuse an operation whose estimated rows pass `max_cost`, before it runs.

    Run per request at execution (not as a validation rule): the estimate depends on the
    variables, and validation results are cached per document."""

    def __init__(self, max_cost: int) -> None:
        super().__init__()
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None:
            schema = graphql_schema(ctx.schema)
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            for op in document.definitions:
                if isinstance(op, OperationDefinitionNode):
                    cost = operation_cost(schema, op, fragments, ctx.variables or {})
                    if cost > self.max_cost:
                        raise GraphQLError(
                            f"the query would cost about {cost} rows; the limit is "
                            f"{self.max_cost}: ask for smaller pages or fewer heavy fields",
                            extensions={"code": "VALIDATION", "limit": "cost", "cost": cost},
                        )
        yield


def operation_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    inputs: dict[str, Any],
) -> int:
    """The estimated rows of `operation` with the variables sent (and their defaults)."""
    variables: VariableValues | None = None
    if operation.variable_definitions:
        coerced = get_variable_values(schema, operation.variable_definitions, inputs)
        # Variables that do not coerce fail the request before it runs; count defaults.
        variables = None if isinstance(coerced, list) else coerced
    walk = _CostWalk(schema, fragments, variables)
    return walk.cost(operation.selection_set, schema.get_root_type(operation.operation))


class _CostWalk:
    """Each field costs 1 plus its children, times its page size: `first` as sent, else the
    field's own default for `first`, else 1 (a single object). A heavy field adds its rows."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues | None,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.costed: dict[str, int] = {}
        self.open: set[str] = set()

    def arguments(self, field: FieldNode, definition: GraphQLField) -> dict[str, Any] | None:
        """The field's arguments as it will run with them; None when they do not coerce
        (the field then fails on its own)."""
        try:
            return get_argument_values(definition, field, self.variables)
        except GraphQLError:
            return None

    def page(self, field: FieldNode, definition: GraphQLField | None) -> int:
        if definition is None or "first" not in definition.args:
            return 1
        value = definition.args["first"].default_value
        if field.arguments:
            arguments = self.arguments(field, definition)
            if arguments is not None and "first" in arguments:
                value = arguments["first"]
        return max(1, value) if type(value) is int else DEFAULT_PAGE

    def weight(self, parent: GraphQLNamedType, field: FieldNode, definition: GraphQLField) -> int:
        heavy = HEAVY_FIELDS.get((parent.name, field.name.value))
        if heavy is None:
            return 0
        arguments = self.arguments(field, definition)
        if arguments is None:
            return 0
        return heavy(arguments)

    def fragment(self, name: str) -> int:
        known = self.costed.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.open:
            return 0
        self.open.add(name)
        cost = self.cost(definition.selection_set, self._condition(definition, None))
        self.open.discard(name)
        self.costed[name] = cost
        return cost

    def cost(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None) -> int:
        if selection_set is None:
            return 0
        total = 0
        fields = (
            parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
        )
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                definition = fields.get(sel.name.value)
                if definition is not None and parent is not None:
                    total += self.weight(parent, sel, definition)
                if sel.selection_set is None:
                    total += 1
                    continue
                child = get_named_type(definition.type) if definition else None
                children = self.cost(sel.selection_set, child)
                total += self.page(sel, definition) * (1 + children)
            elif isinstance(sel, InlineFragmentNode):
                total += self.cost(sel.selection_set, self._condition(sel, parent))
            elif isinstance(sel, FragmentSpreadNode):
                total += self.fragment(sel.name.value)
        return total

    def _condition(
        self, node: InlineFragmentNode | FragmentDefinitionNode, parent: GraphQLNamedType | None
    ) -> GraphQLNamedType | None:
        if node.type_condition is None:
            return parent
        return self.schema.get_type(node.type_condition.name.value)
