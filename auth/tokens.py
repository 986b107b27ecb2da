"""Short-lived signed access tokens (JWT, HS256) and signed, rotating refresh tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
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


def refresh_token(secret: str, session_id: str, generation: int) -> str:
    """The refresh token of a session's `generation` (0 at login, one more per refresh):
    `<session>.<generation>.<mac>`. Signed, not stored: the graph keeps only the current
    generation, so a token traded in before is known as one of ours when it comes back."""
    return f"{session_id}.{generation}.{_refresh_mac(secret, session_id, generation)}"


def read_refresh_token(secret: str, token: str) -> tuple[str, int]:
    """The session and generation of a refresh token we signed; TokenError otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("malformed refresh token")
    session_id, generation, mac = parts
    if not session_id or not (generation.isascii() and generation.isdigit()) or len(generation) > 9:
        raise TokenError("malformed refresh token")
    expected = _refresh_mac(secret, session_id, int(generation))
    if not hmac.compare_digest(expected.encode(), mac.encode("utf-8", "surrogatepass")):
        raise TokenError("refresh token not signed by us")
    return session_id, int(generation)


def _refresh_mac(secret: str, session_id: str, generation: int) -> str:
    # A key of its own, so a refresh MAC is never a valid access-token signature.
    key = hashlib.sha256(b"kam-refresh-token:" + secret.encode()).digest()
    message = f"{session_id}:{generation}".encode("utf-8", "surrogatepass")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
