"""The node fast path (plain object and list-of-object fields) answers exactly what
graphql-core's ordinary path answers: values, nulls, errors and where an error nulls the
answer, with resolvers below it that finish at once, wait, or fail."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from resolvers.adapter.execution import NODE, FastExecution, mark_leaves
from resolvers.schema import schema_fields


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Dog(Named):
    barks: int


@strawberry.type
class Cat(Named):
    lives: int


@strawberry.type
class Toy:
    name: str

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, Toy)


@strawberry.type
class Leaf:
    name: str  # some leaves hold None: the error goes up to the nearest nullable field
    size: int | None

    @strawberry.field
    async def twin(self, info: Info) -> str:
        """Finishes at once when its parent primed the loader, waits for a batch otherwise."""
        return str(await info.context["twins"].load(self.name))


@strawberry.type
class Box:
    label: str
    leaf: Leaf | None
    must: Leaf  # one box holds None here
    leaves: list[Leaf]
    maybe: list[Leaf | None] | None
    pet: Dog | None  # one box holds a Cat: a Named, so it passes as a Dog (but barks not)
    pets: list[Named]
    toy: Toy | None  # one box holds a Cat: no Toy, the ordinary path says so
    rows: list[Leaf] = strawberry.field(default_factory=list)  # one box holds a null row

    @strawberry.field
    async def now(self) -> str:
        return self.label.upper()

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return self.label.lower()

    @strawberry.field
    async def fails_now(self) -> str | None:
        raise ValueError(f"now {self.label}")

    @strawberry.field
    async def fails_later(self) -> str | None:
        await asyncio.sleep(0)
        raise ValueError(f"later {self.label}")

    @strawberry.field
    async def must_later(self) -> str:  # non-null, and null for one box
        await asyncio.sleep(0)
        return None if self.label == "c" else self.label  # type: ignore[return-value]


def leaf(name: str | None, size: int | None = 1) -> Leaf:
    return Leaf(name=name, size=size)  # type: ignore[arg-type]


def boxes() -> list[Box | None]:
    return [
        Box(
            label="a",
            leaf=leaf("a1"),
            must=leaf("a2", None),
            leaves=[leaf("a3"), leaf("a4", 4)],
            maybe=[leaf("a5"), None],
            pet=Dog(name="rex", barks=3),
            pets=[Dog(name="rex", barks=3), Cat(name="tom", lives=9)],
            toy=Toy(name="ball"),
        ),
        Box(
            label="b",
            leaf=None,
            must=leaf("b2"),
            leaves=[leaf("b3"), leaf(None)],  # a null name in a non-null list: "b" is nulled
            maybe=None,
            pet=Cat(name="tom", lives=9),  # type: ignore[arg-type]
            pets=[],
            toy=Cat(name="tom", lives=9),  # type: ignore[arg-type]
        ),
        Box(
            label="c",
            leaf=leaf("c1"),
            must=None,  # type: ignore[arg-type]
            leaves=[],
            maybe=[None, leaf(None), leaf("c5")],  # a null name: only that item is nulled
            pet=None,
            pets=[Cat(name="kit", lives=1)],
            toy=None,
        ),
        None,
        Box(
            label="d",
            leaf=leaf("d1"),
            must=leaf("d2"),
            leaves=[leaf("d3")],
            maybe=[leaf("d4")],
            pet=Dog(name="fido", barks=1),
            pets=[Dog(name="fido", barks=1)],
            toy=Toy(name="bone"),
            rows=[leaf("d6"), None],  # type: ignore[list-item]
        ),
    ]


@strawberry.type
class Query:
    @strawberry.field
    def boxes(self) -> list[Box | None]:
        return boxes()

    @strawberry.field
    async def box(self, info: Info, label: str) -> Box | None:
        await asyncio.sleep(0)
        info.context["twins"].prime_many({n: f"{n}!" for n in ("a1", "a2", "a3", "a4")})
        return next((b for b in boxes() if b is not None and b.label == label), None)


LEAF_FIELDS = "name size twin"
QUERIES = {
    "everything": f"""{{ boxes {{ __typename label now later failsNow failsLater
        leaf {{ {LEAF_FIELDS} }} maybe {{ {LEAF_FIELDS} }}
        pet {{ name barks }} toy {{ name }}
        pets {{ __typename name ... on Dog {{ barks }} ... on Cat {{ lives }} }} }} }}""",
    "non-null errors": f"""{{ boxes {{ label must {{ {LEAF_FIELDS} }}
        leaves {{ {LEAF_FIELDS} }} }} }}""",
    "a late non-null error": "{ boxes { label mustLater leaf { name } } }",
    "a null item in a non-null list": "{ boxes { label rows { name } } }",
    "one key loaded twice, not primed": "{ boxes { leaf { twin } again: leaf { name twin } } }",
    "aliases and fragments": """{ boxes { x: leaf { name } y: leaf { size twin }
        ...F } } fragment F on Box { leaf { name } maybe { size } }""",
    "below a resolver that waits": f"""{{ box(label: "a") {{ label leaf {{ {LEAF_FIELDS} }}
        leaves {{ {LEAF_FIELDS} }} }} }}""",
}


def execute(fast: bool, query: str) -> tuple[Any, list[Any], int]:
    kwargs: dict[str, Any] = {"execution_context_class": FastExecution} if fast else {}
    schema = strawberry.Schema(
        query=Query, types=[Dog, Cat], config=StrawberryConfig(auto_camel_case=True), **kwargs
    )
    if fast:
        mark_leaves(schema)
    batches: list[list[str]] = []

    async def twins(names: list[str]) -> list[str]:
        batches.append(names)
        return [f"{n}!" for n in names]

    async def run() -> Any:
        return await schema.execute(query, context_value={"twins": DataLoader(twins)})

    result = asyncio.run(run())
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return result.data, errors, len(batches)


@pytest.mark.parametrize("name", list(QUERIES))
def test_nodes_answer_as_the_ordinary_path(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[str] = []
    original = FastExecution._node_value

    def counted(self: FastExecution, source: Any, node: Any, *args: Any) -> Any:
        taken.append(node.attribute)
        return original(self, source, node, *args)

    monkeypatch.setattr(FastExecution, "_node_value", counted)
    fast_data, fast_errors, fast_batches = execute(True, QUERIES[name])
    taken_fast = len(taken)
    data, errors, batches = execute(False, QUERIES[name])
    assert json.dumps(fast_data) == json.dumps(data)  # the same order of keys too
    assert fast_errors == errors
    assert taken_fast > 0  # the fast path did answer
    assert fast_batches == batches  # loads below fast nodes still share their batches


def run_on(schema: strawberry.Schema, query: str, variables: dict[str, Any] | None = None) -> Any:
    async def twins(names: list[str]) -> list[str]:
        return [f"{n}!" for n in names]

    async def run() -> Any:
        return await schema.execute(
            query, variable_values=variables, context_value={"twins": DataLoader(twins)}
        )

    result = asyncio.run(run())
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return json.dumps(result.data), errors


def test_the_errors_tell_the_cases_apart() -> None:
    """The expected answers, so that both paths failing alike cannot pass."""
    data, errors, _ = execute(True, QUERIES["non-null errors"])
    assert [b and b["label"] for b in data["boxes"]] == ["a", None, None, None, "d"]
    assert (
        "Cannot return null for non-nullable field Leaf.name.",
        ("boxes", 1, "leaves", 1, "name"),
    ) in errors
    assert ("Cannot return null for non-nullable field Box.must.", ("boxes", 2, "must")) in errors
    data, errors, _ = execute(True, QUERIES["everything"])
    assert data["boxes"][1]["pet"] is None and data["boxes"][1]["toy"] is None
    assert ("'Cat' object has no attribute 'barks'", ("boxes", 1, "pet", "barks")) in errors
    assert any(
        m.startswith("Expected value of type 'Toy'") and p == ("boxes", 1, "toy") for m, p in errors
    )
    assert data["boxes"][3] is None and data["boxes"][4]["toy"] == {"name": "bone"}
    assert data["boxes"][2]["maybe"] == [None, None, {"name": "c5", "size": 1, "twin": "c5!"}]
    assert ("later a", ("boxes", 0, "failsLater")) in errors
    assert data["boxes"][0]["now"] == "A" and data["boxes"][0]["later"] == "a"
    data, errors, _ = execute(True, QUERIES["a null item in a non-null list"])
    assert data["boxes"][0] == {"label": "a", "rows": []} and data["boxes"][4] is None
    assert errors == [
        ("Cannot return null for non-nullable field Box.rows.", ("boxes", 4, "rows", 1))
    ]
    data, errors, _ = execute(True, QUERIES["a late non-null error"])
    assert data["boxes"][2] is None and data["boxes"][0]["mustLater"] == "a"


def test_nodes_are_marked_only_where_no_guard_or_argument_is() -> None:
    from auth.policy import load_policy
    from kam.settings import Settings
    from resolvers.schema import apply_policy, build_schema

    schema = build_schema()
    apply_policy(schema, load_policy(Settings().policy_file))
    marked = {(t, n) for t, n, f in schema_fields(schema) if NODE in (f.extensions or {})}
    assert {("AccountConnection", "edges"), ("AccountEdge", "node")} <= marked
    for type_name, name, field in schema_fields(schema):
        if (type_name, name) in marked:
            assert getattr(field.resolve, "_is_default", False) and not field.args
