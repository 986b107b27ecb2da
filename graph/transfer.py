"""Export and import of the graph as JSON Lines: the backup format and the way in for data.

One line per node (`{"kind": "node", "label", "id", "props"}`) or relationship
(`{"kind": "rel", "type", "from", "fromLabel", "to", "toLabel", "props"}`). Dates and
datetimes are tagged (`{"$date": ...}`, `{"$datetime": ...}`) so they come back as the same
types. An import is validated line by line before anything is written, then applied in one
transaction (all or nothing) with MERGE on ids: importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from graph.batch import merge_rels_statement
from graph.contact_keys import keep_account_ids, placed_by
from graph.convert import native
from graph.dialect import merge_from_target
from graph.driver import Database, Transaction
from graph.model import Label, Rel

# Login sessions, idempotency receipts and migration records belong to one installation.
NOT_EXPORTED = frozenset({Label.SESSION, Label.MUTATION_RECEIPT, Label.MIGRATION})
EXPORTED_LABELS = [label for label in Label if label not in NOT_EXPORTED]
PAGE = 5000
BATCH = 1000


def encode(value: Any) -> Any:
    value = native(value)
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return date.fromisoformat(value["$date"])
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


# Kept by the graph from other facts, so neither exported nor taken from an import: the import
# derives them again (graph/contact_keys.py).
DERIVED: Final = frozenset({(Label.CONTACT, "accountId")})


def _nodes_page(label: Label) -> str:
    return (
        "MATCH (n:" + label.value + ") WHERE $after IS NULL OR n.id > $after "
        "RETURN n.id AS id, properties(n) AS props ORDER BY n.id LIMIT $limit"
    )


def _rels_page(label: Label) -> str:
    return (
        "MATCH (a:" + label.value + ") WHERE $after IS NULL OR a.id > $after "
        "WITH a ORDER BY a.id LIMIT $limit "
        "MATCH (a)-[r]->(b) "
        "RETURN a.id AS from, type(r) AS type, b.id AS to, labels(b) AS toLabels, "
        "properties(r) AS props"
    )


def _account_ids() -> str:
    return """
MATCH (a:Account {id: $accountId})
CALL (a) {
  MATCH (a)-[:HAS_UNIT|HAS_PROJECT|HAS_NEED|HAS_PLAN]->(x) RETURN x
  UNION
  MATCH (a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(x:Contact) RETURN x
  UNION
  MATCH (a)-[:HAS_PLAN]->(:Plan)-[:REVIEWED_IN|HAS_REVISION]->(x) RETURN x
  UNION
  MATCH (a)-[:HAS_PLAN]->(:Plan)-[:REVIEWED_IN]->(:Review)-[:HAS_ACTION]->(x:Action) RETURN x
  UNION
  MATCH (a)-[:HAS_PROJECT]->(:Project)-[:HAS_MILESTONE]->(x) RETURN x
  UNION
  MATCH (a)<-[:ABOUT]-(x:Interaction) RETURN x
  UNION
  MATCH (a)<-[:ON_TEAM|COMPETES_AT]-(x) RETURN x
  UNION
  MATCH (a)-[:HAS_NEED]->(:Need)-[:REQUIRES]->(x:Capability) RETURN x
}
WITH a, collect(DISTINCT x.id) AS ids
RETURN ids + [a.id] AS ids
"""


async def export_lines(
    db: Database, account_id: str | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Every exported node, then every relationship between exported nodes, as dicts."""
    only: set[str] | None = None
    if account_id is not None:
        rows = await db.read(_account_ids(), {"accountId": account_id})
        if not rows:
            return
        only = set(rows[0]["ids"])
    labels_of: dict[str, str] = {}
    for label in EXPORTED_LABELS:
        after = None
        while True:
            page = await db.read(_nodes_page(label), {"after": after, "limit": PAGE})
            for row in page:
                if only is None or row["id"] in only:
                    labels_of[row["id"]] = label.value
                    props = {
                        k: encode(v)
                        for k, v in sorted(row["props"].items())
                        if k != "id" and (label, k) not in DERIVED
                    }
                    yield {"kind": "node", "label": label.value, "id": row["id"], "props": props}
            if len(page) < PAGE:
                break
            after = page[-1]["id"]
    for label in EXPORTED_LABELS:
        after = None
        while True:
            ids_page = await db.read(_nodes_page(label), {"after": after, "limit": PAGE})
            if not ids_page:
                break
            rels = await db.read(_rels_page(label), {"after": after, "limit": PAGE})
            for r in sorted(rels, key=lambda x: (x["from"], x["type"], x["to"])):
                if r["from"] in labels_of and r["to"] in labels_of:
                    yield {
                        "kind": "rel",
                        "type": r["type"],
                        "from": r["from"],
                        "fromLabel": label.value,
                        "to": r["to"],
                        "toLabel": labels_of[r["to"]],
                        "props": {k: encode(v) for k, v in sorted(r["props"].items())},
                    }
            if len(ids_page) < PAGE:
                break
            after = ids_page[-1]["id"]


Scalar = str | int | float | bool | None
# Sorted by name through an index whose keys are declared strings (graph/migrations.py).
NAMED: Final = frozenset({Label.ACCOUNT, Label.CONTACT})


class NodeLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["node"]
    label: Label
    id: str = Field(min_length=1, max_length=300)
    props: dict[str, Any]

    @field_validator("props")
    @classmethod
    def _values(cls, props: dict[str, Any]) -> dict[str, Any]:
        return _check_props(props)

    @model_validator(mode="after")
    def _named(self) -> NodeLine:
        name = self.props.get("name")
        if self.label in NAMED and (not isinstance(name, str) or not name.strip()):
            raise ValueError(f"{self.label.value} needs a name (text)")
        return self


class RelLine(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    kind: Literal["rel"]
    type: Rel
    source: str = Field(alias="from", min_length=1, max_length=300)
    source_label: Label = Field(alias="fromLabel")
    target: str = Field(alias="to", min_length=1, max_length=300)
    target_label: Label = Field(alias="toLabel")
    props: dict[str, Any] = Field(default_factory=dict)

    @field_validator("props")
    @classmethod
    def _values(cls, props: dict[str, Any]) -> dict[str, Any]:
        return _check_props(props)


def _check_props(props: dict[str, Any]) -> dict[str, Any]:
    for key, value in props.items():
        if not key or not key.replace("_", "").isalnum() or len(key) > 100:
            raise ValueError(f"property name {key!r} is not a plain name")
        if key == "id":
            raise ValueError("'id' goes beside props, not inside them")
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                if set(item) not in ({"$date"}, {"$datetime"}):
                    raise ValueError(
                        f"property {key!r} holds an object; only scalars, lists and $date/$datetime"
                    )
                try:
                    decode(item)
                except ValueError as exc:
                    raise ValueError(f"property {key!r}: {exc}") from None
            elif not isinstance(item, str | int | float | bool) and item is not None:
                raise ValueError(f"property {key!r} holds an unsupported value")
            if isinstance(item, str) and len(item) > 100_000:
                raise ValueError(f"property {key!r} is longer than 100,000 characters")
    return props


@dataclass
class ImportReport:
    nodes: int = 0
    relationships: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Parsed:
    nodes: dict[Label, list[dict[str, Any]]] = field(default_factory=dict)
    rels: dict[tuple[Rel, Label, Label], list[dict[str, Any]]] = field(default_factory=dict)
    ids: dict[str, tuple[Label, int]] = field(default_factory=dict)


def parse_lines(lines: Iterable[str], report: ImportReport, max_errors: int = 100) -> Parsed:
    """Validate every line; errors are kept with their line numbers (first `max_errors`)."""
    parsed = Parsed()
    pending_rels: list[tuple[int, RelLine]] = []
    for number, text in enumerate(lines, start=1):
        if len(report.errors) >= max_errors:
            break
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            report.errors.append((number, f"not JSON: {exc.msg} at column {exc.colno}"))
            continue
        kind = raw.get("kind") if isinstance(raw, dict) else None
        try:
            if kind == "node":
                node = NodeLine.model_validate(raw)
                if node.id in parsed.ids:
                    report.errors.append(
                        (number, f"node {node.id} also appears on line {parsed.ids[node.id][1]}")
                    )
                    continue
                parsed.ids[node.id] = (node.label, number)
                parsed.nodes.setdefault(node.label, []).append(
                    {"id": node.id, "props": {k: decode(v) for k, v in node.props.items()}}
                )
                report.nodes += 1
            elif kind == "rel":
                pending_rels.append((number, RelLine.model_validate(raw)))
            else:
                report.errors.append((number, '\'kind\' must be "node" or "rel"'))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            report.errors.append((number, f"{where}: {first['msg']}" if where else first["msg"]))
    for number, rel in pending_rels:
        parsed.rels.setdefault((rel.type, rel.source_label, rel.target_label), []).append(
            {
                "from": rel.source,
                "to": rel.target,
                "props": {k: decode(v) for k, v in rel.props.items()},
                "line": number,
            }
        )
        report.relationships += 1
    return parsed


def _existing(label: Label) -> str:
    return "UNWIND $ids AS id MATCH (n:" + label.value + " {id: id}) RETURN n.id AS id"


async def check_endpoints(db: Database, parsed: Parsed, report: ImportReport) -> None:
    """Every relationship end must be in the file or already in the graph, with that label."""
    wanted: dict[Label, set[str]] = {}
    for (_rel, src_label, dst_label), rows in parsed.rels.items():
        for row in rows:
            for node_id, label in ((row["from"], src_label), (row["to"], dst_label)):
                known = parsed.ids.get(node_id)
                if known is None:
                    wanted.setdefault(label, set()).add(node_id)
                elif known[0] is not label:
                    report.errors.append(
                        (
                            row["line"],
                            f"{node_id} is a {known[0].value} in this file, not a {label.value}",
                        )
                    )
    found: set[tuple[Label, str]] = set()
    for label, ids in wanted.items():
        for row in await db.read(_existing(label), {"ids": sorted(ids)}):
            found.add((label, row["id"]))
    for (_rel, src_label, dst_label), rows in parsed.rels.items():
        for row in rows:
            for node_id, label in ((row["from"], src_label), (row["to"], dst_label)):
                if node_id not in parsed.ids and (label, node_id) not in found:
                    report.errors.append(
                        (row["line"], f"no {label.value} {node_id} in the file or the graph")
                    )
    report.errors.sort()


def _merge_nodes(label: Label) -> str:
    return (
        "UNWIND $rows AS row MERGE (n:"
        + label.value
        + " {id: row.id}) SET n = row.props, n.id = row.id RETURN count(n) AS n"
    )


async def apply(
    db: Database, parsed: Parsed, progress: Callable[[int], None] | None = None
) -> None:
    """Write everything in one transaction: the graph gets all of it or none of it."""

    async def work(tx: Transaction) -> None:
        for label, rows in parsed.nodes.items():
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                await tx.run(_merge_nodes(label), {"rows": chunk})
                if progress:
                    progress(len(chunk))
        for (rel, source, target), rows in parsed.rels.items():
            statement = merge_rels_statement(
                rel, source, target, from_target=merge_from_target(rows), replace=True
            )
            for start in range(0, len(rows), BATCH):
                chunk = [
                    {k: v for k, v in r.items() if k != "line"} for r in rows[start : start + BATCH]
                ]
                await tx.run(statement, {"rows": chunk})
                if progress:
                    progress(len(chunk))
        placed = placed_by(parsed.nodes, parsed.rels)
        await keep_account_ids(tx.run, [*placed.known, *placed.contacts], placed.units)

    await db.write_transaction(work)


async def import_lines(
    db: Database,
    lines: Iterable[str],
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate, check every relationship's ends, then (unless a dry run) apply all at once."""
    report = ImportReport()
    parsed = parse_lines(lines, report)
    if report.ok:
        await check_endpoints(db, parsed, report)
    if report.ok and not dry_run:
        await apply(db, parsed, progress)
        report.applied = True
    return report
