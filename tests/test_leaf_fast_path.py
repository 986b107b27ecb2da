"""The leaf fast path answers exactly what graphql-core's ordinary path answers (values,
nulls, errors), and never takes a field that carries a need-to-know guard."""

from __future__ import annotations

import asyncio
import enum
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig

from auth.policy import load_policy
from auth.principal import Principal
from auth.visibility import Visibility
from graph.model import Role
from kam.settings import Settings
from resolvers.adapter.execution import GUARDED, LEAF, FastExecution, mark_leaves
from resolvers.guards import GUARD
from resolvers.schema import apply_policy, build_schema, schema_fields
from resolvers.sections import meta, sectioned, tag


@strawberry.enum
class Kind(enum.Enum):
    RETROFIT = "RETROFIT"
    SERVICE = "SERVICE"


@strawberry.type
class Row:
    id: strawberry.ID
    name: str
    count: int
    share: float | None
    kind: Kind
    due: date | None
    at: datetime
    broken: str  # non-null, but some rows hold None: the ordinary path reports it
    odd: int | None  # holds a value that is no Int: the ordinary path reports it
    big: int | None  # one holds more than 32 bits: no Int either
    ratio: float | None  # one is infinite: no Float
    flag: bool
    tags: list[str]


def rows() -> list[Row]:
    return [
        Row(
            id=strawberry.ID(f"r{i}"),
            name=f"Row {i}",
            count=i,
            share=None if i % 2 else i / 10,
            kind=Kind.RETROFIT if i % 3 else Kind.SERVICE,
            due=date(2026, 1, 1 + i) if i % 2 else None,
            at=datetime(2026, 11, 24, 12, i, tzinfo=UTC),
            broken=None if i == 3 else "ok",  # type: ignore[arg-type]
            odd="many" if i == 4 else i,  # type: ignore[arg-type]
            big=2**31 if i == 5 else -(2**31) + i,
            ratio=float("inf") if i == 6 else i / 3,
            flag=i % 2 == 0,
            tags=["a", str(i)],
        )
        for i in range(8)
    ]


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row | None]:  # a null item stays an item
        return rows()


QUERY = "{ rows { __typename id name count share kind due at broken odd big ratio flag tags } }"


def run(fast: bool) -> Any:
    kwargs: dict[str, Any] = {"execution_context_class": FastExecution} if fast else {}
    schema = strawberry.Schema(query=Query, config=StrawberryConfig(auto_camel_case=True), **kwargs)
    if fast:
        assert mark_leaves(schema) >= 9
    return asyncio.run(schema.execute(QUERY))


def test_the_fast_path_answers_exactly_as_the_ordinary_one(monkeypatch: pytest.MonkeyPatch) -> None:
    ordinary_fields = []
    original = FastExecution.execute_field

    def counted(
        self: FastExecution, parent_type: Any, source: Any, details: Any, *rest: Any
    ) -> Any:
        ordinary_fields.append(details[0].node.name.value)
        return original(self, parent_type, source, details, *rest)

    monkeypatch.setattr(FastExecution, "execute_field", counted)
    fast, ordinary = run(fast=True), run(fast=False)
    # Of eleven fields on eight rows, only these went the ordinary way: the root, a list of
    # strings, __typename, and the two values the fast path cannot answer.
    assert sorted(set(ordinary_fields)) == [
        "__typename",
        "big",
        "broken",
        "odd",
        "ratio",
        "rows",
        "tags",
    ]
    assert [ordinary_fields.count(name) for name in ("broken", "odd", "big", "ratio")] == [1] * 4
    assert json.dumps(fast.data) == json.dumps(ordinary.data)  # the same order of keys too
    assert [(e.message, e.path) for e in fast.errors or []] == [
        (e.message, e.path) for e in ordinary.errors or []
    ]
    paths = sorted(tuple(e.path) for e in ordinary.errors or [])
    assert paths == [  # the test can tell them apart
        ("rows", 3, "broken"),
        ("rows", 4, "odd"),
        ("rows", 5, "big"),
        ("rows", 6, "ratio"),
    ]


def test_only_leaves_are_marked_and_a_guarded_one_with_its_own_guard() -> None:
    schema = build_schema()
    apply_policy(schema, load_policy(Settings().policy_file))
    marked = [(t, n, f) for t, n, f in schema_fields(schema) if LEAF in (f.extensions or {})]
    assert len(marked) > 100
    guarded = {(t, n) for t, n, f in marked if GUARDED in (f.extensions or {})}
    assert ("Account", "marketPotential") in guarded
    for type_name, name, marked_field in marked:
        guard = (marked_field.extensions or {}).get(GUARDED)
        if guard is None:
            assert getattr(marked_field.resolve, "_is_default", False), f"{type_name}.{name}"
        else:  # the guard the field's resolver carries, around strawberry's own resolver
            wrapper = getattr(marked_field.resolve, GUARD)
            assert wrapper.check is guard and not guard.write
            assert getattr(wrapper.inner, "_is_default", False), f"{type_name}.{name}"


@sectioned("account.profile")
@strawberry.type
class Client:
    id: strawberry.ID
    segment: str | None
    potential: float | None = tag("account.market_potential")  # audited; by segment for AMs
    odd: float | None = tag("account.market_potential")  # holds no Float on one row


@strawberry.type
class ClientQuery:
    @strawberry.field(metadata=meta("account.profile"))
    def clients(self) -> list[Client]:
        return [
            Client(
                id=strawberry.ID(f"c{i}"),
                segment=("Energy", "Retail", None)[i % 3],
                potential=None if i == 4 else i * 1.5,
                odd="lots" if i == 2 else 1.0,  # type: ignore[arg-type]
            )
            for i in range(6)
        ]


@dataclass
class Caller:
    principal: Principal
    visibility: Visibility
    audit_reads: set[tuple[str, str, str, str]] = field(default_factory=set)


def test_a_guarded_leaf_answers_and_audits_exactly_as_the_ordinary_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = load_policy(Settings().policy_file)
    schemas = {}
    for fast in (True, False):
        kwargs: dict[str, Any] = {"execution_context_class": FastExecution} if fast else {}
        schema = strawberry.Schema(
            query=ClientQuery, config=StrawberryConfig(auto_camel_case=True), **kwargs
        )
        schemas[fast] = apply_policy(schema, policy)
    ordinary_fields: list[str] = []
    original = FastExecution.execute_field

    def counted(self: FastExecution, parent: Any, source: Any, details: Any, *rest: Any) -> Any:
        ordinary_fields.append(details[0].node.name.value)
        return original(self, parent, source, details, *rest)

    monkeypatch.setattr(FastExecution, "execute_field", counted)
    callers = {
        "executive": Principal("u1", "x", frozenset({Role.EXECUTIVE})),
        "energy account manager": Principal(
            "u2", "y", frozenset({Role.ACCOUNT_MANAGER}), segments=frozenset({"Energy"})
        ),
        "marketing": Principal("u3", "z", frozenset({Role.MARKETING})),
        "anonymous": Principal(),
    }
    query = "{ clients { id potential odd segment } }"
    for who, principal in callers.items():
        answers = []
        for fast in (True, False):
            caller = Caller(principal, Visibility(policy, principal))
            result = asyncio.run(schemas[fast].execute(query, context_value=caller))
            errors = [(e.message, e.path) for e in result.errors or []]
            answers.append((json.dumps(result.data), errors, caller.audit_reads))
        assert answers[0] == answers[1], who
        _, errors, audit = answers[0]
        if who == "executive":
            assert not [e for e in errors if e[1][-1] == "potential"]
            assert len(audit) == 6 and {a[3] for a in audit} == {"OK"}
        if who == "energy account manager":  # rows 0 and 3 are Energy
            assert sorted(e[1][1] for e in errors if e[1][-1] == "potential") == [1, 2, 4, 5]
            assert {a[2] for a in audit if a[3] == "OK"} == {"c0", "c3"}
            assert {a[2] for a in audit if a[3] == "FORBIDDEN"} == {"c1", "c2", "c4", "c5"}
        if who == "anonymous":  # refused at the root: no row is read
            assert not audit and [e[1] for e in errors] == [["clients"]]
    # The admitted rows took the fast path: the ordinary one saw only the refused ones (4 of
    # the account manager's, all 6 of marketing's), and of `odd` the value that is no Float.
    assert ordinary_fields.count("potential") == 4 + 6
    assert ordinary_fields.count("odd") == 1 + 4 + 6


@strawberry.type
class Sheet:
    rows: list[Row | None]  # a plain attribute: a node of the fast path
    tight: list[Row]  # a null name here goes up to the sheet


@strawberry.type
class SheetQuery:
    @strawberry.field
    def sheets(self) -> list[Sheet | None]:
        some = rows()
        return [
            Sheet(rows=[*some[:4], None, *some[4:]], tight=some[:3]),
            Sheet(rows=[], tight=some),  # row 3 holds no name for `broken`
            None,
        ]


# Only leaves whose values go in as they are (and nulls): each row's answer is read in the
# item loop, except the rows holding a value that takes the ordinary way.
PLAIN = "id name count share broken odd big ratio flag"
SHEETS = f"{{ sheets {{ rows {{ {PLAIN} }} tight {{ id broken }} again: rows {{ flag id }} }} }}"


def test_a_list_of_plain_leaves_answers_exactly_as_the_ordinary_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    each_row: list[str] = []
    original = FastExecution.execute_fields

    def counted(self: FastExecution, parent_type: Any, source: Any, *rest: Any) -> Any:
        if parent_type.name == "Row":
            each_row.append(str(source.id))
        return original(self, parent_type, source, *rest)

    monkeypatch.setattr(FastExecution, "execute_fields", counted)
    answers = []
    for fast in (True, False):
        kwargs: dict[str, Any] = {"execution_context_class": FastExecution} if fast else {}
        schema = strawberry.Schema(
            query=SheetQuery, config=StrawberryConfig(auto_camel_case=True), **kwargs
        )
        if fast:
            mark_leaves(schema)
        result = asyncio.run(schema.execute(SHEETS))
        answers.append(
            (json.dumps(result.data), [(e.message, e.path) for e in result.errors or []])
        )
    assert answers[0] == answers[1]
    data = json.loads(answers[0][0])
    assert data["sheets"][1] is None and data["sheets"][0]["rows"][4] is None  # both tested
    assert data["sheets"][0]["rows"][0] == {
        "id": "r0",
        "name": "Row 0",
        "count": 0,
        "share": 0.0,
        "broken": "ok",
        "odd": 0,
        "big": -(2**31),
        "ratio": 0.0,
        "flag": True,
    }
    # Only the rows whose values the loop cannot take went on to the selection's own run:
    # rows 3 to 6 of `rows` (a null name, a text Int, 2**31, an infinite Float), row 3 of the
    # second `tight`; `again` and the first `tight` had none.
    assert sorted(each_row) == ["r3", "r3", "r4", "r5", "r6"]


class _Deny(strawberry.BasePermission):
    message = "denied by permission class"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.type
class _Vault:
    secret: str = strawberry.field(default="hidden value", permission_classes=[_Deny])
    label: str = "open"


@strawberry.type
class _VaultQuery:
    @strawberry.field
    def vault(self) -> _Vault:
        return _Vault()


def test_a_field_with_permission_classes_is_never_a_fast_leaf() -> None:
    """The bypass: a plain attribute field declared with `permission_classes` must be refused
    under `FastExecution` exactly as stock strawberry refuses it."""
    vault = strawberry.Schema(query=_VaultQuery, execution_context_class=FastExecution)
    marked = mark_leaves(vault)
    fields = {name: field for _t, name, field in schema_fields(vault)}
    assert LEAF in (fields["label"].extensions or {})
    assert LEAF not in (fields["secret"].extensions or {})
    assert marked >= 1
    result = vault.execute_sync("{ vault { label secret } }")
    assert result.data is None
    assert result.errors and result.errors[0].message == "denied by permission class"
    stock = strawberry.Schema(query=_VaultQuery).execute_sync("{ vault { label secret } }")
    assert stock.data == result.data
    assert [e.message for e in stock.errors or []] == [e.message for e in result.errors]


def test_a_wrapper_put_on_a_marked_leaf_later_is_not_skipped() -> None:
    """Marks hold for the resolver a field had when marked: a wrapper put on afterwards (a
    check, a gate) runs, as graphql-core would run it."""
    vault = strawberry.Schema(query=_VaultQuery, execution_context_class=FastExecution)
    mark_leaves(vault)
    fields = {name: field for _t, name, field in schema_fields(vault)}
    label = fields["label"]
    assert LEAF in (label.extensions or {})
    before = label.resolve
    assert before is not None

    def refused(source: Any, info: Any, **kwargs: Any) -> Any:
        raise PermissionError("wrapped after marking")

    label.resolve = refused
    result = vault.execute_sync("{ vault { label } }")
    assert result.data is None
    assert result.errors and result.errors[0].message == "wrapped after marking"
    label.resolve = before
    assert vault.execute_sync("{ vault { label } }").data == {"vault": {"label": "open"}}
