"""Failed logins slow down the one who fails, not the account they aim at.

As OWASP advises against lock-outs (anyone could lock anyone out): failures are counted per
(username, address) and per address, never per account alone. Past a few free ones, each
further attempt waits twice as long as the one before, up to a longest wait. A username that
exists and one that does not are counted alike, so the throttle tells nothing about either.
Counts live in the process (a deployment of n workers allows n times the attempts).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_ENTRIES = 100_000  # past this, forgotten from the quietest up


@dataclass(slots=True)
class _Failures:
    count: int
    last: float  # monotonic time of the last failure (or attempt still running)


class LoginThrottle:
    """Per (username, address): `free_per_user` failures, then waits of 1, 2, 4 ... seconds,
    at most `longest_seconds`; per address (every username): `free_per_address`, then the
    same. Counts are forgotten after `longest_seconds` without a failure."""

    def __init__(
        self,
        free_per_user: int,
        free_per_address: int,
        longest_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_per_user = free_per_user
        self.free_per_address = free_per_address
        self.longest = longest_seconds
        self.clock = clock
        self._failures: dict[tuple[str, str], _Failures] = {}

    def begin(self, username: str, address: str) -> tuple[float, str]:
        """Seconds to wait before this attempt may be made (0: go ahead) and which count
        holds it back ("user" or "address"). An attempt that goes ahead counts as a failure
        until `succeeded` says otherwise, so attempts sent at once cannot slip past."""
        now = self.clock()
        user_key, address_key = _user_key(username, address), ("address", address)
        for key, free, which in (
            (address_key, self.free_per_address, "address"),
            (user_key, self.free_per_user, "user"),
        ):
            wait = self._wait(key, free, now)
            if wait > 0:
                return wait, which
        for key in (user_key, address_key):
            entry = self._failures.get(key)
            if entry is None or now - entry.last > self.longest:
                self._failures[key] = _Failures(1, now)
            else:
                entry.count += 1
                entry.last = now
        if len(self._failures) > MAX_ENTRIES:
            self._prune(now)
        return 0.0, ""

    def succeeded(self, username: str, address: str) -> None:
        """The attempt `begin` let through was right: that username starts afresh from this
        address, and the address gets its attempt back."""
        self._failures.pop(_user_key(username, address), None)
        entry = self._failures.get(("address", address))
        if entry is not None:
            entry.count = max(0, entry.count - 1)

    def _wait(self, key: tuple[str, str], free: int, now: float) -> float:
        entry = self._failures.get(key)
        if entry is None or entry.count < free:
            return 0.0
        since = now - entry.last
        if since > self.longest:
            return 0.0
        delay = min(self.longest, 2.0 ** (entry.count - free))
        return max(0.0, delay - since)

    def _prune(self, now: float) -> None:
        quiet = sorted(self._failures.items(), key=lambda item: item[1].last)
        keep = [(k, v) for k, v in quiet if now - v.last <= self.longest]
        self._failures = dict(keep[-MAX_ENTRIES // 2 :])


def _user_key(username: str, address: str) -> tuple[str, str]:
    # Hashed: a username is whatever the client sent, of any length.
    return (hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest(), address)
