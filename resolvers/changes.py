"""What changed at an account lately, beyond plans and interactions: Salesforce sync
conflicts (each shown only to a caller who reads the property it names) and people who
changed job (contact.profile)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import strawberry

from auth.registry import property_sections
from graph.changes import ConflictRow, JobChangeRow
from graph.kinds import NODE_KINDS
from resolvers.context import Info
from resolvers.edge import as_utc
from resolvers.relay import check_first
from resolvers.sections import sectioned


class _AccountLike(Protocol):
    id: strawberry.ID
    segment: str | None


@sectioned("account.profile")
@strawberry.type(
    description="A field changed both here and in Salesforce: our value was kept, theirs noted."
)
class SyncConflict:
    id: strawberry.ID
    kind: str = strawberry.field(description="ACCOUNT, CLIENT_UNIT, CONTACT or PROJECT.")
    node_id: strawberry.ID
    field: str
    kept: strawberry.scalars.JSON = strawberry.field(description="Our value, which stays.")
    theirs: strawberry.scalars.JSON = strawberry.field(description="Salesforce's value.")
    at: datetime


@sectioned("contact.profile")
@strawberry.type(description="A person at the client with a new title or employer.")
class JobChange:
    contact_id: strawberry.ID
    contact_name: str
    field: str = strawberry.field(description="title or company.")
    before: str | None
    after: str | None
    changed_on: str | None = strawberry.field(description="The day it changed (ISO date).")
    recorded_at: datetime = strawberry.field(description="When we learned of it.")


def _readable(info: Info, account: _AccountLike, row: ConflictRow) -> bool:
    """A conflict shows two values of a property: the caller reads it, or never sees it."""
    kind = NODE_KINDS.get(row.kind)
    if kind is None:
        return False
    sections = property_sections(row.kind, kind.section, [row.field])
    return all(info.context.visibility.can_read(s, account) for s in sections)


async def sync_conflicts_of(
    info: Info, account: _AccountLike, since: datetime, first: int
) -> list[SyncConflict]:
    limit = check_first(first)
    rows = await info.context.loaders.sync_conflicts_since(as_utc(since)).load(str(account.id))
    shown = [r for r in rows if _readable(info, account, r)][:limit]
    return [
        SyncConflict(
            id=strawberry.ID(r.id),
            kind=r.kind,
            node_id=strawberry.ID(r.node_id),
            field=r.field,
            kept=r.kept,
            theirs=r.theirs,
            at=r.at,
        )
        for r in shown
    ]


async def job_changes_of(
    info: Info, account: _AccountLike, since: datetime, first: int
) -> list[JobChange]:
    limit = check_first(first)
    rows: list[JobChangeRow] = await info.context.loaders.job_changes_since(as_utc(since)).load(
        str(account.id)
    )
    return [
        JobChange(
            contact_id=strawberry.ID(r.contact_id),
            contact_name=r.contact_name,
            field=r.field,
            before=r.before,
            after=r.after,
            changed_on=r.changed_on,
            recorded_at=r.recorded_at,
        )
        for r in rows[:limit]
    ]
