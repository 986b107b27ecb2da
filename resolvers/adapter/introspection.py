"""Introspection filtered per caller (docs/ARCHITECTURE.md §9): `__Type.fields`,
`inputFields` and `enumValues` list only what the caller's roles may read, and `__schema` /
`__type` are refused where the context turns introspection off.

This replaces the resolvers of graphql-core's shared introspection types, process-wide: there
is no per-schema hook for it (graphql-core 3.3; strawberry's `DisableIntrospection` refuses
introspection whole, and per-field visibility in strawberry's schema directives does not
reach input fields or enum values).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from graphql import GraphQLField, GraphQLObjectType
from graphql.type.introspection import (
    SchemaMetaFieldDef,
    TypeFields,
    TypeMetaFieldDef,
    introspection_types,
)

from auth.registry import ENUM_VALUE_SECTIONS, INPUT_FIELD_SECTIONS
from graph.kinds import LINK_KINDS, NODE_KINDS
from resolvers.adapter.execution import field_section
from resolvers.errors import Unauthenticated
from resolvers.sections import AUTHENTICATED, PUBLIC

Resolver = Callable[..., Any]


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


def _visible_input_fields(type_: Any, info: Any, includeDeprecated: bool = False) -> Any:
    items = TypeFields.input_fields(type_, info, includeDeprecated)  # type: ignore[no-untyped-call]
    sections = INPUT_FIELD_SECTIONS.get(getattr(type_, "name", ""))
    return _readable_items(items, sections, info)


def _visible_enum_values(type_: Any, info: Any, includeDeprecated: bool = False) -> Any:
    items = TypeFields.enum_values(type_, info, includeDeprecated)  # type: ignore[no-untyped-call]
    name = getattr(type_, "name", "")
    sections = ENUM_VALUE_SECTIONS.get(name) or ENUM_SECTIONS.get(name)
    return _readable_items(items, sections, info)


def _readable_items(items: Any, sections: dict[str, str] | None, info: Any) -> Any:
    """The (name, item) pairs whose section (auth/registry.py) the caller may read."""
    visibility = getattr(info.context, "visibility", None)
    if items is None or sections is None or visibility is None:
        return items
    return [
        (name, item)
        for name, item in items
        if name not in sections or visibility.may_see_section(sections[name])
    ]


# NodeKind and LinkKind values: each kind is in the section its writes need.
ENUM_SECTIONS: Final[dict[str, dict[str, str]]] = {
    "NodeKind": {name: kind.section for name, kind in NODE_KINDS.items()},
    "LinkKind": {name: kind.section for name, kind in LINK_KINDS.items()},
}


ORIGINAL: Final = "kam_original"  # in a meta field's `extensions`: graphql-core's resolver


def install_introspection_filter() -> None:
    """Make `__Type.fields`, `inputFields` and `enumValues` list only what the caller's roles
    may read, and refuse `__schema` / `__type` where the context says introspection is off
    (idempotent)."""
    type_ = introspection_types["__Type"]
    assert isinstance(type_, GraphQLObjectType)
    type_.fields["fields"].resolve = _visible_fields
    type_.fields["inputFields"].resolve = _visible_input_fields
    type_.fields["enumValues"].resolve = _visible_enum_values
    for meta_field in (SchemaMetaFieldDef, TypeMetaFieldDef):
        if meta_field.extensions is None:
            meta_field.extensions = {}
        original = meta_field.extensions.setdefault(ORIGINAL, meta_field.resolve)
        assert original is not None
        meta_field.resolve = _introspection_allowed(original)


def _introspection_allowed(resolve: Resolver) -> Resolver:
    def guarded(source: Any, info: Any, **kwargs: Any) -> Any:
        if not getattr(info.context, "introspection", True):
            raise Unauthenticated("introspection needs a login in production")
        return resolve(source, info, **kwargs)

    return guarded
