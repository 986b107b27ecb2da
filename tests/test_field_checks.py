"""What each schema field checks is decided in auth/ from the field's one section tag and
the policy (auth/guards.py): every root field checks at least a login, every field some role
may not read checks its section unless only fields of that same section lead to it, and a
schema that cannot be checked refuses to start, naming the field."""

from __future__ import annotations

import pytest
import strawberry
from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)

from auth.guards import AUTHENTICATED, LOGIN, PUBLIC, Check, FieldDecl, field_checks
from auth.policy import load_policy
from graph.errors import ConfigError
from graph.model import Role
from kam.settings import Settings
from resolvers.adapter.execution import field_section, graphql_schema
from resolvers.guards import GUARD, LOGIN_GUARD
from resolvers.schema import apply_policy, build_schema, schema_fields
from resolvers.sections import meta, sectioned

POLICY = load_policy(Settings().policy_file)


def test_every_field_of_the_real_schema_checks_what_the_policy_asks() -> None:
    schema = apply_policy(build_schema(), POLICY)
    built = graphql_schema(schema)
    roots = {"Query", "Mutation"}
    fields = schema_fields(schema)
    checked = 0
    unchecked: dict[str, set[str]] = {}  # section -> types with a restricted unchecked field
    for type_name, name, field in fields:
        section = field_section(field)
        guard = getattr(field.resolve, GUARD, None)
        if type_name in roots and section != PUBLIC:
            assert guard is not None or getattr(field.resolve, LOGIN_GUARD, False), (
                f"{type_name}.{name} checks nothing"
            )
        if guard is not None:
            checked += 1
            assert guard.check.section == section, f"{type_name}.{name}"
            assert guard.check.write is (type_name == "Mutation")
            assert guard.check.audited is (section in POLICY.audited)
        elif section not in (PUBLIC, AUTHENTICATED, None) and not POLICY.universally_readable(
            section
        ):
            assert not any(POLICY.grant(r, section).when for r in Role), f"{type_name}.{name}"
            unchecked.setdefault(section, set()).add(type_name)
    # Independently of how auth/guards.py reasons: every way from a root to a type holding a
    # restricted unchecked field passes a field that checks that very section.
    for section, types in unchecked.items():
        seen, todo = set(roots), list(roots)
        while todo:
            current = built.get_type(todo.pop())
            assert isinstance(current, GraphQLObjectType)
            for field in current.fields.values():
                guard = getattr(field.resolve, GUARD, None)
                if guard is not None and guard.check.section == section:
                    continue  # this way in is checked
                for target in _object_types(built, field):
                    if target not in seen:
                        seen.add(target)
                        todo.append(target)
        assert not types & seen, f"{sorted(types & seen)} reachable without checking {section}"
    assert checked > 50


def _object_types(built: GraphQLSchema, field: GraphQLField) -> list[str]:
    named = get_named_type(field.type)
    if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
        return [t.name for t in built.get_possible_types(named)]
    return [named.name] if isinstance(named, GraphQLObjectType) else []


def decl(type_name: str, name: str, section: str | None, **kwargs: object) -> FieldDecl:
    values: dict[str, object] = {"targets": (), "non_null": False, "root": False}
    values.update(kwargs)
    return FieldDecl(
        type_name,
        name,
        section,
        values["targets"],  # type: ignore[arg-type]
        values["non_null"],  # type: ignore[arg-type]
        root=values["root"],  # type: ignore[arg-type]
        mutation=type_name == "Mutation",
    )


def test_the_choice_follows_the_policy_and_the_ways_in() -> None:
    conditional = [s for s in POLICY.sections if any(POLICY.grant(r, s).when for r in Role)]
    restricted = next(  # some roles may not read it, the others read it on every row
        s
        for s in sorted(POLICY.sections)
        if not POLICY.universally_readable(s) and s not in conditional
    )
    audited = restricted in POLICY.audited
    fields = [
        decl("Query", "login", PUBLIC, root=True),
        decl("Query", "me", "authenticated", root=True),
        decl("Query", "figures", restricted, root=True, targets=("Figures",)),
        decl("Figures", "value", restricted),  # only reached through its own section
        decl("Query", "account", "account.profile", root=True, targets=("Acct",)),
        decl("Acct", "potential", restricted),
        decl("Mutation", "setPotential", restricted, root=True),
    ]
    checks = field_checks(fields, POLICY)
    assert ("Query", "login") not in checks
    assert checks[("Query", "me")] == LOGIN
    assert checks[("Query", "figures")] == Check(restricted, "Query", write=False, audited=audited)
    assert ("Figures", "value") not in checks
    assert checks[("Acct", "potential")] == Check(restricted, "Acct", write=False, audited=audited)
    assert checks[("Mutation", "setPotential")].write  # type: ignore[union-attr]
    if conditional:  # a condition is checked per row, even behind its own section
        only = conditional[0]
        checks = field_checks(
            [
                decl("Query", "x", only, root=True, targets=("X",)),
                decl("X", "y", only),
            ],
            POLICY,
        )
        assert isinstance(checks.get(("X", "y")), Check)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (decl("Thing", "odd", None), "schema field Thing.odd has no need-to-know section tag"),
        (decl("Thing", "odd", "no.such"), "names section 'no.such', which the policy"),
        (
            decl("Thing", "odd", "account.market_potential", non_null=True),
            "schema field Thing.odd is restricted (account.market_potential) so it must be",
        ),
    ],
)
def test_a_schema_that_cannot_be_checked_does_not_start(field: FieldDecl, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        field_checks([field], POLICY)


@sectioned("account.profile")
@strawberry.type
class Tagged:
    name: str


@strawberry.type
class Untagged:
    secret: str | None


@strawberry.type
class SmallQuery:
    @strawberry.field(metadata=meta("account.profile"))
    def tagged(self) -> Tagged:
        return Tagged(name="x")

    @strawberry.field(metadata=meta("account.profile"))
    def untagged(self) -> Untagged:
        return Untagged(secret="y")


def test_apply_policy_refuses_an_untagged_field_of_a_real_schema() -> None:
    with pytest.raises(ConfigError, match=r"Untagged\.secret has no need-to-know section tag"):
        apply_policy(strawberry.Schema(query=SmallQuery), POLICY)
