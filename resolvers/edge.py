"""What a client sends is checked where it comes in: text must be Unicode text, dates must be
dates a calendar holds, and a refusal names the argument.

JSON may carry a lone UTF-16 surrogate ("\\ud800"), which Python keeps in a `str` and no
UTF-8 encoder accepts: sent on to the database driver, it failed as an internal error. A
document cannot hold one (the GraphQL lexer refuses it), so only variables are checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Final

from graphql import (
    ArgumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListTypeNode,
    ListValueNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.types.base_scalars import isoformat, wrap_parser
from strawberry.types.scalar import ScalarDefinition

from resolvers.errors import InvalidInput

# Dates outside these years are no KAM dates (an open end is often written 9999-12-31); the
# margins keep `asOf - quietDays` and a UTC offset inside what Python's dates can hold.
FIRST_YEAR: Final = 1000
LAST_YEAR: Final = 9999


def as_utc(at: dt.datetime) -> dt.datetime:
    """A time a client sent: one without a zone is UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_text(value: Any) -> str | None:
    """The first string in `value` (any JSON, keys included) that is not valid Unicode text,
    or None. Walked with a stack of its own: JSON may nest as deep as the parser allows."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_lone_surrogate(item):
                return item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


class InputEdge(SchemaExtension):
    """Before anything runs: a variable holding a lone surrogate, or a Date or DateTime
    variable that is no date, is refused (VALIDATION) naming the argument it is passed to.
    (A date nested in an input object is refused by the scalar itself, naming the path.)"""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        variables = ctx.variables or {}
        document = ctx.graphql_document
        if variables and document is not None:
            problem = _problem(document.definitions, variables)
            if problem is not None:
                name, why = problem
                argument = variable_arguments(document.definitions).get(name, "$" + name)
                raise InvalidInput(f"'{argument}' {why} (variable ${name})", argument=argument)
        yield


def _problem(definitions: Any, variables: dict[str, Any]) -> tuple[str, str] | None:
    """The first variable that is not valid text, or not a date its type asks for."""
    for name, value in variables.items():
        if _bad_text(value) is not None:
            return name, "is not valid text: it holds a lone UTF-16 surrogate"
    parsers = {"Date": (_date, "a date"), "DateTime": (_datetime, "a date and time")}
    for definition in definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        for variable in definition.variable_definitions or ():
            type_node = variable.type
            while isinstance(type_node, NonNullTypeNode | ListTypeNode):
                type_node = type_node.type
            name = variable.variable.name.value
            value = variables.get(name)
            if not isinstance(type_node, NamedTypeNode) or value is None:
                continue
            if type_node.name.value not in parsers:
                continue
            parse, kind = parsers[type_node.name.value]
            for item in value if isinstance(value, list) else [value]:
                try:
                    parse(item if isinstance(item, str) else "")
                except OutOfRange as error:
                    return name, str(error)
                except ValueError:
                    return name, f"is not {kind} in ISO 8601 (2026-12-03T09:30:00Z)"
    return None


def variable_arguments(definitions: Any) -> dict[str, str]:
    """For each variable, the first argument (or input field, as `filter.nameContains`)
    it is passed to in the document."""
    found: dict[str, str] = {}
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    seen: set[str] = set()

    def value(node: ValueNode, path: str) -> None:
        if isinstance(node, VariableNode):
            found.setdefault(node.name.value, path)
        elif isinstance(node, ListValueNode):
            for item in node.values:
                value(item, path)
        elif isinstance(node, ObjectValueNode):
            for field in node.fields:
                value(field.value, f"{path}.{field.name.value}")

    def arguments(nodes: tuple[ArgumentNode, ...] | None) -> None:
        for argument in nodes or ():
            value(argument.value, argument.name.value)

    def selections(selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            for directive in selection.directives or ():
                arguments(directive.arguments)
            if isinstance(selection, FieldNode):
                arguments(selection.arguments)
                selections(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                selections(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:
                    seen.add(name)
                    selections(fragments[name].selection_set)

    for definition in definitions:
        if isinstance(definition, OperationDefinitionNode):
            selections(definition.selection_set)
    return found


class OutOfRange(ValueError):
    pass


def _within(value: dt.date) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise OutOfRange(f"must lie in the years {FIRST_YEAR} to {LAST_YEAR}")


def _date(text: str) -> dt.date:
    if has_lone_surrogate(text):
        raise ValueError("not valid text")
    value = dt.date.fromisoformat(text)
    _within(value)
    return value


def _datetime(text: str) -> dt.datetime:
    if has_lone_surrogate(text):
        raise ValueError("not valid text")
    value = dt.datetime.fromisoformat(text)
    _within(value)
    if value.tzinfo is not None:
        try:
            _within(value.astimezone(dt.UTC))
        except OverflowError:
            raise OutOfRange(f"must lie in the years {FIRST_YEAR} to {LAST_YEAR}") from None
    return value


# strawberry's own Date and DateTime, with the calendar's bounds: the same names,
# descriptions and serialization, so the schema does not change.
BOUNDED_DATE: Final = ScalarDefinition(
    name="Date",
    description="Date (isoformat)",
    specified_by_url=None,
    serialize=isoformat,
    parse_value=wrap_parser(_date, "Date"),
    parse_literal=None,
    origin=dt.date,
)
BOUNDED_DATETIME: Final = ScalarDefinition(
    name="DateTime",
    description="Date with time (isoformat)",
    specified_by_url=None,
    serialize=isoformat,
    parse_value=wrap_parser(_datetime, "DateTime"),
    parse_literal=None,
    origin=dt.datetime,
)
SCALARS: Final[dict[object, Any]] = {dt.date: BOUNDED_DATE, dt.datetime: BOUNDED_DATETIME}
