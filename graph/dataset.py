"""A generated dataset (nodes and relationships as rows) and how it is written to the
graph in UNWIND batches, idempotently."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.batch import merge_nodes, merge_rels
from graph.contact_keys import keep_account_ids, placed_by
from graph.driver import Database
from graph.model import Label, Rel


@dataclass
class Dataset:
    nodes: dict[Label, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    rels: dict[tuple[Rel, Label, Label], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def node(self, label: Label, id_: str, **props: Any) -> str:
        self.nodes[label].append({"id": id_, "props": props})
        return id_

    def rel(self, rel: Rel, source: Label, src: str, target: Label, dst: str, **props: Any) -> None:
        self.rels[(rel, source, target)].append({"from": src, "to": dst, "props": props})

    def count(self) -> tuple[int, int]:
        """Nodes and relationships as written: one per id, one per (type, from, to)."""
        return (
            sum(len({r["id"] for r in v}) for v in self.nodes.values()),
            sum(len({(r["from"], r["to"]) for r in v}) for v in self.rels.values()),
        )


@dataclass(frozen=True)
class SeedStats:
    nodes: int
    relationships: int
    seconds: float

    def summary(self) -> str:
        return f"{self.nodes} nodes, {self.relationships} relationships"


async def load(
    db: Database, ds: Dataset, progress: Callable[[str, int], None] | None = None
) -> SeedStats:
    """Write a dataset in UNWIND batches: nodes first, then relationships (idempotent). Labels
    with no nodes before the load are written with CREATE (see `graph.batch`)."""
    started = datetime.now(UTC)

    def step(name: str) -> Callable[[int], None] | None:
        return (lambda n: progress(name, n)) if progress else None

    empty = {label for label in ds.nodes if not await _has_nodes(db, label)}
    placed = placed_by(ds.nodes, ds.rels)
    for label, rows in ds.nodes.items():
        if label is Label.CONTACT:  # each contact's account id, where the rows tell it
            rows = [_with_key(row, placed.known.get(row["id"])) for row in rows]
        await merge_nodes(db, label, _dedupe(rows), step(label.value), into_empty=label in empty)
    for (rel, source, target), rows in ds.rels.items():
        await merge_rels(
            db,
            rel,
            source,
            target,
            rows,
            step(rel.value),
            into_empty=source in empty and target in empty,
        )
    # The rest from the graph: contacts placed in units from before the load, and the
    # contacts of units it attached to an account (none when there were no units before).
    units = [] if Label.CLIENT_UNIT in empty else placed.units
    await keep_account_ids(db.write, placed.contacts, units)
    nodes, rels = ds.count()
    return SeedStats(nodes, rels, (datetime.now(UTC) - started).total_seconds())


def _with_key(row: dict[str, Any], account_id: str | None) -> dict[str, Any]:
    if account_id is None:
        return row
    return {**row, "props": {**row["props"], "accountId": account_id}}


async def _has_nodes(db: Database, label: Label) -> bool:
    rows = await db.read("MATCH (n:" + Label(label).value + ") RETURN count(n) AS n", {})
    return bool(rows and rows[0]["n"])


def _dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen[row["id"]] = row
    return list(seen.values())
