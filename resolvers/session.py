"""Logging in and out: `login`, `refresh`, `logout` and `me`."""

from __future__ import annotations

import math
from datetime import datetime

import strawberry

from auth import service
from resolvers.context import Info
from resolvers.errors import RateLimited, Unauthenticated
from resolvers.sections import PUBLIC, meta, tag

REFUSED = "wrong username or password"


@strawberry.type(description="A new access token (short-lived) and its refresh token.")
class LoginPayload:
    token: str = tag(PUBLIC)
    refresh_token: str = tag(PUBLIC)
    expires_at: datetime = tag(PUBLIC)


@strawberry.type(description="The caller.")
class Me:
    user_id: strawberry.ID = tag(PUBLIC)
    username: str = tag(PUBLIC)
    roles: list[str] = tag(PUBLIC)
    team_member_id: strawberry.ID | None = tag(PUBLIC)
    writable_sections: list[str] = tag(
        PUBLIC,
        description=(
            "Sections your roles may change (a condition such as your own segment still "
            "applies per account), so a client offers only the edits you may make."
        ),
    )


def _payload(tokens: service.Tokens) -> LoginPayload:
    return LoginPayload(
        token=tokens.token, refresh_token=tokens.refresh_token, expires_at=tokens.expires_at
    )


@strawberry.type
class SessionQueries:
    @strawberry.field(
        metadata=meta(PUBLIC),
        description="The logged-in caller; UNAUTHENTICATED without a valid token.",
    )
    def me(self, info: Info) -> Me:
        p = info.context.principal
        if p.user_id is None or p.username is None:
            raise Unauthenticated("log in first: send 'Authorization: Bearer <token>'")
        return Me(
            user_id=strawberry.ID(p.user_id),
            username=p.username,
            roles=sorted(p.roles),
            team_member_id=strawberry.ID(p.member_id) if p.member_id else None,
            writable_sections=info.context.visibility.writable_sections(),
        )


@strawberry.type
class SessionMutations:
    @strawberry.field(
        metadata=meta(PUBLIC),
        description="Log in; the same error for an unknown user and a wrong password. Repeated "
        "failures of a username from one address (or from one address) are slowed down: "
        "RATE_LIMITED with retryAfter.",
    )
    async def login(self, info: Info, username: str, password: str) -> LoginPayload:
        limiter = info.context.logins
        client = info.context.request.client
        address = client.host if client else "-"
        if limiter is not None:
            wait = limiter.take(address)
            if wait:
                raise RateLimited(
                    "too many login attempts from your address; wait and try again",
                    retryAfter=math.ceil(wait),
                )
        try:
            tokens = await service.login(
                info.context.db,
                info.context.auth,
                username,
                password,
                address,
                info.context.login_throttle,
            )
        except service.LoginRefused:
            raise Unauthenticated(REFUSED) from None
        except service.LoginThrottled as held:
            # The same for a username that exists and one that does not.
            who = "this username from your address" if held.per == "user" else "your address"
            raise RateLimited(
                f"too many failed logins of {who}; wait {math.ceil(held.seconds)} s and try again",
                retryAfter=math.ceil(held.seconds),
            ) from None
        return _payload(tokens)

    @strawberry.field(
        metadata=meta(PUBLIC),
        description="Trade a refresh token for a new token pair (the old one ends; used again, it "
        "ends the session).",
    )
    async def refresh(self, info: Info, refresh_token: str) -> LoginPayload:
        try:
            tokens = await service.refresh(
                info.context.db, info.context.auth, refresh_token, info.context.principals
            )
        except service.LoginRefused:
            raise Unauthenticated("the refresh token is not valid; log in again") from None
        return _payload(tokens)

    @tag(
        PUBLIC, description="End the caller's session: its access and refresh tokens stop working."
    )
    async def logout(self, info: Info) -> bool:
        session_id = info.context.principal.session_id
        if session_id is None:
            raise Unauthenticated("log in first")
        await service.logout(info.context.db, session_id, info.context.principals)
        return True
