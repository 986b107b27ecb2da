"""The node fast path (plain object and list-of-object fields) and the eager start of async
resolvers answer exactly what graphql-core's ordinary path answers: values, nulls, errors
and where an error nulls the answer, with resolvers that finish at once, wait, or fail."""

from __future__ import annotations

import asyncio
import enum
import json
from typing import Any

import pytest
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.extensions import ParserCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from resolvers.adapter import direct as schema_module
from resolvers.adapter.direct import Started, call_resolvers_directly
from resolvers.adapter.execution import NODE, FastExecution, mark_fast_paths
from resolvers.adapter.memo import SelectionMemo
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
        pet {{ name barks }} toy {{ name }} pets
          {{ __typename name ... on Dog {{ barks }} ... on Cat {{ lives }} }} }} }}""",
    "non-null errors": (
        f"{{ boxes {{ label must {{ {LEAF_FIELDS} }} leaves {{ {LEAF_FIELDS} }} }} }}"
    ),
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
        mark_fast_paths(schema)
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
def test_nodes_and_eager_resolvers_answer_as_the_ordinary_path(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    assert fast_batches <= max(batches, 1)  # eager starts still share one batch


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


DIRECTIVES = """query($x: Boolean!) { boxes { label leaf @include(if: $x) { name }
    maybe { size } ...G } } fragment G on Box { pet @skip(if: $x) { name } }"""


def test_an_operation_run_again_shares_what_it_collected_and_answers_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fields each selection collects, and their plans, are worked out once per
    operation and schema; an operation with directives works them out on every run, since
    its variables decide what is collected."""
    import graphql.execution.executor as executor

    collected: list[str] = []
    original = executor.collect_subfields

    def counted(*args: Any, **kwargs: Any) -> Any:
        collected.append("x")
        return original(*args, **kwargs)

    monkeypatch.setattr(executor, "collect_subfields", counted)
    config = StrawberryConfig(auto_camel_case=True)
    fast = strawberry.Schema(  # as the app's: the same text, the same parsed document
        query=Query,
        types=[Dog, Cat],
        config=config,
        execution_context_class=FastExecution,
        extensions=[lambda: ParserCache(maxsize=16)],
    )
    mark_fast_paths(fast)
    ordinary = strawberry.Schema(query=Query, types=[Dog, Cat], config=config)
    for name, query in QUERIES.items():
        expected = run_on(ordinary, query)
        collected.clear()
        assert run_on(fast, query) == expected, name
        first = len(collected)
        assert run_on(fast, query) == expected, name
        assert first > 0 and len(collected) == first, name  # the second run collected nothing
    for x in (True, False, True, False):
        expected = run_on(ordinary, DIRECTIVES, {"x": x})
        collected.clear()
        assert run_on(fast, DIRECTIVES, {"x": x}) == expected
        assert collected  # collected on every run
        assert ('"leaf"' in expected[0]) is x and ('"pet"' in expected[0]) is not x
    mark_fast_paths(fast)  # marks made anew: what was shared with the old marks is gone
    collected.clear()
    assert run_on(fast, QUERIES["everything"]) == run_on(ordinary, QUERIES["everything"])
    assert collected


def test_the_selection_memo_is_bounded_per_schema() -> None:
    from graphql import parse

    memo = SelectionMemo(3)
    schemas = [object(), object()]
    documents = [parse(f"{{ a{i} }}") for i in range(5)]
    operations = [d.definitions[0] for d in documents]
    seen = {(id(s), id(o)): memo.of(s, o, {}) for s in schemas for o in operations}  # type: ignore[arg-type]
    assert len(memo._seen) == 3
    assert memo.of(schemas[1], operations[4], {}) is seen[(id(schemas[1]), id(operations[4]))]  # type: ignore[arg-type]
    assert memo.of(schemas[0], operations[4], {}) is not seen[(id(schemas[1]), id(operations[4]))]  # type: ignore[arg-type]
    with_directive = parse("query($x: Boolean!) { a @include(if: $x) }").definitions[0]
    assert memo.of(schemas[0], with_directive, {}) is None  # type: ignore[arg-type]


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


def test_resolvers_that_finish_at_once_need_no_awaitable(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []
    original = Started.__init__

    def counted(self: Started, coroutine: Any, waiting_on: Any) -> None:
        started.append(coroutine.cr_code.co_qualname)
        original(self, coroutine, waiting_on)

    monkeypatch.setattr(Started, "__init__", counted)
    data, _errors, batches = execute(True, QUERIES["below a resolver that waits"])
    assert data["box"]["leaves"][1] == {"name": "a4", "size": 4, "twin": "a4!"}
    # The root resolver waits; every twin below it reads what the root primed: no batch.
    assert len(started) == 1 and batches == 0


def test_nodes_are_marked_only_where_no_guard_or_argument_is() -> None:
    from auth.policy import load_policy
    from kam.settings import Settings
    from resolvers.schema import apply_policy, build_schema

    schema = build_schema()
    apply_policy(schema, load_policy(Settings().policy_file))
    marked = {(t, n) for t, n, f in schema_fields(schema) if hasattr(f, NODE)}
    assert {("AccountConnection", "edges"), ("AccountEdge", "node")} <= marked
    for type_name, name, field in schema_fields(schema):
        if (type_name, name) in marked:
            assert getattr(field.resolve, "_is_default", False) and not field.args
    assert schema_module.EAGER  # the name the wrappers carry


@strawberry.enum
class Order(enum.Enum):
    UP = "UP"
    DOWN = "DOWN"


@strawberry.type
class Shelf:
    label: str

    @strawberry.field
    def page(self, info: Info, first: int = 2, after_key: str | None = None) -> str:
        return f"{self.label}:{first}:{after_key}:{info.field_name}:{info.context['who']}"

    @strawberry.field
    async def later_page(self, first_item: strawberry.ID, share: float | None = None) -> str:
        await asyncio.sleep(0)
        return f"{self.label}:{first_item}:{share}"

    @strawberry.field
    @staticmethod
    def by_root(root: Shelf, flag: bool = True) -> str:
        return f"{root.label}/{flag}"

    @strawberry.field
    @staticmethod
    def by_parent(parent: strawberry.Parent[Shelf]) -> str:
        return f"parent {parent.label}"

    @strawberry.field
    def ordered(self, order: Order = Order.UP) -> str:  # an enum: strawberry converts it
        return f"{self.label}:{order.value}"

    @strawberry.field
    def fails(self, first: int = 1) -> str | None:
        raise ValueError(f"no page {first}")


@strawberry.type
class ShelfQuery:
    @strawberry.field
    def shelves(self) -> list[Shelf]:
        return [Shelf(label="s1"), Shelf(label="s2")]


SHELVES = """{ shelves { label page a: page(first: 5) b: page(afterKey: "k")
    laterPage(firstItem: "i1")
    c: laterPage(firstItem: 7, share: 0.5) byRoot d: byRoot(flag: false) byParent ordered
    e: ordered(order: DOWN) fails f: fails(first: 3) } }"""


def test_resolvers_called_directly_answer_as_strawberry_calls_them() -> None:
    answers = []
    for direct in (True, False):
        schema = strawberry.Schema(query=ShelfQuery, config=StrawberryConfig(auto_camel_case=True))
        if direct:
            assert call_resolvers_directly(schema) == 6  # all but `ordered` (an enum argument)
            names = {
                n
                for t, n, f in schema_fields(schema)
                if getattr(f.resolve, "__name__", "") == "direct"
            }
            assert names == {"shelves", "page", "laterPage", "byRoot", "byParent", "fails"}
        result = asyncio.run(schema.execute(SHELVES, context_value={"who": "me"}))
        errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
        answers.append((json.dumps(result.data), errors))
    assert answers[0] == answers[1]
    data = json.loads(answers[0][0])["shelves"][1]
    assert data["page"] == "s2:2:None:page:me" and data["a"] == "s2:5:None:page:me"
    assert data["b"] == "s2:2:k:page:me" and data["c"] == "s2:7:0.5"
    assert data["byRoot"] == "s2/True" and data["d"] == "s2/False"
    assert data["byParent"] == "parent s2" and data["e"] == "s2:DOWN"
    assert ("no page 3", ("shelves", 1, "f")) in answers[0][1]
