"""Login users and their sessions (revocable, with a refresh generation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from graph.driver import Database, Row, Transaction
from graph.errors import GraphError, NotFound
from graph.writes import Actor, audit_in, new_id


@dataclass(frozen=True)
class UserRecord:
    id: str
    username: str
    password_hash: str
    roles: tuple[str, ...]
    active: bool  # the login is active, and its team member (if any) is not archived
    member_id: str | None


@dataclass(frozen=True)
class SessionPrincipal:
    user_id: str
    username: str
    roles: tuple[str, ...]
    member_id: str | None
    segments: tuple[str, ...]


USER_BY_USERNAME: Final = """
MATCH (u:User {username: $username})
OPTIONAL MATCH (u)-[:IS]->(m:TeamMember)
RETURN u.id AS id, u.username AS username, u.passwordHash AS passwordHash, u.roles AS roles,
       u.active = true AND NOT coalesce(m.archived, false) AS active, m.id AS memberId
"""


def _to_user(row: Row) -> UserRecord:
    return UserRecord(
        id=row["id"],
        username=row["username"],
        password_hash=row["passwordHash"],
        roles=tuple(row["roles"] or ()),
        active=bool(row["active"]),
        member_id=row["memberId"],
    )


async def user_by_username(db: Database, username: str) -> UserRecord | None:
    """The user with this username, or None."""
    rows = await db.read(USER_BY_USERNAME, {"username": username})
    return _to_user(rows[0]) if rows else None


OPEN_SESSION: Final = """
MATCH (u:User {id: $userId})
SET u.lastLoginAt = $now
MERGE (s:Session {id: $sessionId})
ON CREATE SET s.userId = $userId, s.generation = 0, s.createdAt = $now,
              s.expiresAt = $expiresAt, s.revoked = false
RETURN s.id AS id
"""


async def open_session(
    db: Database, user_id: str, session_id: str, now: datetime, expires_at: datetime
) -> None:
    """Record a successful login: a new session, at refresh generation 0."""
    await db.write(
        OPEN_SESSION,
        {"userId": user_id, "sessionId": session_id, "now": now, "expiresAt": expires_at},
    )


# A login whose team member is archived has left: its sessions end with the archiving, and
# none is accepted while the member stays archived.
SESSION_PRINCIPAL: Final = """
MATCH (s:Session {id: $sessionId})
WHERE s.revoked = false AND s.expiresAt > $now
MATCH (u:User {id: s.userId})
WHERE u.active = true
OPTIONAL MATCH (u)-[:IS]->(m:TeamMember)
WITH s, u, m
WHERE m IS NULL OR NOT coalesce(m.archived, false)
RETURN u.id AS userId, u.username AS username, u.roles AS roles, m.id AS memberId,
       coalesce(m.segments, []) AS segments, coalesce(s.generation, 0) AS generation
"""


async def session_principal(
    db: Database, session_id: str, now: datetime
) -> tuple[SessionPrincipal, int] | None:
    """The live user behind a session and the session's refresh generation, or None."""
    rows = await db.read(SESSION_PRINCIPAL, {"sessionId": session_id, "now": now})
    if not rows:
        return None
    row = rows[0]
    principal = SessionPrincipal(
        user_id=row["userId"],
        username=row["username"],
        roles=tuple(row["roles"] or ()),
        member_id=row["memberId"],
        segments=tuple(row["segments"]),
    )
    return principal, int(row["generation"])


ROTATE_REFRESH: Final = """
MATCH (s:Session {id: $sessionId})
WHERE s.revoked = false AND coalesce(s.generation, 0) = $generation
SET s.generation = $generation + 1, s.expiresAt = $expiresAt
RETURN s.id AS id
"""


async def rotate_refresh(
    db: Database, session_id: str, generation: int, expires_at: datetime
) -> bool:
    """Move a session on from refresh `generation`; False when that was not its current one."""
    rows = await db.write(
        ROTATE_REFRESH,
        {"sessionId": session_id, "generation": generation, "expiresAt": expires_at},
    )
    return bool(rows)


REVOKE_SESSION: Final = """
MATCH (s:Session {id: $sessionId})
SET s.revoked = true, s.revokedAt = $now
RETURN s.id AS id
"""


async def revoke_session(db: Database, session_id: str, now: datetime) -> None:
    await db.write(REVOKE_SESSION, {"sessionId": session_id, "now": now})


UPSERT_USER: Final = """
MERGE (u:User {username: $username})
ON CREATE SET u.id = $id, u.createdAt = $now
SET u.passwordHash = $passwordHash, u.roles = $roles, u.active = true, u.updatedAt = $now
WITH u
OPTIONAL MATCH (u)-[old:IS]->(:TeamMember)
DELETE old
WITH DISTINCT u
OPTIONAL MATCH (m:TeamMember {id: $memberId})
FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | MERGE (u)-[:IS]->(m))
RETURN u.id AS id, m.id AS memberId
"""


async def upsert_user(
    db: Database,
    user_id: str,
    username: str,
    password_hash: str,
    roles: list[str],
    member_id: str | None,
    now: datetime,
) -> str:
    """Create or replace a login user; returns its id."""
    rows = await db.write(
        UPSERT_USER,
        {
            "id": user_id,
            "username": username,
            "passwordHash": password_hash,
            "roles": roles,
            "memberId": member_id,
            "now": now,
        },
    )
    if member_id is not None and rows[0]["memberId"] is None:
        raise NotFound(f"team member {member_id}")
    return str(rows[0]["id"])


REHASH_USER: Final = """
MATCH (u:User {username: $username})
SET u.passwordHash = $passwordHash, u.updatedAt = $now
WITH u
OPTIONAL MATCH (s:Session {userId: u.id}) WHERE s.revoked = false
SET s.revoked = true, s.revokedAt = $now
RETURN DISTINCT u.id AS id
"""


async def set_password(db: Database, username: str, password_hash: str, now: datetime) -> None:
    """Change a password and end every session of the user."""
    rows = await db.write(
        REHASH_USER, {"username": username, "passwordHash": password_hash, "now": now}
    )
    if not rows:
        raise NotFound(f"user {username}")


DEACTIVATE: Final = """
MATCH (u:User {username: $username})
SET u.active = false, u.updatedAt = $now
WITH u
OPTIONAL MATCH (s:Session {userId: u.id}) WHERE s.revoked = false
SET s.revoked = true, s.revokedAt = $now
RETURN DISTINCT u.id AS id
"""


async def deactivate_user(db: Database, username: str, now: datetime) -> None:
    """Deactivate a user and end every session they hold."""
    rows = await db.write(DEACTIVATE, {"username": username, "now": now})
    if not rows:
        raise NotFound(f"user {username}")


LIST_USERS: Final = """
MATCH (u:User)
OPTIONAL MATCH (u)-[:IS]->(m:TeamMember)
RETURN u.id AS id, u.username AS username, u.roles AS roles, u.active AS active,
       m.id AS memberId, m.name AS memberName
ORDER BY username
"""


async def list_users(db: Database) -> list[dict[str, Any]]:
    return await db.read(LIST_USERS)


# Administration from the API: each change in one transaction with its audit entry.
USERNAME_TAKEN: Final = "MATCH (u:User {username: $username}) RETURN u.id AS id"
MEMBER_EXISTS: Final = "MATCH (m:TeamMember {id: $memberId}) RETURN m.id AS id"
CREATE_USER: Final = """
MERGE (u:User {id: $id})
ON CREATE SET u.createdAt = $now
SET u.username = $username, u.passwordHash = $passwordHash, u.roles = $roles,
    u.active = true, u.updatedAt = $now
WITH u
OPTIONAL MATCH (m:TeamMember {id: $memberId})
FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | MERGE (u)-[:IS]->(m))
RETURN u.id AS id
"""
USER_BY_ID: Final = """
MATCH (u:User {id: $userId})
OPTIONAL MATCH (u)-[:IS]->(m:TeamMember)
RETURN u.id AS id, u.username AS username, u.roles AS roles, u.active AS active,
       m.id AS memberId, m.name AS memberName
"""
DEACTIVATE_BY_ID: Final = """
MATCH (u:User {id: $userId})
SET u.active = false, u.updatedAt = $now
WITH u
OPTIONAL MATCH (s:Session {userId: u.id}) WHERE s.revoked = false
SET s.revoked = true, s.revokedAt = $now
RETURN DISTINCT u.id AS id
"""
REHASH_BY_ID: Final = """
MATCH (u:User {id: $userId})
SET u.passwordHash = $passwordHash, u.updatedAt = $now
WITH u
OPTIONAL MATCH (s:Session {userId: u.id}) WHERE s.revoked = false
SET s.revoked = true, s.revokedAt = $now
RETURN DISTINCT u.id AS id
"""


class UsernameTaken(GraphError):
    """Another login already has this username."""


async def add_user(
    db: Database,
    actor: Actor,
    username: str,
    password_hash: str,
    roles: list[str],
    member_id: str | None,
) -> dict[str, Any]:
    """Create a login (never replacing one); returns it as `list_users` rows look."""
    user_id = new_id("user")

    async def work(tx: Transaction) -> dict[str, Any]:
        if await tx.run(USERNAME_TAKEN, {"username": username}):
            raise UsernameTaken(f"username {username} is taken")
        if member_id is not None and not await tx.run(MEMBER_EXISTS, {"memberId": member_id}):
            raise NotFound(f"team member {member_id}")
        now = datetime.now(UTC)
        params = {"id": user_id, "username": username, "passwordHash": password_hash}
        await tx.run(CREATE_USER, {**params, "roles": roles, "memberId": member_id, "now": now})
        await audit_in(tx, actor, "admin.users", "User", user_id)
        return (await tx.run(USER_BY_ID, {"userId": user_id}))[0]

    return await db.write_transaction(work)


async def _change_user(
    db: Database, actor: Actor, user_id: str, statement: str, params: dict[str, Any]
) -> dict[str, Any]:
    async def work(tx: Transaction) -> dict[str, Any]:
        now = datetime.now(UTC)
        if not await tx.run(statement, {"userId": user_id, "now": now, **params}):
            raise NotFound(f"user {user_id}")
        await audit_in(tx, actor, "admin.users", "User", user_id)
        return (await tx.run(USER_BY_ID, {"userId": user_id}))[0]

    return await db.write_transaction(work)


async def deactivate_user_by_id(db: Database, actor: Actor, user_id: str) -> dict[str, Any]:
    """Deactivate a login and end its sessions, audited in the same transaction."""
    return await _change_user(db, actor, user_id, DEACTIVATE_BY_ID, {})


async def reset_password_by_id(
    db: Database, actor: Actor, user_id: str, password_hash: str
) -> dict[str, Any]:
    """Set a new password hash and end the login's sessions, audited in the same transaction."""
    return await _change_user(db, actor, user_id, REHASH_BY_ID, {"passwordHash": password_hash})
