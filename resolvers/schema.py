"""The GraphQL schema, and need-to-know wired into it once at start-up.

Visibility is decided per section, not per field call: at start-up every field's section tag
goes to `auth/guards.py`, which chooses what the field checks; only fields that some role may
not read get a guard wrapped around their resolver (root fields always get one, to require a
login). Plain fields readable by all keep strawberry's own resolver: the hot path pays nothing
(docs/ARCHITECTURE.md §3.3). Introspection hides every field whose section the caller's roles
cannot read.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import (
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    default_field_resolver,
    get_named_type,
)
from strawberry.extensions import ParserCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from auth.guards import LOGIN, Check, FieldDecl, field_checks
from auth.policy import Policy
from resolvers.accounts import AccountQueries
from resolvers.adapter.execution import (
    FastExecution,
    field_section,
    graphql_schema,
    mark_leaves,
    own_fields,
)
from resolvers.adapter.introspection import install_introspection_filter
from resolvers.admin_users import UserMutations
from resolvers.audit import AuditQueries
from resolvers.edge import SCALARS
from resolvers.entities import EntityMutations, EntityQueries
from resolvers.errors import ErrorMasking
from resolvers.followup import FollowupMutations, FollowupQueries
from resolvers.guards import guard, login_required
from resolvers.matrix import MatrixQueries
from resolvers.network import NetworkQueries
from resolvers.plan_mutations import PlanMutations
from resolvers.plan_queries import PlanQueries
from resolvers.profiles import ProfileMutations
from resolvers.session import SessionMutations, SessionQueries
from resolvers.validation import KnownDocuments, OffLoopValidation

# Re-exported: the app and the tests read these from the schema module.
__all__ = [
    "apply_policy",
    "build_schema",
    "export_sdl",
    "field_section",
    "install_introspection_filter",
    "schema_fields",
]
schema_fields = own_fields

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
        MatrixQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        SessionMutations,
        PlanMutations,
        FollowupMutations,
        EntityMutations,
        ProfileMutations,
        UserMutations,
    ),
)


class KamSchema(strawberry.Schema):
    """Our schema: errors are logged once, by `ErrorMasking`, with the request id; expected
    ones (typed `KamError`s, GraphQL validation) are not logged as failures at all."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None


def build_schema(extensions: tuple[Any, ...] = ()) -> strawberry.Schema:
    """The schema as types and resolvers (policy-free: what `schema.graphql` exports)."""
    known = KnownDocuments(256)
    return KamSchema(
        query=Query,
        mutation=Mutation,
        # Dashboards send the same few documents over and over: parse and validate each once.
        extensions=[
            ErrorMasking,
            lambda: ParserCache(maxsize=256),  # module-level, shared: the same text, one document
            lambda: OffLoopValidation(known),
            *extensions,
        ],
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=FastExecution,
        scalar_overrides=SCALARS,  # dates a calendar holds (resolvers/edge.py)
    )


def apply_policy(schema: strawberry.Schema, policy: Policy) -> strawberry.Schema:
    """Wrap each field in the check `auth/guards.py` chose for it from its section tag."""
    built = graphql_schema(schema)
    roots = {t.name for t in (built.query_type, built.mutation_type) if t is not None}
    mutation = built.mutation_type.name if built.mutation_type else None
    fields = own_fields(schema)
    checks = field_checks(
        [
            FieldDecl(
                type_name,
                name,
                field_section(field),
                _targets(built, field),
                isinstance(field.type, GraphQLNonNull),
                root=type_name in roots,
                mutation=type_name == mutation,
            )
            for type_name, name, field in fields
        ],
        policy,
    )
    for type_name, name, field in fields:
        check = checks.get((type_name, name))
        if check == LOGIN:
            field.resolve = login_required(field.resolve or default_field_resolver)
        elif isinstance(check, Check):
            field.resolve = guard(field.resolve or default_field_resolver, check)
    mark_leaves(schema)  # after the guards: a guarded leaf is marked with its guard
    return schema


def _targets(built: GraphQLSchema, field: GraphQLField) -> tuple[str, ...]:
    """The object types a field leads to (a union's members, an interface's implementations)."""
    target = get_named_type(field.type)
    if isinstance(target, GraphQLUnionType | GraphQLInterfaceType):
        return tuple(member.name for member in built.get_possible_types(target))
    if isinstance(target, GraphQLObjectType):
        return (target.name,)
    return ()


def export_sdl() -> str:
    """The SDL of the schema, as written to `schema.graphql`."""
    return build_schema().as_str() + "\n"
