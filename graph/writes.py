"""What every write shares: one managed transaction, an idempotency receipt, the audit entry.

A mutation's work runs in `Database.write_transaction` (all or nothing; the driver may retry
it, so every statement MERGEs on ids). A client mutation id makes a retried *request*
harmless too: the first run leaves a receipt naming what it created, a rerun finds the
receipt and returns that instead of writing again. The audit entry is written in the same
transaction, so there is never a write without its record (nor a record without its write).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, TypeVar

from graph.audit import AuditEvent
from graph.driver import Database, Transaction
from graph.errors import GraphError

T = TypeVar("T")


class Conflict(GraphError):
    """The node changed since the caller read it (stale `expectedVersion`)."""

    def __init__(self, what: str, current_version: int | None) -> None:
        super().__init__(f"{what} changed since you read it (now at version {current_version})")
        self.current_version = current_version


class Rejected(GraphError):
    """The write breaks a rule of the domain; the message says which (safe to show)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Actor:
    """Who writes: for the audit trail and the receipts."""

    user_id: str | None
    username: str | None
    request_id: str
    role: str | None = None


RECEIPT: Final = """
MATCH (r:MutationReceipt {id: $id}) RETURN r.targetId AS targetId
"""
SAVE_RECEIPT: Final = """
CREATE (r:MutationReceipt {id: $id, targetId: $targetId, at: $at, kind: $kind})
"""
AUDIT_WRITE: Final = """
CREATE (x:AuditEntry)
SET x = $event
"""


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


async def audit_in(
    tx: Transaction,
    actor: Actor,
    section: str,
    target_type: str,
    target_id: str,
    outcome: str = "OK",
) -> None:
    """Record a write in the audit trail inside the writing transaction."""
    event = AuditEvent(
        user_id=actor.user_id,
        username=actor.username,
        action="WRITE",
        section=section,
        target_type=target_type,
        target_id=target_id,
        outcome=outcome,
        request_id=actor.request_id,
    )
    await tx.run(AUDIT_WRITE, {"event": event.params(datetime.now(UTC))})


async def once(
    db: Database,
    actor: Actor,
    client_mutation_id: str | None,
    kind: str,
    work: Callable[[Transaction], Awaitable[str]],
) -> tuple[str, bool]:
    """Run `work` (which returns the id it wrote) at most once per client mutation id.

    Returns (id, replayed): replayed is True when a receipt from an earlier run was found."""
    receipt_id = f"{actor.user_id}:{kind}:{client_mutation_id}" if client_mutation_id else None

    async def unit(tx: Transaction) -> tuple[str, bool]:
        if receipt_id is not None:
            found = await tx.run(RECEIPT, {"id": receipt_id})
            if found:
                return str(found[0]["targetId"]), True
        target = await work(tx)
        if receipt_id is not None:
            await tx.run(
                SAVE_RECEIPT,
                {"id": receipt_id, "targetId": target, "at": datetime.now(UTC), "kind": kind},
            )
        return target, False

    return await db.write_transaction(unit)
