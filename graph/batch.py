"""Bulk upserts in UNWIND batches: idempotent MERGE on ids, labels and types from our enums.

Into a label that has no nodes yet (a fresh database being built), the same rows are written
with CREATE: there is nothing to find, so MERGE's look for a match (for a relationship, a walk
through the first node's relationships) is pure cost. Rows are made unique first, as MERGE
would have made them, so both ways build the same graph."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from graph.dialect import merge_from_target
from graph.driver import Database
from graph.model import Label, Rel

BATCH = 1000
Progress = Callable[[int], None]


def merge_nodes_statement(label: Label, *, into_empty: bool = False) -> str:
    """`into_empty`: CREATE each row's node (see the module's note), else MERGE it on its id."""
    # The label comes from the closed enum, never from input; values travel as parameters.
    write, on_create = ("CREATE", "SET") if into_empty else ("MERGE", "ON CREATE SET")
    return (
        "UNWIND $rows AS row "
        + write
        + " (n:"
        + Label(label).value
        + " {id: row.id}) "
        + on_create
        + " n.createdAt = $now, n.version = 1 "
        "SET n += row.props, n.updatedAt = coalesce(n.updatedAt, $now) "
        "RETURN count(n) AS n"
    )


def one_per_pair(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (from, to), its props those of all its rows in order: what MERGE and
    `SET r += row.props` leave of them."""
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["from"], row["to"])
        seen = pairs.get(key)
        pairs[key] = row if seen is None else {**seen, "props": {**seen["props"], **row["props"]}}
    return list(pairs.values())


def merge_rels_statement(
    rel: Rel,
    source: Label,
    target: Label,
    *,
    from_target: bool = False,
    replace: bool = False,
    into_empty: bool = False,
) -> str:
    """Upsert `{from, to, props}` rows. `from_target`: the MERGE pattern starts at the target
    (graph/dialect.py, `merge_from_target`); `replace`: the props replace the relationship's,
    else they are added; `into_empty`: CREATE each relationship (see the module's note)."""
    kind = Rel(rel).value
    if into_empty:
        write = "CREATE (a)-[r:" + kind + "]->(b) SET r = row.props "
    else:
        pattern = "(b)<-[r:" + kind + "]-(a)" if from_target else "(a)-[r:" + kind + "]->(b)"
        write = "MERGE " + pattern + (" SET r = row.props " if replace else " SET r += row.props ")
    return (
        "UNWIND $rows AS row "
        "MATCH (a:" + Label(source).value + " {id: row.from}) "
        "MATCH (b:" + Label(target).value + " {id: row.to}) " + write + "RETURN count(r) AS n"
    )


async def merge_nodes(
    db: Database,
    label: Label,
    rows: Sequence[dict[str, Any]],
    progress: Progress | None = None,
    *,
    into_empty: bool = False,
) -> int:
    """Upsert nodes `{id, props}` (one row per id) of one label; returns how many were
    written. `into_empty`: the label has no nodes yet (see the module's note)."""
    statement = merge_nodes_statement(label, into_empty=into_empty)
    return await _in_batches(db, statement, rows, progress, now=datetime.now(UTC))


async def merge_rels(
    db: Database,
    rel: Rel,
    source: Label,
    target: Label,
    rows: Sequence[dict[str, Any]],
    progress: Progress | None = None,
    *,
    into_empty: bool = False,
) -> int:
    """Upsert relationships `{from, to, props}` of one type between two labels. `into_empty`:
    neither label has nodes from before this load, so no such relationship exists yet."""
    rows = one_per_pair(rows)
    statement = merge_rels_statement(
        rel, source, target, from_target=merge_from_target(rows), into_empty=into_empty
    )
    return await _in_batches(db, statement, rows, progress)


async def _in_batches(
    db: Database,
    statement: str,
    rows: Sequence[dict[str, Any]],
    progress: Progress | None,
    **params: Any,
) -> int:
    """Run `statement` over the rows, BATCH at a time (one commit each); returns how many."""
    done = 0
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        await db.write(statement, {"rows": list(chunk), **params})
        done += len(chunk)
        if progress:
            progress(len(chunk))
    return done
