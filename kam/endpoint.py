"""The GraphQL endpoint: JSON in and out (orjson), the request's `Context`, the read-audit
entries handed to the audit trail, errors without a code masked; and the round-trip report."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

import orjson
import strawberry
from cross_web import HTTPException
from strawberry.asgi import GraphQL
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from auth.principal import ANONYMOUS
from auth.visibility import Visibility
from graph import audit
from graph.driver import start_counting
from graph.errors import GraphError
from kam.bearer import PrincipalUser
from kam.runtime import Runtime
from loaders import build_loaders
from resolvers.context import Context
from resolvers.errors import client_error

# The app's log: one logger for what the app does, whichever module does it.
log = logging.getLogger("kam.app")


class RoundTripReport(SchemaExtension):
    """Adds `extensions.dbRoundTrips` to each response (diagnostics; off with
    KAM_EXPOSE_METRICS=0)."""

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
