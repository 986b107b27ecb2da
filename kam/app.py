"""The ASGI app: starlette routes, bearer-token authentication and the GraphQL endpoint."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import strawberry
from cross_web import HTTPException
from graphql import ASTValidationRule
from starlette.applications import Starlette
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from auth.policy import Policy, load_policy
from auth.principal import ANONYMOUS, Principal
from auth.service import AuthSettings, PrincipalCache, principal_for_token
from auth.throttle import LoginThrottle
from auth.visibility import Visibility
from graph import audit
from graph.audit_spool import AuditSpool
from graph.driver import Database, start_counting
from graph.embedded import Connection, EmbeddedServer
from graph.errors import GraphError
from graph.migrations import migrate
from kam.cost import HEAVY_FIELDS, CostLimit
from kam.limits import (
    BodyLimit,
    CallerSlots,
    RateLimit,
    SecurityHeaders,
    TimeLimit,
    TokenBucket,
    gate_heavy_fields,
    one_operation_rule,
)
from kam.settings import Settings
from kam.shape import ShapeLimit, ShapeLimits
from kam.web import routes as web_routes
from loaders import build_loaders
from resolvers.adapter.info import graphql_schema
from resolvers.context import Context
from resolvers.edge import InputEdge
from resolvers.errors import client_error
from resolvers.schema import apply_policy, build_schema, install_introspection_filter

log = logging.getLogger("kam.app")


@dataclass
class Runtime:
    """What lives for the app's lifetime: one driver, the policy, the schema."""

    settings: Settings
    db: Database
    policy: Policy
    auth: AuthSettings
    embedded: EmbeddedServer | None = None
    principals: PrincipalCache = field(default_factory=lambda: PrincipalCache(0))
    logins: TokenBucket = field(default_factory=lambda: TokenBucket(10))
    login_throttle: LoginThrottle | None = None
    connection_uri: str = ""
    audit_spool: AuditSpool | None = None

    async def close(self) -> None:
        if self.audit_spool is not None:
            await self.audit_spool.close()
        await self.db.close()
        if self.embedded is not None:
            self.embedded.stop()


def auth_settings(settings: Settings) -> AuthSettings:
    return AuthSettings(
        secret=settings.signing_secret(),
        access_minutes=settings.access_token_minutes,
        refresh_days=settings.refresh_token_days,
        max_failures=settings.login_max_failures,
        lock_minutes=settings.login_lock_minutes,
        principal_cache_seconds=settings.principal_cache_seconds,
    )


def audit_journal_dir(settings: Settings) -> Path:
    """Journals of one database: a data directory may serve apps on several databases."""
    target = f"{settings.db_uri or 'embedded'}/{settings.embedded_db_name}"
    return settings.data_dir / "audit-journal" / hashlib.sha256(target.encode()).hexdigest()[:12]


async def open_database(settings: Settings, connection: Connection | None) -> Database:
    """Connect the app's one driver to the configured database or the embedded one."""
    name: str | None
    if connection is not None:
        uri, user, password, name = (
            connection.uri,
            connection.user,
            connection.password,
            connection.database,
        )
    else:
        assert settings.db_uri is not None
        uri, user = settings.db_uri, settings.db_user
        password, name = settings.db_password.get_secret_value(), settings.db_name
    return await Database.connect(
        uri,
        user,
        password,
        name,
        pool_size=settings.db_pool_size,
        max_in_flight=settings.db_max_in_flight,
        connect_timeout=settings.db_connect_timeout,
        tx_timeout=settings.request_timeout_seconds,
    )


class PrincipalUser(BaseUser):
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return self.principal.is_authenticated

    @property
    def display_name(self) -> str:
        return self.principal.username or ""


class BearerTokenBackend(AuthenticationBackend):
    """Turns `Authorization: Bearer <token>` into a `Principal`, once per request."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if not header:
            return AuthCredentials(), PrincipalUser(ANONYMOUS)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError("use 'Authorization: Bearer <token>'")
        runtime: Runtime = conn.app.state.runtime
        try:
            principal = await principal_for_token(
                runtime.db, runtime.auth, token.strip(), runtime.principals
            )
        except GraphError as exc:
            log.warning("token check failed: %s", exc)
            raise AuthenticationError("the database is not answering; try again shortly") from exc
        if principal is None:
            raise AuthenticationError("the token is invalid, expired or ended; log in again")
        return AuthCredentials(["authenticated"]), PrincipalUser(principal)


def auth_error(_conn: HTTPConnection, exc: Exception) -> Response:
    return JSONResponse(
        {
            "data": None,
            "errors": [{"message": str(exc), "extensions": {"code": "UNAUTHENTICATED"}}],
        },
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


class RoundTripReport(SchemaExtension):
    """Adds `extensions.dbRoundTrips` to each response (diagnostics; off with KAM_EXPOSE_METRICS=0)."""

    def get_results(self) -> dict[str, Any]:
        ctx = self.execution_context.context
        return {"dbRoundTrips": ctx.round_trips.count}


class KamGraphQL(GraphQL[Context, None]):
    """The GraphQL endpoint: builds the request context and writes the audit trail."""

    def __init__(self, schema: strawberry.Schema, *, graphiql: bool) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None)

    def decode_json(self, data: str | bytes) -> object:
        """JSON bodies only; invalid UTF-8 or absurd nesting is a 400, never a 500."""
        try:
            return super().decode_json(data)
        except (UnicodeDecodeError, RecursionError):
            raise HTTPException(
                400, "the request body is not valid JSON (UTF-8, sensibly nested)"
            ) from None

    def encode_json(self, data: object) -> bytes:
        """Responses are encoded by orjson: an orgChart of 6,000 fields in a tenth of the time."""
        try:
            return orjson.dumps(data)
        except TypeError:  # an integer beyond 64 bits, which only a JSON scalar could carry
            return json.dumps(data, separators=(",", ":")).encode()

    async def get_context(self, request: Any, response: Any) -> Context:
        runtime: Runtime = request.app.state.runtime
        user = request.scope.get("user")
        principal = user.principal if isinstance(user, PrincipalUser) else ANONYMOUS
        scope = principal.scope()
        context = Context(
            request=request,
            db=runtime.db,
            policy=runtime.policy,
            auth=runtime.auth,
            principal=principal,
            visibility=Visibility(runtime.policy, principal),
            scope=scope,
            loaders=build_loaders(runtime.db, scope),
            request_id=request.scope.get("kam.request_id", secrets.token_hex(8)),
            round_trips=start_counting(),
            principals=runtime.principals,
            logins=runtime.logins,
            login_throttle=runtime.login_throttle,
            introspection=principal.is_authenticated or not runtime.settings.is_production,
            audit_spool=runtime.audit_spool,
        )
        request.state.kam_context = context
        return context

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        context: Context | None = getattr(request.state, "kam_context", None)
        if context is not None and context.audit_reads:
            p = context.principal
            events = [
                audit.AuditEvent(
                    user_id=p.user_id,
                    username=p.username,
                    action="READ",
                    section=section,
                    target_type=type_name,
                    target_id=target,
                    outcome=outcome,
                    request_id=context.request_id,
                )
                for section, type_name, target, outcome in sorted(context.audit_reads)
            ]
            try:
                if context.audit_spool is not None:
                    await context.audit_spool.submit(events)
                else:
                    await audit.append(context.db, events)
            except GraphError:
                log.exception("request %s: audit trail not written", context.request_id)
        if result.errors and any(not (e.extensions or {}).get("code") for e in result.errors):
            # A document that does not parse fails before the schema's extensions run.
            request_id = context.request_id if context is not None else "-"
            result.errors = [
                e if (e.extensions or {}).get("code") else client_error(e, request_id)
                for e in result.errors
            ]
        return await super().process_result(request, result)


def tune_gc(young: int) -> None:
    """Freeze what start-up loaded (schema, policy, modules) out of the cycle collector's scans
    and let young collections wait for `young` new objects; older generations follow at 20
    and 10 times that. Each worker process runs this once it is ready."""
    if not young:
        return
    if not gc.get_freeze_count():  # once per process: frozen objects are never collected
        gc.collect()
        gc.freeze()
    gc.set_threshold(young, 20, 10)


class RequestId:
    """ASGI middleware: a request id for each HTTP request, echoed in `X-Request-ID`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope["kam.request_id"] = request_id

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)


async def supervise(embedded: EmbeddedServer, runtime: Runtime, every: float = 0.5) -> None:
    """Start the embedded database again when it dies; the driver reconnects by itself."""
    while True:
        await asyncio.sleep(every)
        if not embedded.died():
            continue
        log.error("the embedded database died; starting it again")
        try:
            connection = await asyncio.to_thread(embedded.restart)
        except Exception:
            log.exception("the embedded database did not start again; retrying")
            continue
        if connection.uri != runtime.connection_uri:
            log.warning("the embedded database came back on %s; reconnecting", connection.uri)
            await runtime.db.reconnect(connection.uri, connection.user, connection.password)
            runtime.connection_uri = connection.uri
        log.info("the embedded database is back")


def create_app(
    settings: Settings | None = None,
    *,
    connection: Connection | None = None,
    policy: Policy | None = None,
    embedded_server: EmbeddedServer | None = None,
) -> Starlette:
    """The app. Without `connection` and with no KAM_DB_URI it starts the embedded database."""
    settings = settings or Settings()
    settings.check_for_start()
    policy = policy or load_policy(settings.policy_file)
    install_introspection_filter()
    # The rules are built once: the validation cache is keyed by the rule objects, so new
    # rule classes per request would validate every document again.
    rules: list[type[ASTValidationRule]] = [one_operation_rule()]
    shape = ShapeLimits(settings.max_query_depth, settings.max_aliases, settings.max_fields)
    limits: tuple[Any, ...] = (
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ShapeLimit(shape),
        lambda: AddValidationRules(rules),
        InputEdge,
        lambda: CostLimit(settings.max_cost),
    )
    schema = build_schema((*limits, *((RoundTripReport,) if settings.exposes_metrics else ())))
    apply_policy(schema, policy)
    gate_heavy_fields(
        graphql_schema(schema),
        HEAVY_FIELDS,
        CallerSlots(settings.heavy_per_caller, settings.heavy_waiting_per_caller),
    )
    graphql_app = KamGraphQL(schema, graphiql=not settings.is_production)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        embedded: EmbeddedServer | None = None
        conn = connection
        if conn is None and settings.embedded:
            embedded = EmbeddedServer(
                settings.data_dir, settings.embedded_db_name, settings.embedded_heap
            )
            conn = embedded.start()
        supervised = embedded or embedded_server
        try:
            db = await open_database(settings, conn)
        except BaseException:
            if embedded is not None:
                embedded.stop()
            raise
        if supervised is not None:
            db.storage_dir = supervised.data_dir
        auth = auth_settings(settings)
        runtime = Runtime(
            settings,
            db,
            policy,
            auth,
            embedded,
            PrincipalCache(auth.principal_cache_seconds),
            TokenBucket(settings.login_attempts_per_minute),
            LoginThrottle(
                settings.login_max_failures,
                settings.login_failures_per_address,
                settings.login_lock_minutes * 60,
            ),
        )
        try:
            await migrate(db)
        except BaseException:
            await runtime.close()
            raise
        runtime.connection_uri = conn.uri if conn else (settings.db_uri or "")
        if not settings.audit_reads_sync:
            runtime.audit_spool = AuditSpool(db, audit_journal_dir(settings))
            runtime.audit_spool.start()
        app.state.runtime = runtime
        tune_gc(settings.gc_young_threshold)
        watcher = asyncio.create_task(supervise(supervised, runtime)) if supervised else None
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
            await runtime.close()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        problem = runtime.db.storage_problem()
        if problem is not None:
            return JSONResponse(
                {"status": "unavailable", "database": f"storage {problem}"}, status_code=503
            )
        if await runtime.db.ping():
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "unavailable", "database": "not answering"}, status_code=503)

    middleware = [
        Middleware(RequestId),
        Middleware(SecurityHeaders, production=settings.is_production),
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        Middleware(TimeLimit, seconds=settings.request_timeout_seconds),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
        )
    middleware += [
        Middleware(AuthenticationMiddleware, backend=BearerTokenBackend(), on_error=auth_error),
        Middleware(
            RateLimit,
            per_user=settings.rate_limit_per_minute,
            per_address=settings.rate_limit_per_minute_address,
        ),
    ]
    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            *web_routes(),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
