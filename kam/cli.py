"""The `kam` command line: serve, demo, database, migrations, schema and seed; the other
commands live in their own modules (transfer_cli, crm_cli, users_cli, capture_cli)."""

from __future__ import annotations

import errno
import json
import secrets
import socket
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from graph.driver import Database
from graph.embedded import Connection, EmbeddedServer, read_state, stop_detached
from graph.errors import ConfigError, GraphError
from kam import crm_cli, transfer_cli
from kam.capture_cli import capture_app
from kam.cli_common import database, err, fail, load_settings, out, run_db, servers
from kam.logs import configure_logging
from kam.settings import Settings
from kam.users_cli import user_app

app = typer.Typer(help="KAM Graph: key account management knowledge base.", no_args_is_help=True)
db_app = typer.Typer(help="The embedded database server.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema (SDL).", no_args_is_help=True)
seed_app = typer.Typer(help="Load datasets.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(schema_app, name="schema")
app.add_typer(seed_app, name="seed")

SCHEMA_FILE = Path("schema.graphql")


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
            settings, connection=connection, embedded_server=servers[-1] if servers else None
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
        connection = _migrated(settings, connection)
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
        connection = _migrated(settings, connection)
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


def _migrated(settings: Settings, connection: Connection | None) -> Connection | None:
    """Apply pending migrations; when they changed the embedded database's schema, restart it
    cleanly so the change is on disk before anything else is written (kam/runtime.py,
    `schema_to_disk`, says why)."""
    if run_db(settings, connection, _migrate) and servers:
        try:
            return servers[-1].restart_cleanly()
        except ConfigError as exc:
            raise fail(str(exc)) from None
    return connection


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
            help=(
                "S (the demo), "
                "M (~200 accounts, 20k contacts) or L (~2,000 accounts, 200k contacts)."
            )
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


def main() -> None:
    try:
        app()
    except GraphError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)


# Commands that live in modules of their own.
app.command("export")(transfer_cli.export_command)
app.command("import")(transfer_cli.import_command)
app.add_typer(crm_cli.linkedin_app, name="linkedin")
app.add_typer(crm_cli.sync_app, name="sync")
app.add_typer(user_app, name="user")
app.add_typer(capture_app, name="capture")
