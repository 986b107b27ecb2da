"""`kam export` and `kam import`: the graph as JSON Lines (or CSV), and back."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from graph.driver import Database
from kam.cli_common import database, err, fail, load_settings, out, run_db


def export_command(
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="File to write ('-' for stdout), or a folder for --format csv."
        ),
    ] = "-",
    account: Annotated[
        str | None, typer.Option(help="Only this account and what hangs off it.")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="jsonl (the backup format) or csv (one file per label and type)."
        ),
    ] = "jsonl",
) -> None:
    """Export the graph (or one account) as JSON Lines, or as CSV files for spreadsheets."""
    import csv

    from graph.transfer import export_lines

    if fmt not in ("jsonl", "csv"):
        raise fail("--format must be jsonl or csv", code=2)
    if fmt == "csv" and output == "-":
        raise fail("--format csv needs --output FOLDER", code=2)
    settings = load_settings()

    async def collect(db: Database) -> int:
        count = 0
        if fmt == "jsonl":
            handle = sys.stdout if output == "-" else open(output, "w")  # noqa: SIM115
            try:
                async for line in export_lines(db, account):
                    handle.write(json.dumps(line, ensure_ascii=False) + "\n")
                    count += 1
            finally:
                if handle is not sys.stdout:
                    handle.close()
            return count
        tables: dict[str, list[dict[str, Any]]] = {}
        async for line in export_lines(db, account):
            name = (
                line["label"]
                if line["kind"] == "node"
                else f"{line['fromLabel']}-{line['type']}-{line['toLabel']}"
            )
            flat = {
                k: v
                for k, v in line.items()
                if k not in ("props", "kind", "label", "type", "fromLabel", "toLabel")
            }
            flat.update(
                {
                    k: (json.dumps(v) if isinstance(v, list | dict) else v)
                    for k, v in line["props"].items()
                }
            )
            tables.setdefault(name, []).append(flat)
            count += 1
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in tables.items():
            columns = sorted(
                {k for r in rows for k in r}, key=lambda c: (c not in ("id", "from", "to"), c)
            )
            with open(folder / f"{name}.csv", "w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                writer.writerows(rows)
        return count

    with database(settings) as connection:
        count = run_db(settings, connection, collect)
    err.print(f"exported {count:,} lines", highlight=False)


def import_command(
    path: Annotated[Path, typer.Argument(help="A JSON Lines file (as written by kam export).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate only; write nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import JSON Lines: validated line by line first, then applied all at once (or not at all)."""
    from rich.progress import Progress

    from graph.transfer import import_lines

    if not path.is_file():
        raise fail(f"{path} is not a file", code=2)
    settings = load_settings()
    lines = path.read_text(encoding="utf-8", errors="strict").splitlines()

    async def work(db: Database) -> Any:
        with Progress(console=err, transient=True, disable=as_json) as bar:
            task = bar.add_task("importing", total=len(lines))
            return await import_lines(
                db, lines, dry_run=dry_run, progress=lambda n: bar.advance(task, n)
            )

    with database(settings) as connection:
        report = run_db(settings, connection, work)
    summary = {
        "nodes": report.nodes,
        "relationships": report.relationships,
        "applied": report.applied,
        "dryRun": dry_run,
        "errors": [{"line": n, "message": m} for n, m in report.errors],
    }
    if as_json:
        print(json.dumps(summary))
    else:
        for number, message in report.errors:
            err.print(f"{path}:{number}: {message}", highlight=False)
        verb = (
            "would import" if dry_run else ("imported" if report.applied else "imported nothing of")
        )
        out.print(
            f"{verb} {report.nodes:,} nodes and {report.relationships:,} relationships",
            highlight=False,
        )
    if not report.ok:
        raise typer.Exit(1)
