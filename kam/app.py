"""The ASGI app: `create_app` assembles the schema with its limits, the middleware, the routes
(`/graphql`, `/healthz`, `/readyz`, the web app) and the lifespan that opens and closes the
runtime (kam/runtime.py); the endpoint is kam/endpoint.py, authentication kam/bearer.py."""

from __future__ import annotations

import asyncio
import gc
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from graphql import ASTValidationRule
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.extensions import AddValidationRules, MaxTokensLimiter

from auth.policy import Policy, load_policy
from auth.service import PrincipalCache
from auth.throttle import LoginThrottle
from graph.audit_spool import AuditSpool
from graph.embedded import Connection, EmbeddedServer
from graph.migrations import migrate
from kam.bearer import BearerTokenBackend, auth_error
from kam.cost import HEAVY_FIELDS, CostLimit
from kam.endpoint import KamGraphQL, RoundTripReport
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
from kam.runtime import (
    Runtime,
    audit_journal_dir,
    auth_settings,
    open_database,
    schema_to_disk,
    supervise,
)
from kam.settings import Settings
from kam.shape import ShapeLimit, ShapeLimits
from kam.web import routes as web_routes
from resolvers.adapter.execution import graphql_schema
from resolvers.edge import InputEdge
from resolvers.schema import apply_policy, build_schema, install_introspection_filter


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
            if await migrate(db) and supervised is not None:
                conn = await schema_to_disk(supervised, db)
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
