"""Logins: check a password, open a session, refresh and end it; slow down repeated failures."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from auth.passwords import verify_password_async
from auth.principal import Principal
from auth.throttle import LoginThrottle
from auth.tokens import (
    AccessClaims,
    TokenError,
    issue_access_token,
    read_access_token,
    read_refresh_token,
    refresh_token,
)
from graph import users
from graph.driver import Database
from graph.model import Role

log = logging.getLogger("kam.auth")


@dataclass(frozen=True)
class AuthSettings:
    secret: str
    access_minutes: int
    refresh_days: int
    max_failures: int
    lock_minutes: int
    principal_cache_seconds: float = 2.0


class PrincipalCache:
    """Who is behind a live session, remembered for a few seconds per process.

    Every request needs it; asking the graph each time costs a round trip. Logout through
    this process forgets the session at once; a logout, deactivation or password change made
    elsewhere (another worker, the CLI) takes effect within `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._tokens: dict[tuple[str, str], AccessClaims] = {}

    def claims(self, secret: str, token: str) -> AccessClaims:
        """The verified claims of an access token (TokenError when it is not valid). A token
        this process has verified is not verified again (its signature check is a good part
        of a small request) until it expires; the session behind it is still checked."""
        known = self._tokens.get((secret, token))
        if known is not None and known.expires_at.timestamp() > time.time():
            return known
        claims = read_access_token(secret, token)
        if self.seconds > 0:
            if len(self._tokens) >= 10_000:
                now = time.time()
                self._tokens = {
                    k: v for k, v in self._tokens.items() if v.expires_at.timestamp() > now
                }
                if len(self._tokens) >= 10_000:
                    self._tokens.clear()
            self._tokens[(secret, token)] = claims
        return claims

    def get(self, session_id: str) -> Principal | None:
        entry = self._entries.get(session_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, session_id: str, principal: Principal) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) > 10_000:
            now = time.monotonic()
            self._entries = {k: v for k, v in self._entries.items() if v[0] >= now}
        self._entries[session_id] = (time.monotonic() + self.seconds, principal)

    def forget(self, session_id: str) -> None:
        self._entries.pop(session_id, None)

    def forget_user(self, user_id: str) -> None:
        """Forget every session of one login (deactivated, or its password reset)."""
        self._entries = {k: v for k, v in self._entries.items() if v[1].user_id != user_id}

    def forget_member(self, member_id: str) -> None:
        """Forget every session of the logins of a team member (one archived: gone)."""
        self._entries = {k: v for k, v in self._entries.items() if v[1].member_id != member_id}


@dataclass(frozen=True)
class Tokens:
    token: str
    refresh_token: str
    expires_at: datetime


class LoginRefused(Exception):
    """Wrong username or password, an inactive user: all look the same to the caller."""


class LoginThrottled(Exception):
    """Too many failed logins of this username from this address, or from this address."""

    def __init__(self, seconds: float, per: str) -> None:
        super().__init__(f"throttled per {per} for {seconds:.1f} s")
        self.seconds = seconds
        self.per = per


async def login(
    db: Database,
    cfg: AuthSettings,
    username: str,
    password: str,
    address: str = "-",
    throttle: LoginThrottle | None = None,
) -> Tokens:
    """Check the password and open a session; every refusal is the same `LoginRefused`,
    unless `throttle` holds this (username, address) or address back (`LoginThrottled`)."""
    if throttle is not None:
        wait, per = throttle.begin(username, address)
        if wait:
            log.warning("login throttled: per %s, %.1f s to wait", per, wait)
            raise LoginThrottled(wait, per)
    now = datetime.now(UTC)
    user = await users.user_by_username(db, username)
    # Verify even for an unknown user, so the time taken tells nothing; no failure is
    # written anywhere, so the round trips tell nothing either.
    ok = await verify_password_async(user.password_hash if user else None, password)
    if user is None:
        log.warning("login refused: unknown user")
        raise LoginRefused
    if not ok or not user.active:
        log.warning("login refused: user %s, %s", user.id, "inactive" if ok else "wrong password")
        raise LoginRefused
    session_id = secrets.token_urlsafe(16)
    await users.open_session(db, user.id, session_id, now, now + timedelta(days=cfg.refresh_days))
    if throttle is not None:
        throttle.succeeded(username, address)
    token, expires = issue_access_token(cfg.secret, user.id, session_id, cfg.access_minutes, now)
    log.info("login: user %s, session %s", user.id, session_id)
    return Tokens(
        token=token,
        refresh_token=refresh_token(cfg.secret, session_id, 0),
        expires_at=expires,
    )


async def refresh(
    db: Database, cfg: AuthSettings, token: str, cache: PrincipalCache | None = None
) -> Tokens:
    """Trade a current refresh token for a new access token and a new refresh token.

    A refresh token already traded in, presented again, means two parties hold the session
    (OAuth 2.0 Security BCP): the whole session ends, tokens issued from it included."""
    now = datetime.now(UTC)
    try:
        session_id, generation = read_refresh_token(cfg.secret, token)
    except TokenError:
        raise LoginRefused from None
    found = await users.session_principal(db, session_id, now)
    if found is None:
        raise LoginRefused
    principal, current = found
    if generation == current and await users.rotate_refresh(
        db, session_id, generation, now + timedelta(days=cfg.refresh_days)
    ):
        token, expires = issue_access_token(
            cfg.secret, principal.user_id, session_id, cfg.access_minutes, now
        )
        return Tokens(
            token=token,
            refresh_token=refresh_token(cfg.secret, session_id, generation + 1),
            expires_at=expires,
        )
    # Signed by us for this session, but not its current one: a replay.
    log.warning("refresh token of session %s used again: the session is ended", session_id)
    await logout(db, session_id, cache)
    raise LoginRefused


async def logout(db: Database, session_id: str, cache: PrincipalCache | None = None) -> None:
    if cache is not None:
        cache.forget(session_id)
    await users.revoke_session(db, session_id, datetime.now(UTC))


async def principal_for_token(
    db: Database, cfg: AuthSettings, token: str, cache: PrincipalCache | None = None
) -> Principal | None:
    """The principal behind a bearer token, or None when it is invalid, expired or ended."""
    try:
        claims = cache.claims(cfg.secret, token) if cache else read_access_token(cfg.secret, token)
    except TokenError:
        return None
    if cache is not None:
        cached = cache.get(claims.session_id)
        if cached is not None and cached.user_id == claims.user_id:
            return cached
    found = await users.session_principal(db, claims.session_id, datetime.now(UTC))
    if found is None:
        return None
    user, _ = found
    if user.user_id != claims.user_id:
        return None
    principal = Principal(
        user_id=user.user_id,
        username=user.username,
        roles=frozenset(Role(r) for r in user.roles if r in Role.__members__),
        member_id=user.member_id,
        segments=frozenset(user.segments),
        session_id=claims.session_id,
    )
    if cache is not None:
        cache.put(claims.session_id, principal)
    return principal
