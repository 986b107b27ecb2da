"""Building a dataset: into an empty database with CREATE, again with MERGE, and the graph is
the same both times: one node per id, one relationship per (type, from, to), the props of
repeated rows merged in order, every relationship the dataset holds there."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from graph.batch import one_per_pair
from graph.driver import Database
from graph.embedded import EmbeddedServer
from graph.migrations import migrate
from graph.model import Label, Rel
from graph.seed import build, load
from tests.contact_keys import all_out_of_step


def test_repeated_rows_become_one_with_their_props_merged_in_order() -> None:
    rows = [
        {"from": "a", "to": "b", "props": {"role": "LEAD", "since": 1}},
        {"from": "a", "to": "c", "props": {}},
        {"from": "a", "to": "b", "props": {"role": "DEPUTY"}},
    ]
    assert one_per_pair(rows) == [
        {"from": "a", "to": "b", "props": {"role": "DEPUTY", "since": 1}},
        {"from": "a", "to": "c", "props": {}},
    ]


def test_a_dataset_built_twice_is_the_same_graph(tmp_path: Path) -> None:
    dataset = build("S")
    nodes, rels = dataset.count()
    expected_rels: dict[str, int] = {}
    for (rel, _source, _target), rows in dataset.rels.items():
        pairs = len({(r["from"], r["to"]) for r in rows})
        expected_rels[rel.value] = expected_rels.get(rel.value, 0) + pairs
    repeated = [  # the generator draws some influence pairs twice: MERGE made them one
        rows for rows in dataset.rels.values() if len(rows) > len(one_per_pair(rows))
    ]
    assert repeated, "the dataset no longer repeats a pair: this test needs another case"
    server = EmbeddedServer(tmp_path / "db", "kam", "512m")
    connection = server.start()

    async def scenario() -> list[tuple[dict[str, int], dict[str, int]]]:
        db = await Database.connect(
            connection.uri, connection.user, connection.password, connection.database
        )
        try:
            await migrate(db)
            seen = []
            for _ in range(2):  # first into empty labels (CREATE), then over them (MERGE)
                stats = await load(db, dataset)
                assert (stats.nodes, stats.relationships) == (nodes, rels)
                assert await all_out_of_step(db) == []  # each contact's account id is set
                seen.append((await _nodes(db), await _rels(db)))
            return seen
        finally:
            await db.close()

    try:
        first, second = asyncio.run(scenario())
    finally:
        server.stop()
    assert first == second
    assert first[1] == expected_rels
    expected_nodes = {label.value: len({r["id"] for r in v}) for label, v in dataset.nodes.items()}
    assert {k: n for k, n in first[0].items() if k in expected_nodes} == expected_nodes
    assert sum(expected_nodes.values()) == nodes


async def _nodes(db: Database) -> dict[str, int]:
    found = {}
    for label in Label:
        rows = await db.read("MATCH (n:" + label.value + ") RETURN count(n) AS n", {})
        if rows[0]["n"]:
            found[label.value] = rows[0]["n"]
    return found


async def _rels(db: Database) -> dict[str, int]:
    found: dict[str, Any] = {}
    for rel in Rel:
        rows = await db.read("MATCH ()-[r:" + rel.value + "]->() RETURN count(r) AS n", {})
        if rows[0]["n"]:
            found[rel.value] = rows[0]["n"]
    return found
