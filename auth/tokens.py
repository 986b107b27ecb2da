"""Short-lived signed access tokens (JWT, HS256) and opaque, revocable refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"
ISSUER = "kam-graph"


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str
    expires_at: datetime


class TokenError(Exception):
    """The token is malformed, forged or expired."""


def issue_access_token(
    secret: str, user_id: str, session_id: str, minutes: int, now: datetime | None = None
) -> tuple[str, datetime]:
    now = now or datetime.now(UTC)
    expires = now + timedelta(minutes=minutes)
    token = jwt.encode(
        {
            "sub": user_id,
            "sid": session_id,
            "iat": now,
            "exp": expires,
            "iss": ISSUER,
            "typ": "access",
        },
        secret,
        algorithm=ALGORITHM,
    )
    return token, expires


def read_access_token(secret: str, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "sid", "exp", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise TokenError(type(exc).__name__) from exc
    if claims.get("typ") != "access":
        raise TokenError("not an access token")
    return AccessClaims(
        user_id=str(claims["sub"]),
        session_id=str(claims["sid"]),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
    )


def new_refresh_token(session_id: str) -> tuple[str, str]:
    """A refresh token `<session>.<secret>` and the hash of it that the graph keeps."""
    secret = secrets.token_urlsafe(32)
    return f"{session_id}.{secret}", hash_refresh_secret(secret)


def split_refresh_token(token: str) -> tuple[str, str]:
    session_id, _, secret = token.partition(".")
    if not session_id or not secret:
        raise TokenError("malformed refresh token")
    return session_id, hash_refresh_secret(secret)


def hash_refresh_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
