"""What strawberry and graphql-core keep in private fields, read in one place. Each waits
for a public way in strawberry (pinned below 0.342 in pyproject.toml):

- `graphql_schema`: strawberry's `Schema._schema`. Strawberry 0.341 has no public accessor;
  its maintainers point users to `_schema` (strawberry-graphql/strawberry#2590). Goes when
  one exists.
- `BACKREF` / `strawberry_field`: the strawberry field behind a graphql-core field, which
  strawberry keeps in the field's extensions under `GraphQLCoreConverter.DEFINITION_BACKREF`
  (`Schema.get_field_for_type` is public, but a name lookup per field and request). Goes when
  the converter's backref is documented, or for that lookup if a profile allows it.
- `field_nodes`: the syntax nodes of a resolver call, from strawberry's `Info._raw_info`
  (its public `selected_fields` converts the whole selection below, which costs more than a
  page's rows). Goes when `Info` exposes the field nodes.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import FieldNode, GraphQLField, GraphQLObjectType, GraphQLSchema
from strawberry.schema.schema_converter import GraphQLCoreConverter

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
