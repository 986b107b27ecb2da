"""The Cypher gate: statements checked with Neo4j's own Cypher 5 front end, in one node call.

The front end is the npm package `@neo4j-cypher/language-support` (parser and semantic
analysis), pinned in package.json/package-lock.json beside this file and installed with
`npm ci` on first use. Node.js and npm must be on PATH.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import os
import pkgutil
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PACKAGE = "@neo4j-cypher/language-support"
MIN_NODE = (18, 18)
# A module constant that starts with a clause is a whole statement; others are fragments
# (predicates, projections) that only make sense inside one.
STATEMENT_START = re.compile(
    r"^\s*(OPTIONAL\s+MATCH|MATCH|MERGE|CREATE|UNWIND|WITH|CALL|RETURN|SHOW|DROP|USE|"
    r"FOREACH|DETACH\s+DELETE|LOAD\s+CSV)\b"
)
CONSTANT_NAME = re.compile(r"^_?[A-Z][A-Z0-9_]*$")


class GateUnavailable(RuntimeError):
    """The front end cannot run here (no node/npm, or the install failed)."""


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    message: str
    line: int
    column: int

    def short(self) -> str:
        first = self.message.splitlines()[0]
        return f"{self.severity} at {self.line}:{self.column}: {first}"


def _pinned_version() -> str:
    manifest = json.loads((HERE / "package.json").read_text())
    return str(manifest["dependencies"][PACKAGE])


def _installed_version() -> str | None:
    path = HERE / "node_modules" / PACKAGE / "package.json"
    try:
        return str(json.loads(path.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise GateUnavailable(
            "the Cypher gate needs Node.js >= 18.18 and npm on PATH (Debian: apt-get install "
            "nodejs npm); they check every statement with Neo4j's own Cypher front end"
        )
    out = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    found = tuple(int(p) for p in re.findall(r"\d+", out.stdout)[:2])
    if found < MIN_NODE:
        raise GateUnavailable(
            f"the Cypher gate needs Node.js >= {MIN_NODE[0]}.{MIN_NODE[1]}; "
            f"this one is {out.stdout.strip()}"
        )
    return node


def ensure_installed() -> str:
    """Install the pinned front end with `npm ci` when it is missing; return node's path."""
    node = _node()
    if _installed_version() == _pinned_version():
        return node
    npm = shutil.which("npm")
    if npm is None:
        raise GateUnavailable("the Cypher gate needs npm on PATH to install " + PACKAGE)
    # Two test runs at once must not install into the same folder together.
    with (HERE / ".install-lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed_version() != _pinned_version():
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=HERE,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            if done.returncode != 0 or _installed_version() != _pinned_version():
                raise GateUnavailable(
                    f"`npm ci` in {HERE} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
                )
    return node


def lint(statements: list[str]) -> list[list[Diagnostic]]:
    """Neo4j 5's diagnostics for each statement, in order (one node process for all).

    The front end takes about 0.1 s of CPU a statement, so answers are kept in a local cache
    keyed by the statement, the schema, lint.cjs and the installed version."""
    if not statements:
        return []
    node = ensure_installed()
    from graph.model import Label, Rel

    schema = {
        "labels": [label.value for label in Label],
        "relationshipTypes": [rel.value for rel in Rel],
    }
    salt = json.dumps([schema, _installed_version(), (HERE / "lint.cjs").read_text()])

    def key(text: str) -> str:
        return hashlib.sha256((salt + "\0" + text).encode()).hexdigest()

    cache = _read_cache()
    missing = sorted({t for t in statements if key(t) not in cache})
    if missing:
        for text, found in zip(missing, _run_front_end(node, missing, schema), strict=True):
            cache[key(text)] = found
        _write_cache(cache)
    return [[Diagnostic(**d) for d in cache[key(t)]] for t in statements]


CACHE = HERE / ".lint-cache.json"


def _read_cache() -> dict[str, list[dict[str, Any]]]:
    try:
        found: dict[str, list[dict[str, Any]]] = json.loads(CACHE.read_text())
    except (OSError, ValueError):
        return {}
    return found


def _write_cache(cache: dict[str, list[dict[str, Any]]]) -> None:
    partial = CACHE.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(cache))
    partial.replace(CACHE)


def _run_front_end(
    node: str, statements: list[str], schema: dict[str, list[str]]
) -> list[list[dict[str, Any]]]:
    request = {"statements": statements, **schema}
    done = subprocess.run(
        [node, str(HERE / "lint.cjs")],
        input=json.dumps(request),
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise GateUnavailable(f"the Cypher front end failed: {done.stderr.strip()[-2000:]}")
    results: list[list[dict[str, Any]]] = json.loads(done.stdout)
    return results


def module_statements(package: str = "graph") -> dict[str, str]:
    """Texts that start like a statement, held as upper-case module constants of `package`
    (or as values of a constant dict, one statement per key): text -> where."""
    root = importlib.import_module(package)
    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(root.__path__, package + "."):
        module = importlib.import_module(info.name)
        where = info.name.replace(".", "/") + ".py:"
        for name, value in vars(module).items():
            if not CONSTANT_NAME.match(name):
                continue
            items = value.items() if isinstance(value, dict) else [(None, value)]
            for key, text in items:
                if isinstance(text, str) and STATEMENT_START.match(text):
                    found.setdefault(text, where + name + ("" if key is None else f"[{key!r}]"))
    return found


_CONTINUATION = re.compile(r"^\s*(WITH|RETURN|UNWIND|CALL\s*\()")


def is_fragment(text: str, diagnostics: list[Diagnostic]) -> bool:
    """True when the errors say the text is a piece of a statement rather than a wrong one:
    it ends early, or it does not end as a statement must, or it continues a statement
    (WITH, RETURN, UNWIND, `CALL (x)`) whose variables another piece binds."""
    errors = [d.message for d in diagnostics if d.severity == "error"]
    if any("cannot conclude with" in m or "Invalid input ''" in m for m in errors):
        return True
    return (
        bool(errors)
        and _CONTINUATION.match(text) is not None
        and all(re.search(r"Variable `\w+` not defined", m) for m in errors)
    )
