"""Argon2id password hashing (OWASP minimum: m=19456 KiB, t=2, p=1)."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash("an unknown user never matches this")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; an unknown user (no hash) costs the same time and fails."""
    try:
        ok = _HASHER.verify(password_hash or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    """`verify_password` off the event loop: argon2 takes tens of milliseconds of CPU."""
    return await asyncio.to_thread(verify_password, password_hash, password)


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)
