"""Bearer-token authentication, once per request: `Authorization: Bearer <token>` becomes the
request's `Principal` (anonymous without the header); a bad token is a 401 before GraphQL runs."""

from __future__ import annotations

import logging

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from auth.principal import ANONYMOUS, Principal
from auth.service import principal_for_token
from graph.errors import GraphError
from kam.runtime import Runtime

# The app's log: one logger for what the app does, whichever module does it.
log = logging.getLogger("kam.app")


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
