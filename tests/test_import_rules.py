"""The layering rules of docs/ARCHITECTURE.md §1, read off the syntax tree of every module.

0. Each layer imports only itself and the layers below it (`BELOW`), but for `LAYER_EXCEPTIONS`.
1. Cypher and the `neo4j` driver live in `graph/` (tests and the bench may use both).
2. Policy decisions live in `auth/`: outside it, nothing imports the policy's vocabulary
   (`Access`, `Condition`, `Grant`), and the calls that ask the policy about one section
   are the ones listed in `ASKS_POLICY`, file by file.
3. No private attribute or internal hook of a third-party library (graphql-core,
   strawberry, asyncio, starlette, neo4j) is used outside `REACHES_IN`, file by file.
4. Every third-party package a shipped module imports is declared in pyproject.toml.
5. Only `graph/dialect.py` (and the driver and embedded server, which learn or start the
   engine) knows which engine runs: domain code asks the dialect, never branches on it.

Lists 2 and 3 name today's uses (docs/ARCHITECTURE.md §9). A new use fails here; a use
that is gone must leave its list, so each list only ever shrinks."""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from collections import Counter
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("kam", "graph", "resolvers", "auth", "loaders", "integrations")
SCANNED = (*SHIPPED, "bench", "tests")
OWN_PACKAGES = frozenset(SCANNED)

# A statement: a clause keyword opening a line, and a node pattern or parameter somewhere.
CYPHER = re.compile(
    r"(?m)^\s*(OPTIONAL MATCH|MATCH|MERGE|CREATE|UNWIND|CALL|RETURN|SHOW|DETACH DELETE)\b"
)
CYPHER_SHAPE = re.compile(r"\(\w*:\w+|\$\w+|\bRETURN\b|\bYIELD\b|\bCONSTRAINT\b|\bINDEX\b")

# Internals that carry no underscore: graphql-core's executor hooks and strawberry's
# converter and executor classes, and the introspection objects the app patches.
INTERNAL_NAMES = frozenset(
    {
        "DEFINITION_BACKREF",
        "GraphQLCoreConverter",
        "StrawberryGraphQLCoreExecutionContext",
        "collect_subfields",
        "execute_fields",
        "execute_field",
        "settle_in_background",
        "handle_field_error",
        "middleware_manager",
        "validate_document",
        "TypeFields",
        "SchemaMetaFieldDef",
        "TypeMetaFieldDef",
        "introspection_types",
    }
)

# Calls that ask the policy about one section, outside auth/.
POLICY_ASKS = frozenset(
    {
        "grant",
        "best",
        "universally_readable",
        "can",
        "can_read",
        "can_write",
        "can_read_everywhere",
        "may_see_section",
    }
)
POLICY_VOCABULARY = frozenset({"Access", "Condition", "Grant", "NO_GRANT"})

# What each shipped package may import of our own (docs/ARCHITECTURE.md §1).
BELOW: dict[str, frozenset[str]] = {
    "graph": frozenset({"graph"}),
    "auth": frozenset({"auth", "graph"}),
    "loaders": frozenset({"loaders", "graph"}),
    "resolvers": frozenset({"resolvers", "auth", "loaders", "graph"}),
    "integrations": frozenset({"integrations", "graph"}),
    "kam": frozenset(SHIPPED),
}
# The need-to-know registry is pure data (it imports nothing of ours): every layer may read
# which section a property or derived value belongs to, so there is one registry, not several.
EVERYONE_READS: frozenset[str] = frozenset({"auth.registry"})
# Today's imports against the layering, (module, imported module).
LAYER_EXCEPTIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("graph/crm.py", "integrations.salesforce"),  # the sync takes the client's type
        ("graph/seed.py", "auth.passwords"),  # the demo users' password hashes
    }
)

# Today's uses of library internals, file -> name -> count (docs/ARCHITECTURE.md §9).
# The executor rewrite of issue 21 moves what stays into one adapter module.
REACHES_IN: dict[str, dict[str, int]] = {
    # Shipped code reaches into libraries only in the adapter package (resolvers/adapter/);
    # each module there says what upstream change would let it go.
    "resolvers/adapter/execution.py": {
        # the executor subclass and its overrides of graphql-core's hooks
        "StrawberryGraphQLCoreExecutionContext": 1,
        "collect_subfields": 1,
        "execute_fields": 4,
        "execute_field": 1,
        "handle_field_error": 3,
        "settle_in_background": 2,
        "middleware_manager": 1,
        "_is_default": 1,
        # strawberry's field definition behind each graphql-core field
        "GraphQLCoreConverter": 1,
        "DEFINITION_BACKREF": 1,
        # the graphql-core schema behind strawberry's, and a resolver call's syntax nodes
        "_schema": 1,
        "_raw_info": 1,
    },
    "resolvers/adapter/introspection.py": {
        # the process-wide patch of the introspection objects
        "introspection_types": 1,
        "TypeFields": 1,
        "SchemaMetaFieldDef": 1,
        "TypeMetaFieldDef": 1,
    },
    "tests/test_fast_nodes.py": {"_is_default": 1},
    "tests/test_leaf_fast_path.py": {"_is_default": 2, "execute_field": 2, "execute_fields": 1},
    # the Cypher gate names the function that sent a statement from the caller's frames
    "tests/cypher_gate/recorder.py": {"_getframe": 1},
}


def test_only_the_adapter_reaches_into_libraries() -> None:
    """The rule behind `REACHES_IN`: no shipped module outside resolvers/adapter/ is listed."""
    shipped = [f for f in REACHES_IN if f.split("/", 1)[0] in SHIPPED]
    assert all(f.startswith("resolvers/adapter/") for f in shipped), shipped


# Today's calls asking the policy outside auth/, file -> name -> count. The rewrite of
# issue 21 declares each field's section once and lets auth/ decide.
ASKS_POLICY: dict[str, dict[str, int]] = {
    "resolvers/accounts.py": {"can_read_everywhere": 1, "may_see_section": 2},
    "resolvers/actions.py": {"can_write": 1},
    # a sync conflict shows a property's two values: only to a caller who reads its section
    "resolvers/changes.py": {"can_read": 1},
    "resolvers/entities.py": {"can_read": 1, "can_write": 1},
    "resolvers/network.py": {"may_see_section": 1},
    "resolvers/plan_mutations.py": {"can_write": 1},
    "resolvers/plans.py": {"can_read": 1},
    "resolvers/adapter/introspection.py": {"may_see_section": 2},  # what a caller may see
}

# Outside graph/: Cypher constants of graph/ handed to the database wrapper.
RUNS_GRAPH_QUERIES: dict[str, int] = {"kam/crm_cli.py": 2}  # sync status: crm.ISSUES, CONFLICTS


def modules(packages: tuple[str, ...]) -> Iterator[tuple[str, ast.Module]]:
    for package in packages:
        yield from _parsed(package)


@functools.cache
def _parsed(package: str) -> tuple[tuple[str, ast.Module], ...]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if not relative.startswith("bench/results"):
            found.append((relative, ast.parse(path.read_text(), relative)))
    return tuple(found)


def imported_modules(tree: ast.Module) -> Iterator[tuple[str, ast.Import | ast.ImportFrom]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module, node


def area(relative: str) -> str:
    return relative.split("/", 1)[0]


def test_each_layer_imports_only_the_layers_below_it() -> None:
    found = set()
    for relative, tree in modules(SHIPPED):
        for name, _statement in imported_modules(tree):
            top = name.split(".", 1)[0]
            if name in EVERYONE_READS:
                continue
            if top in OWN_PACKAGES and top not in BELOW[area(relative)]:
                found.add((relative, name))
    assert found == LAYER_EXCEPTIONS, (
        f"new imports against the layering: {sorted(found - LAYER_EXCEPTIONS)}; "
        f"listed but gone (remove them from LAYER_EXCEPTIONS): {sorted(LAYER_EXCEPTIONS - found)}"
    )


def test_the_driver_and_cypher_stay_in_graph() -> None:
    found = []
    for relative, tree in modules(SCANNED):
        if area(relative) in ("graph", "tests", "bench"):
            continue
        for name, statement in imported_modules(tree):
            if name == "neo4j" or name.startswith("neo4j."):
                found.append(f"{relative}:{statement.lineno} imports {name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and CYPHER.search(node.value)
                and CYPHER_SHAPE.search(node.value)
            ):
                found.append(f"{relative}:{node.lineno} holds Cypher")
    assert not found, "Cypher and the driver belong in graph/:\n" + "\n".join(found)


def test_outside_graph_no_query_constant_is_run_by_hand() -> None:
    counts: Counter[str] = Counter()
    for relative, tree in modules(SHIPPED):
        if area(relative) == "graph":
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("read", "write", "read_one")
                and node.args
                and _upper_constant(node.args[0])
            ):
                counts[relative] += 1
    assert dict(counts) == RUNS_GRAPH_QUERIES, (
        "a query of graph/ is run outside graph/ (call a typed function of graph/ instead); "
        f"found {dict(counts)}, allowed {RUNS_GRAPH_QUERIES}"
    )


def _upper_constant(node: ast.expr) -> bool:
    """An upper-case name that graph/ defines at module level (a statement constant), not,
    say, a byte count handed to a file's `read`."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return bool(name) and name.isupper() and name in _graph_constants()


@functools.cache
def _graph_constants() -> frozenset[str]:
    found = set()
    for _relative, tree in modules(("graph",)):
        for node in tree.body:
            targets = (
                node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            )
            found.update(t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper())
    return frozenset(found)


def test_policy_decisions_stay_in_auth() -> None:
    vocabulary = []
    asks: dict[str, Counter[str]] = {}
    for relative, tree in modules(SHIPPED):
        if area(relative) == "auth":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("auth."):
                vocabulary += [
                    f"{relative}:{node.lineno} imports {alias.name} from {node.module}"
                    for alias in node.names
                    if alias.name in POLICY_VOCABULARY
                ]
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in POLICY_ASKS
            ):
                asks.setdefault(relative, Counter())[node.func.attr] += 1
    assert not vocabulary, "the policy's vocabulary stays in auth/:\n" + "\n".join(vocabulary)
    _check_allowed("asks the policy outside auth/", asks, ASKS_POLICY)


def _own_private_names() -> set[str]:
    """Private names our own code defines: functions, classes, module and class attributes,
    slots, and attributes set on `self` or `cls`."""
    own: set[str] = set()
    for _relative, tree in modules(SCANNED):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                own.add(node.name)
                for argument in (
                    (*node.args.args, *node.args.kwonlyargs)
                    if not isinstance(node, ast.ClassDef)
                    else ()
                ):
                    own.add(argument.arg)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                    own.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                own.add(node.id)
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets
            ):
                own.update(
                    c.value
                    for c in ast.walk(node.value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                )
    return {name for name in own if name.startswith("_")} | DOCUMENTED


PRIVATE = re.compile(r"^_[A-Za-z]\w*$")
# Documented names that start with an underscore: os._exit, and namedtuple's methods.
DOCUMENTED = frozenset({"_exit", "_replace", "_asdict", "_fields", "_make", "_field_defaults"})


def _reaches(tree: ast.Module, own: set[str]) -> Iterator[str]:
    """The library internals a module names: private attributes, keywords and attribute
    names in strings that our code does not define, and the `INTERNAL_NAMES`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if (PRIVATE.match(node.attr) and node.attr not in own) or (node.attr in INTERNAL_NAMES):
                yield node.attr
        elif isinstance(node, ast.keyword) and node.arg and PRIVATE.match(node.arg):
            if node.arg not in own:
                yield node.arg
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if PRIVATE.match(node.value) and node.value not in own:
                yield node.value
        elif isinstance(node, ast.ImportFrom):
            yield from (a.name for a in node.names if a.name in INTERNAL_NAMES)
        elif isinstance(node, ast.FunctionDef) and node.name in INTERNAL_NAMES:
            yield node.name  # an override of an executor hook


def test_no_library_internals_outside_the_listed_uses() -> None:
    own = _own_private_names()
    found: dict[str, Counter[str]] = {}
    for relative, tree in modules(SCANNED):
        if relative == "tests/test_import_rules.py":
            continue
        names = Counter(_reaches(tree, own))
        if names:
            found[relative] = names
    _check_allowed("reaches into a library's internals", found, REACHES_IN)


def _check_allowed(
    what: str, found: dict[str, Counter[str]], allowed: dict[str, dict[str, int]]
) -> None:
    problems = []
    for relative in sorted(set(found) | set(allowed)):
        used, listed = found.get(relative, Counter()), allowed.get(relative, {})
        for name in sorted(set(used) | set(listed)):
            if used[name] > listed.get(name, 0):
                problems.append(
                    f"{relative} {what}: {name} ({used[name]} uses, {listed.get(name, 0)} listed)"
                )
            elif used[name] < listed.get(name, 0):
                problems.append(
                    f"{relative}: {name} is listed {listed[name]} times but used {used[name]}:"
                    " lower its count in this test (the list only shrinks)"
                )
    assert not problems, "\n".join(problems)


def test_every_imported_package_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {canonicalize_name(Requirement(line).name) for line in project["dependencies"]}
    providers = packages_distributions()
    missing = []
    for relative, tree in modules(SHIPPED):
        for name, node in imported_modules(tree):
            top = name.split(".", 1)[0]
            if top in OWN_PACKAGES or top in sys.stdlib_module_names or top == "__future__":
                continue
            distributions = {canonicalize_name(d) for d in providers.get(top, [top])}
            if not distributions & declared:
                missing.append(
                    f"{relative}:{node.lineno} imports {name} ({', '.join(distributions)})"
                )
    assert not missing, "imported but not declared in pyproject.toml:\n" + "\n".join(missing)


def test_the_registry_imports_nothing_of_ours() -> None:
    """What makes `auth.registry` safe for every layer to read."""
    for relative, tree in modules(SHIPPED):
        if relative == "auth/registry.py":
            own = [n for n, _ in imported_modules(tree) if n.split(".", 1)[0] in OWN_PACKAGES]
            assert own == []
            return
    raise AssertionError("auth/registry.py not found")


# What tells the engines apart: the dialect's flags and constructors, the server's agent.
ENGINE_NAMES = frozenset(
    {"ARCADEDB", "NEO4J", "dialect_of", "sorts_by_typed_keys_only", "agent", "get_server_info"}
)
KNOWS_THE_ENGINE = frozenset(
    {"graph/dialect.py", "graph/driver.py", "graph/embedded.py", "graph/embedded_child.py"}
)


def _engine_branches(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in ENGINE_NAMES:
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute) and node.attr in ENGINE_NAMES:
            yield node.lineno, node.attr
        elif isinstance(node, ast.alias) and node.name in ENGINE_NAMES:
            yield getattr(node, "lineno", 0), node.name
        elif isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if (
                    isinstance(side, ast.Constant)
                    and isinstance(side.value, str)
                    and re.search(r"arcade|neo4j", side.value, re.IGNORECASE)
                ):
                    yield node.lineno, repr(side.value)


def test_only_the_dialect_knows_the_engine() -> None:
    found = [
        f"{relative}:{line} uses {name}"
        for relative, tree in modules(SHIPPED)
        if relative not in KNOWS_THE_ENGINE
        for line, name in _engine_branches(tree)
    ]
    assert not found, "branch on the engine in graph/dialect.py only:\n" + "\n".join(found)
