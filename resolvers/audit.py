"""The audit trail for administrators: `auditLog(filter, first, after)`, newest first."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph import audit
from graph.users import list_users
from resolvers.context import Info
from resolvers.errors import InvalidInput
from resolvers.relay import (
    Connection,
    check_first,
    connection_of,
    decode_cursor,
)
from resolvers.sections import meta, sectioned


@sectioned("admin.audit")
@strawberry.type(
    description="One audited event: who did what to which section, when, and the outcome."
)
class AuditEntry:
    id: strawberry.ID
    at: datetime
    user_id: str | None
    username: str | None
    action: str
    section: str
    target_type: str
    target_id: str
    outcome: str
    request_id: str


@strawberry.input(description="Filters of the audit trail; every given one must hold.")
class AuditFilter:
    user_id: str | None = None
    section: str | None = None
    target_id: str | None = None
    action: str | None = None


@sectioned("admin.users")
@strawberry.type(description="A login user.")
class User:
    id: strawberry.ID
    username: str
    roles: list[str]
    active: bool
    team_member_id: strawberry.ID | None


@strawberry.type
class AuditQueries:
    @strawberry.field(metadata=meta("admin.users"), description="Login users (ADMIN only).")
    async def users(self, info: Info) -> list[User]:
        rows = await list_users(info.context.db)
        return [
            User(
                id=strawberry.ID(r["id"]),
                username=r["username"],
                roles=list(r["roles"] or []),
                active=bool(r["active"]),
                team_member_id=strawberry.ID(r["memberId"]) if r["memberId"] else None,
            )
            for r in rows
        ]

    @strawberry.field(
        metadata=meta("admin.audit"), description="The audit trail, newest first (ADMIN only)."
    )
    async def audit_log(
        self,
        info: Info,
        filter: AuditFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[AuditEntry]:
        check_first(first)
        key = decode_cursor(after, 2, dated=True)
        before = None
        if key:
            try:
                before = (datetime.fromisoformat(key[0]), key[1])
            except ValueError:
                raise InvalidInput(
                    "'after' is not a cursor from this API", argument="after"
                ) from None
        f = filter or AuditFilter()
        spool = info.context.audit_spool
        if spool is not None:  # this process's reads are in the log it answers with
            await spool.flush()
        rows, more = await audit.page(
            info.context.db,
            user_id=f.user_id,
            section=f.section,
            target_id=f.target_id,
            action=f.action,
            before=before,
            first=first,
        )
        entries = [
            AuditEntry(
                id=strawberry.ID(r["id"]),
                at=r["at"],
                user_id=r.get("userId"),
                username=r.get("username"),
                action=r["action"],
                section=r["section"],
                target_type=r["targetType"],
                target_id=r["targetId"],
                outcome=r["outcome"],
                request_id=r["requestId"],
            )
            for r in rows
        ]
        return connection_of(entries, [(e.at.isoformat(), e.id) for e in entries], more)
