"""The audit trail: append-only entries of restricted reads and of every write."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from graph.convert import native_row
from graph.driver import Database


@dataclass(frozen=True)
class AuditEvent:
    user_id: str | None
    username: str | None
    action: str  # READ, WRITE, LOGIN ...
    section: str
    target_type: str
    target_id: str
    outcome: str  # OK, FORBIDDEN, REJECTED ...
    request_id: str

    def params(self, at: datetime, entry_id: str | None = None) -> dict[str, Any]:
        """The entry as stored; its id a fresh random one unless given (see `entries`)."""
        return {
            "id": entry_id or f"audit-{secrets.token_hex(10)}",
            "at": at,
            "userId": self.user_id,
            "username": self.username,
            "action": self.action,
            "section": self.section,
            "targetType": self.target_type,
            "targetId": self.target_id,
            "outcome": self.outcome,
            "requestId": self.request_id,
        }


def entries(events: Sequence[AuditEvent], at: datetime) -> list[dict[str, Any]]:
    """The entries of one request as stored, at `at`. Their ids share one random stem (80
    bits, as an entry's own id has) and carry a number each, instead of a call to the
    system's random source per entry (a portfolio page audits fifty)."""
    stem = secrets.token_hex(10)
    return [e.params(at, f"audit-{stem}-{i}") for i, e in enumerate(events)]


APPEND: Final = """
UNWIND $events AS e
CREATE (x:AuditEntry)
SET x = e
RETURN count(x) AS n
"""


async def append(db: Database, events: Sequence[AuditEvent]) -> None:
    """Append events in one round trip; entries are never updated or deleted by the API."""
    if not events:
        return
    await db.write(APPEND, {"events": entries(events, datetime.now(UTC))})


PAGE: Final = """
MATCH (x:AuditEntry)
WHERE ($userId IS NULL OR x.userId = $userId)
  AND ($section IS NULL OR x.section = $section)
  AND ($targetId IS NULL OR x.targetId = $targetId)
  AND ($action IS NULL OR x.action = $action)
  AND ($before IS NULL OR x.at < $before OR (x.at = $before AND x.id < $beforeId))
RETURN x {.*} AS entry
ORDER BY x.at DESC, x.id DESC
LIMIT $limit
"""


async def page(
    db: Database,
    *,
    user_id: str | None,
    section: str | None,
    target_id: str | None,
    action: str | None,
    before: tuple[datetime, str] | None,
    first: int,
) -> tuple[list[dict[str, Any]], bool]:
    """Newest first; `before` is the (at, id) of the last entry of the previous page."""
    rows = await db.read(
        PAGE,
        {
            "userId": user_id,
            "section": section,
            "targetId": target_id,
            "action": action,
            "before": before[0] if before else None,
            "beforeId": before[1] if before else None,
            "limit": first + 1,
        },
    )
    entries = [native_row(r["entry"]) for r in rows]
    return entries[:first], len(entries) > first
