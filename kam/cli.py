"""The `kam` command line: serve, demo, database, migrations, schema, seed and users."""

from __future__ import annotations

import asyncio
import errno
import json
import re
import secrets
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from graph.driver import Database
from graph.embedded import Connection, EmbeddedServer, read_state, stop_detached
from graph.errors import AuthFailed, ConfigError, DatabaseUnavailable, GraphError, NotFound
from kam.logs import configure_logging
from kam.settings import Settings

app = typer.Typer(help="KAM Graph: key account management knowledge base.", no_args_is_help=True)
db_app = typer.Typer(help="The embedded database server.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema (SDL).", no_args_is_help=True)
seed_app = typer.Typer(help="Load datasets.", no_args_is_help=True)
user_app = typer.Typer(help="Login users (administrators).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(schema_app, name="schema")
app.add_typer(seed_app, name="seed")
app.add_typer(user_app, name="user")

err = Console(stderr=True)
out = Console()
T = TypeVar("T")

SCHEMA_FILE = Path("schema.graphql")


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def load_settings() -> Settings:
    try:
        settings = Settings()
        settings.check_for_start()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "KAM_" + str(first["loc"][0]).upper() if first["loc"] else "a KAM_ setting"
        raise fail(f"{name}: {first['msg']}") from None
    except ConfigError as exc:
        raise fail(str(exc)) from None
    return settings


@contextmanager
def database(settings: Settings) -> Iterator[Connection | None]:
    """The embedded server when no URI is configured (started here, stopped after) or None."""
    if not settings.embedded:
        yield None
        return
    server = EmbeddedServer(settings.data_dir, settings.embedded_db_name, settings.embedded_heap)
    _servers.append(server)
    try:
        connection = server.start()
    except ConfigError as exc:
        raise fail(str(exc)) from None
    try:
        yield connection
    finally:
        _servers.remove(server)
        server.stop()


# The embedded server this process started, handed to the app so it can restart a dead one.
_servers: list[EmbeddedServer] = []


def run_db(
    settings: Settings, connection: Connection | None, work: Callable[[Database], Awaitable[T]]
) -> T:
    """Open a driver, run `work`, close; database problems become one clear message."""
    from kam.app import open_database

    async def main() -> T:
        db = await open_database(settings, connection)
        try:
            return await work(db)
        finally:
            await db.close()

    try:
        return asyncio.run(main())
    except AuthFailed:
        raise fail(
            "the database refused the user or password: check KAM_DB_USER and KAM_DB_PASSWORD"
        ) from None
    except DatabaseUnavailable as exc:
        where = settings.db_uri or "the embedded database"
        raise fail(
            f"cannot reach {where} ({exc}): check KAM_DB_URI and that the server runs"
        ) from None
    except ConfigError as exc:
        raise fail(str(exc)) from None


def check_port_free(host: str, port: int) -> None:
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # Bound the way the server binds it (SO_REUSEADDR on POSIX): connections of a run that
        # just stopped, left in TIME_WAIT, are no listener and must not make the port look busy.
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise fail(f"port {port} on {host} is busy: set KAM_PORT or pass --port") from None
            raise fail(
                f"cannot listen on {host}:{port} ({exc.strerror}): set KAM_HOST / KAM_PORT"
            ) from None


def serve_app(
    settings: Settings, connection: Connection | None, banner: list[str], workers: int = 1
) -> None:
    import os

    import uvicorn

    from kam.app import create_app

    try:
        asgi = create_app(
            settings, connection=connection, embedded_server=_servers[-1] if _servers else None
        )
    except ConfigError as exc:
        raise fail(str(exc)) from None
    base = f"http://{settings.host}:{settings.port}"
    out.print(f"Web app: {base}/", highlight=False, soft_wrap=True)
    out.print(f"GraphQL endpoint: {base}/graphql", highlight=False, soft_wrap=True)
    for line in banner:
        out.print(line, highlight=False, soft_wrap=True)
    sys.stdout.flush()
    # X-Forwarded-* count only from the proxies named in KAM_TRUSTED_PROXIES.
    proxies: dict[str, Any] = {
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or "",
    }
    if workers == 1:
        config = uvicorn.Config(
            asgi,
            host=settings.host,
            port=settings.port,
            log_level="info",
            lifespan="on",
            log_config=None,
            **proxies,
        )
        uvicorn.Server(config).run()
        return
    # Several stateless worker processes share one database: each builds its app from the
    # environment, pointed at the database this process started (or the configured one).
    if connection is not None:
        os.environ.update(
            KAM_DB_URI=connection.uri,
            KAM_DB_USER=connection.user,
            KAM_DB_PASSWORD=connection.password,
            KAM_DB_NAME=connection.database,
        )
    os.environ["KAM_TOKEN_SECRET"] = settings.signing_secret()
    uvicorn.run(
        "kam.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="info",
        lifespan="on",
        log_config=None,
        **proxies,
    )


HostOpt = Annotated[str | None, typer.Option(help="Interface to listen on (KAM_HOST).")]
PortOpt = Annotated[int | None, typer.Option(help="Port to listen on (KAM_PORT).")]


def _with_overrides(settings: Settings, host: str | None, port: int | None) -> Settings:
    updates: dict[str, Any] = {}
    if host is not None:
        updates["host"] = host
    if port is not None:
        updates["port"] = port
    return settings.model_copy(update=updates) if updates else settings


WorkersOpt = Annotated[
    int, typer.Option(min=1, max=64, help="Worker processes (stateless; they share the database).")
]


@app.command()
def serve(host: HostOpt = None, port: PortOpt = None, workers: WorkersOpt = 1) -> None:
    """Serve the API on the configured database (KAM_DB_URI) or the embedded default."""
    settings = _with_overrides(load_settings(), host, port)
    configure_logging(json_lines=settings.is_production)
    check_port_free(settings.host, settings.port)
    with database(settings) as connection:
        run_db(settings, connection, _migrate)
        serve_app(settings, connection, [], workers)


@app.command()
def demo(host: HostOpt = None, port: PortOpt = None) -> None:
    """Start the embedded database, load the demo data and serve until Ctrl-C."""
    settings = _with_overrides(load_settings(), host, port)
    configure_logging(json_lines=settings.is_production)
    if settings.is_production:
        raise fail("demo users are refused in production: unset KAM_ENV to run the demo")
    check_port_free(settings.host, settings.port)
    password = _demo_password(settings)
    with database(settings) as connection:
        started = time.monotonic()
        summary = run_db(settings, connection, lambda db: _seed_demo(db, password))
        out.print(
            f"demo data ready in {time.monotonic() - started:.1f} s: {summary}", highlight=False
        )
        from graph.model import Role

        banner = [
            "Demo logins (username / password): "
            + ", ".join(r.value.lower() for r in Role)
            + f" / {password}",
        ]
        serve_app(settings, connection, banner)


def _demo_password(settings: Settings) -> str:
    if settings.demo_password is not None:
        return settings.demo_password.get_secret_value()
    return secrets.token_urlsafe(9)


async def _migrate(db: Database) -> list[int]:
    from graph.migrations import migrate as apply

    return await apply(db)


async def _seed_demo(db: Database, password: str) -> str:
    from graph.seed import seed_demo
    from integrations.demo import connect_demo

    await _migrate(db)
    stats = await seed_demo(db, password)
    connected = await connect_demo(db)
    return f"{stats.summary()}\n{connected.summary()}"


@app.command()
def migrate(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Apply the numbered schema migrations that have not run yet."""
    settings = load_settings()
    with database(settings) as connection:
        ran = run_db(settings, connection, _migrate)
    if as_json:
        print(json.dumps({"applied": ran}))
    else:
        out.print(f"applied migrations: {ran or 'none (up to date)'}")


@schema_app.command("export")
def schema_export(
    output: Annotated[Path, typer.Option(help="Where to write the SDL.")] = SCHEMA_FILE,
    check: Annotated[
        bool, typer.Option(help="Only check that the file is current (exit 1 if not).")
    ] = False,
) -> None:
    """Write the GraphQL SDL (schema.graphql) from the code."""
    from resolvers.schema import export_sdl

    sdl = export_sdl()
    if check:
        current = output.read_text() if output.exists() else ""
        if current != sdl:
            raise fail(f"{output} is out of date: run 'kam schema export'")
        out.print(f"{output} is current")
        return
    output.write_text(sdl)
    out.print(f"wrote {output}")


@seed_app.command("demo")
def seed_demo_command(
    password: Annotated[
        str | None,
        typer.Option(help="Password of the demo users (else KAM_DEMO_PASSWORD or random)."),
    ] = None,
    size: Annotated[
        str,
        typer.Option(
            help="S (the demo), M (~200 accounts, 20k contacts) or L (~2,000 accounts, 200k contacts)."
        ),
    ] = "S",
) -> None:
    """Load the deterministic demo (or benchmark) dataset, in batches, with progress; idempotent."""
    from rich.progress import Progress

    from graph.seed import SIZES, build

    if size not in SIZES:
        raise fail(f"--size must be one of {', '.join(SIZES)}", code=2)
    settings = load_settings()
    if settings.is_production:
        raise fail("demo users are refused in production")
    pw = password or _demo_password(settings)
    total = sum(build(size).count())

    async def work(db: Database) -> str:
        from graph.seed import seed_demo

        await _migrate(db)
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task(f"loading size {size}", total=total)
            stats = await seed_demo(db, pw, size, lambda _name, n: bar.advance(task, n))
        if size != "S":
            return stats.summary()
        from integrations.demo import connect_demo

        connected = await connect_demo(db)
        return f"{stats.summary()}; {connected.summary()}"

    with database(settings) as connection:
        summary = run_db(settings, connection, work)
    out.print(f"demo data: {summary}; demo users' password: {pw}", highlight=False)


@db_app.command("start")
def db_start(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Start the embedded database in the background (the app then reuses it)."""
    settings = load_settings()
    if not settings.embedded:
        raise fail("KAM_DB_URI is set: the embedded database is not used")
    server = EmbeddedServer(settings.data_dir, settings.embedded_db_name, settings.embedded_heap)
    try:
        connection = server.start(detached=True)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    info = {
        "uri": connection.uri,
        "pid": connection.pid,
        "dataDir": str(server.data_dir),
        "seconds": connection.started_seconds,
    }
    print(json.dumps(info)) if as_json else out.print(
        f"embedded database running: {info}", highlight=False
    )


@db_app.command("stop")
def db_stop() -> None:
    """Stop the background embedded database."""
    settings = load_settings()
    if not stop_detached(settings.data_dir):
        raise fail(f"no background database runs on {settings.data_dir}", code=3)
    out.print("stopped")


@db_app.command("status")
def db_status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Say whether the database answers (exit 0) or not (exit 3)."""
    settings = load_settings()
    state = read_state(settings.data_dir.expanduser().resolve()) if settings.embedded else None
    status: dict[str, Any] = {"embedded": settings.embedded, "dataDir": str(settings.data_dir)}
    if settings.embedded:
        status["running"] = state is not None
        if state:
            status.update(
                {
                    "pid": state["pid"],
                    "uri": f"bolt://127.0.0.1:{state['bolt_port']}",
                    "detached": state["detached"],
                }
            )
    else:
        status["uri"] = settings.db_uri

    async def ping(db: Database) -> bool:
        return await db.ping()

    answers = False
    if not settings.embedded or (state and state.get("detached")):
        conn = (
            EmbeddedServer(settings.data_dir, settings.embedded_db_name).connection_from_state()
            if settings.embedded
            else None
        )
        try:
            answers = run_db(settings, conn, ping)
        except typer.Exit:
            answers = False
    status["answers"] = answers
    if as_json:
        print(json.dumps(status))
    else:
        out.print(status, highlight=False)
    if not answers and not status.get("running"):
        raise typer.Exit(3)


@app.command("export")
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


@app.command("import")
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


linkedin_app = typer.Typer(help="LinkedIn networks of team members.", no_args_is_help=True)
app.add_typer(linkedin_app, name="linkedin")


@linkedin_app.command("import")
def linkedin_import(
    path: Annotated[
        Path, typer.Argument(help="Connections.csv from the member's LinkedIn data download.")
    ],
    member: Annotated[str, typer.Option(help="The team member whose network it is.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Match only; write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Match a member's LinkedIn connections to contacts and record who knows whom."""
    from graph.linkedin import ConnectionsCsv, import_connections
    from graph.writes import Actor

    if not path.is_file():
        raise fail(f"{path} is not a file", code=2)
    settings = load_settings()
    source = ConnectionsCsv(path.read_text(encoding="utf-8-sig"))
    actor = Actor(user_id=None, username="cli", request_id="cli")
    with database(settings) as connection:
        try:
            report = run_db(
                settings,
                connection,
                lambda db: import_connections(db, actor, member, source, dry_run=dry_run),
            )
        except NotFound:
            raise fail(f"no team member {member}", code=3) from None
        except ValueError as exc:
            raise fail(f"{path}: {exc}", code=2) from None

    def row(m: Any) -> dict[str, Any]:
        return {
            "connection": m.connection.name,
            "contactId": m.contact_id,
            "contact": m.contact_name,
            "account": m.account_name,
            "by": m.by,
            "confidence": m.confidence,
        }

    summary = {
        "linked": [row(m) for m in report.linked],
        "review": [row(m) for m in report.review],
        "unmatched": [c.name for c in report.unmatched],
        "dryRun": dry_run,
    }
    if as_json:
        print(json.dumps(summary))
        return
    out.print(
        f"{'would link' if dry_run else 'linked'} {len(report.linked)}, to review {len(report.review)}, "
        f"unmatched {len(report.unmatched)}",
        highlight=False,
    )
    for m in report.review:
        out.print(
            f"  review: {m.connection.name} ({m.connection.company}) ~ {m.contact_name} at {m.account_name}",
            highlight=False,
        )


sync_app = typer.Typer(help="Sync with the CRM.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")


def _interval(text: str | None) -> float | None:
    if text is None:
        return None
    found = re.fullmatch(r"(\d+)([smh])", text.strip())
    if not found or int(found[1]) == 0:
        raise fail(f"--every must look like 30s, 15m or 2h, got {text!r}", code=2)
    return int(found[1]) * {"s": 1, "m": 60, "h": 3600}[found[2]]


@sync_app.command("salesforce")
def sync_salesforce(
    every: Annotated[
        str | None,
        typer.Option(help="Keep running: sync again after this pause (30s, 15m, 2h)."),
    ] = None,
    push_actions: Annotated[
        bool, typer.Option("--push-actions", help="Also push open plan actions as Tasks.")
    ] = False,
    status: Annotated[
        bool, typer.Option("--status", help="Show watermarks, recent issues and conflicts.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Pull accounts, contacts, opportunities and contact roles from Salesforce (incremental).

    Connection settings come from KAM_SALESFORCE_* (see the README). Exit 0 when the run
    finished, 1 when it failed (what was written before the failing page stays, and the next
    run resumes there), 2 for a usage or configuration mistake."""
    from graph import crm
    from integrations.salesforce import SalesforceClient, SalesforceError, SalesforceSettings

    pause = _interval(every)
    settings = load_settings()
    if status:
        with database(settings) as connection:

            async def show(db: Database) -> dict[str, Any]:
                return {
                    "watermarks": await crm.watermarks(db),
                    "issues": [r["issue"] for r in await db.read(crm.ISSUES, {"limit": 20})],
                    "conflicts": [
                        r["conflict"] for r in await db.read(crm.CONFLICTS, {"limit": 20})
                    ],
                }

            shown = run_db(settings, connection, show)
        print(json.dumps(shown, default=str, indent=None if as_json else 2))
        return
    try:
        sf = SalesforceSettings()
    except ValidationError as exc:
        raise fail(str(exc.errors()[0]["msg"]).removeprefix("Value error, "), code=2) from None

    async def once(db: Database) -> crm.SyncReport:
        from rich.progress import Progress

        async with SalesforceClient(sf) as client:
            with Progress(console=err, transient=True, disable=as_json) as bar:
                task = bar.add_task("syncing", total=None)
                syncer = crm.Syncer(
                    db,
                    client,
                    progress=lambda obj, n: bar.update(
                        task, advance=n, description=f"syncing {obj}"
                    ),
                )
                report = await syncer.run()
            if push_actions:
                await crm.push_actions(db, client, report)
            return report

    def show_report(report: crm.SyncReport) -> None:
        if as_json:
            print(json.dumps(report.as_json(), default=str))
            return
        for obj, n in report.pulled.items():
            out.print(
                f"{obj}: {n:,} pulled, {report.written.get(obj, 0):,} written", highlight=False
            )
        for c in report.conflicts:
            out.print(
                f"  conflict: {c['nodeId']} {c['field']}: kept {c['kept']!r}, Salesforce has {c['theirs']!r}",
                highlight=False,
            )
        for i in report.issues:
            out.print(f"  skipped {i['object']} {i['recordId']}: {i['reason']}", highlight=False)
        if push_actions:
            out.print(f"pushed {report.pushed} actions as Tasks", highlight=False)

    with database(settings) as connection:
        while True:
            try:
                show_report(run_db(settings, connection, once))
            except SalesforceError as exc:
                if pause is None:
                    raise fail(
                        f"sync failed: {exc}; the next run resumes where this one stopped"
                    ) from None
                err.print(f"sync failed: {exc}; trying again in {every}", highlight=False)
            if pause is None:
                return
            try:
                time.sleep(pause)
            except KeyboardInterrupt:
                return


@linkedin_app.command("profile-change")
def linkedin_profile_change(
    contact: Annotated[
        str | None, typer.Option(help="The contact's id (or give --profile).")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="The contact's LinkedIn profile URL (or give --contact).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="The new title.")] = None,
    company: Annotated[str | None, typer.Option(help="The new company.")] = None,
    url: Annotated[str | None, typer.Option(help="The new profile URL.")] = None,
    at: Annotated[
        str | None, typer.Option(help="When it changed, YYYY-MM-DD (default: today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Record a contact's new title, company or profile URL and say what it means."""
    from datetime import date as date_type

    from graph.profiles import ProfileChange, record_change
    from graph.scope import Scope
    from graph.writes import Actor, Rejected

    if (contact is None) == (profile is None):
        raise fail("give exactly one of --contact and --profile", code=2)
    try:
        when = date_type.fromisoformat(at) if at else None
    except ValueError:
        raise fail(f"--at must be a date like 2026-11-24, got {at!r}", code=2) from None
    settings = load_settings()
    change = ProfileChange(
        contact_id=contact,
        linkedin_url=profile,
        title=title,
        company=company,
        url=url,
        at=when,
        source="cli",
    )
    scope = Scope(all_accounts=True, member_id=None, today=datetime.now(UTC).date())
    actor = Actor(user_id=None, username="cli", request_id="cli")
    with database(settings) as connection:
        try:
            outcome = run_db(
                settings, connection, lambda db: record_change(db, actor, scope, change)
            )
        except Rejected as exc:
            raise fail(f"--{exc.field or 'title'}: {exc}", code=2) from None
        except NotFound as exc:
            raise fail(f"no {exc}", code=3) from None
    result = {
        "contactId": outcome.contact_id,
        "contact": outcome.contact_name,
        "changes": outcome.changes,
        "leftAccountId": outcome.left_account_id,
        "keyPersonLeft": outcome.key_person_left,
        "joinedAccountId": outcome.joined_account_id,
        "knownBy": outcome.known_by,
    }
    if as_json:
        print(json.dumps(result))
        return
    if not outcome.changes:
        out.print(f"{outcome.contact_name}: nothing new", highlight=False)
        return
    for c in outcome.changes:
        out.print(
            f"{outcome.contact_name}: {c['field']} {c['from']!r} -> {c['to']!r}", highlight=False
        )
    if outcome.key_person_left:
        out.print(
            f"  a key person left {outcome.left_account_id}: a new coverage gap", highlight=False
        )
    if outcome.joined_account_id:
        who = ", ".join(outcome.known_by) or "nobody of ours yet"
        out.print(
            f"  joined {outcome.joined_account_name} ({outcome.joined_account_id}); known by {who}",
            highlight=False,
        )


RolesOpt = Annotated[list[str], typer.Option("--role", help="A role (repeat for several).")]


@user_app.command("add")
def user_add(
    username: str,
    role: RolesOpt,
    member: Annotated[str | None, typer.Option(help="Team member id this login is.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
) -> None:
    """Add (or replace) a login user with roles."""
    from auth.passwords import MIN_PASSWORD_LENGTH, hash_password
    from graph.model import Role
    from graph.users import upsert_user

    bad = [r for r in role if r.upper() not in Role.__members__]
    if bad or not role:
        raise fail(
            f"unknown role {', '.join(bad) or '(none given)'}: use {', '.join(Role)}", code=2
        )
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise fail(f"the password must have at least {MIN_PASSWORD_LENGTH} characters", code=2)
    settings = load_settings()
    hashed = hash_password(password)

    async def work(db: Database) -> str:
        return await upsert_user(
            db,
            f"user-{secrets.token_hex(8)}",
            username,
            hashed,
            [r.upper() for r in role],
            member,
            datetime.now(UTC),
        )

    with database(settings) as connection:
        try:
            run_db(settings, connection, work)
        except NotFound as exc:
            raise fail(f"{exc} does not exist: pass an existing --member id") from None
    out.print(f"user {username} saved")


@user_app.command("passwd")
def user_passwd(
    username: str,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
) -> None:
    """Set a new password (ends the user's sessions)."""
    from auth.passwords import MIN_PASSWORD_LENGTH, hash_password
    from graph.users import set_password

    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise fail(f"the password must have at least {MIN_PASSWORD_LENGTH} characters", code=2)
    settings = load_settings()
    hashed = hash_password(password)
    with database(settings) as connection:
        try:
            run_db(
                settings,
                connection,
                lambda db: set_password(db, username, hashed, datetime.now(UTC)),
            )
        except NotFound:
            raise fail(f"no user {username}", code=3) from None
    out.print(f"password of {username} changed; their sessions ended")


@user_app.command("deactivate")
def user_deactivate(username: str) -> None:
    """Deactivate a user: their tokens stop working at once."""
    from graph.users import deactivate_user

    settings = load_settings()
    with database(settings) as connection:
        try:
            run_db(
                settings, connection, lambda db: deactivate_user(db, username, datetime.now(UTC))
            )
        except NotFound:
            raise fail(f"no user {username}", code=3) from None
    out.print(f"user {username} deactivated")


@user_app.command("list")
def user_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List login users."""
    from graph.users import list_users

    settings = load_settings()
    with database(settings) as connection:
        rows = run_db(settings, connection, list_users)
    if as_json:
        print(json.dumps(rows))
        return
    for row in rows:
        state = "active" if row["active"] else "inactive"
        out.print(
            f"{row['username']:<24} {','.join(row['roles'] or []):<40} {state:<9} {row['memberId'] or '-'}",
            highlight=False,
        )


def main() -> None:
    try:
        app()
    except GraphError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)


# Activity capture lives in its own module; registered last, as it uses this module's helpers.
from kam.capture_cli import capture_app  # noqa: E402

app.add_typer(capture_app, name="capture")
