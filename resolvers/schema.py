"""The GraphQL schema, and need-to-know wired into it once at start-up.

Visibility is decided per section, not per field call: at start-up every field's section tag
is read, and only fields that some role may not read get a guard wrapped around their resolver
(root fields always get one, to require a login). Plain fields readable by all keep strawberry's
own resolver, so the hot path pays nothing (DESIGN §6). Introspection hides, per caller, every
field whose section their roles cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    Undefined,
    default_field_resolver,
    get_named_type,
)
from graphql.type.introspection import (
    SchemaMetaFieldDef,
    TypeFields,
    TypeMetaFieldDef,
    introspection_types,
)
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.tools import merge_types

from auth.policy import Policy
from graph.errors import ConfigError
from graph.model import Role
from resolvers.accounts import AccountQueries
from resolvers.audit import AuditQueries
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


class LeafFastPath(StrawberryGraphQLCoreExecutionContext):
    """Plain attribute fields of a scalar or enum type, most of the fields of a big answer, are
    read and coerced here without building a path, a resolve info and strawberry's resolver
    call for each: the same values, a fraction of the per-field cost (DESIGN §6). Only fields
    that `mark_leaves` marked (never a guarded one) take this path; anything unusual (a null in
    a non-null field, a value that does not coerce) goes the ordinary way, which reports it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # An extension that resolves fields must see every field: then no fast path.
        self._fast = manager is None or not manager.middlewares

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: dict[str, Any],
        position_context: Any,
    ) -> Any:
        if not self._fast:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        fields = parent_type.fields
        results: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        for response_name, field_details_list in grouped_field_set.items():
            leaf = getattr(fields.get(field_details_list[0].node.name.value), LEAF, None)
            if leaf is not None:
                value = _leaf_value(source_value, leaf)
                if value is not _ORDINARY:
                    results[response_name] = value
                    continue
            results[response_name] = None  # its place in the answer's order
            rest[response_name] = field_details_list
        if not rest:
            return results
        done = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if isinstance(done, dict):
            results.update(done)
            return results

        async def merged() -> dict[str, Any]:
            results.update(await done)
            return results

        return merged()


_ORDINARY: Final = object()  # "let graphql-core answer this one"


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
    """Mark the fields `LeafFastPath` may answer: strawberry's own attribute resolver (so no
    guard was wrapped around it), a scalar or enum type, no arguments. Returns how many."""
    marked = 0
    for _type_name, _name, field in schema_fields(schema):
        definition = (field.extensions or {}).get(BACKREF)
        named = get_named_type(field.type)
        nullable = not isinstance(field.type, GraphQLNonNull)
        inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        if (
            definition is not None
            and getattr(field.resolve, "_is_default", False)
            and not field.args
            and inner is named
            and isinstance(named, GraphQLScalarType | GraphQLEnumType)
        ):
            setattr(field, LEAF, (definition.python_name, named, nullable))
            marked += 1
        elif hasattr(field, LEAF):
            delattr(field, LEAF)
    return marked


class KamSchema(strawberry.Schema):
    """Our schema: errors are logged once, by `ErrorMasking`, with the request id; expected
    ones (typed `KamError`s, GraphQL validation) are not logged as failures at all."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None


def build_schema(extensions: tuple[Any, ...] = ()) -> strawberry.Schema:
    """The schema as types and resolvers (policy-free: what `schema.graphql` exports)."""
    return KamSchema(
        query=Query,
        mutation=Mutation,
        # Dashboards send the same few documents over and over: parse and validate each once.
        extensions=[
            ErrorMasking,
            lambda: ParserCache(maxsize=256),  # the LRU caches are module-level, shared
            lambda: ValidationCache(maxsize=256),
            *extensions,
        ],
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=LeafFastPath,
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
    mark_leaves(schema)  # after the guards: a guarded field is never marked
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


def _guard(
    resolve: Resolver, section: str, type_name: str, *, write: bool, audited: bool
) -> Resolver:
    def guarded(source: Any, info: Any, **kwargs: Any) -> Any:
        ctx = info.context
        if not ctx.principal.is_authenticated:
            raise Unauthenticated("log in first: send 'Authorization: Bearer <token>'")
        allowed = (
            ctx.visibility.can_write(section, source)
            if write
            else ctx.visibility.can_read(section, source)
        )
        if not allowed:
            ctx.audit_reads.add(
                (section, type_name, str(getattr(source, "id", "") or ""), "FORBIDDEN")
            )
            raise Forbidden(
                f"your role may not {'change' if write else 'read'} {section}", section=section
            )
        if audited and not write:
            ctx.audit_reads.add((section, type_name, str(getattr(source, "id", "") or ""), "OK"))
        return resolve(source, info, **kwargs)

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
