"""Factories: small hand-built graph fixtures under a test's own id prefix."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from auth.passwords import hash_password
from graph.users import upsert_user
from tests.conftest import DEMO_PASSWORD, Backend

PASSWORD = DEMO_PASSWORD
_HASH = hash_password(PASSWORD)


def account(backend: Backend, account_id: str, **props: Any) -> str:
    base = {
        "name": f"Account {account_id}",
        "segment": "Industrial",
        "industry": "Machinery",
        "tier": "A",
        "status": "ACTIVE",
        "marketPotential": 1_000_000.0,
    }
    backend.write(
        "MERGE (a:Account {id: $id}) SET a += $props, a.createdAt = datetime(), "
        "a.updatedAt = datetime(), a.version = 1",
        id=account_id,
        props={**base, **props},
    )
    return account_id


def member_login(
    backend: Backend,
    uid: str,
    role: str,
    accounts: dict[str, tuple[date, date | None]] | None = None,
    segments: list[str] | None = None,
) -> str:
    """A team member with a login of one role, on accounts with (from, until) windows."""
    member_id = f"{uid}-tm-{role.lower()}"
    username = f"{uid}-{role.lower()}"
    backend.write(
        "MERGE (m:TeamMember {id: $id}) SET m.name = $name, m.segments = $segments",
        id=member_id,
        name=f"Member {member_id}",
        segments=segments or [],
    )
    for account_id, (start, until) in (accounts or {}).items():
        backend.write(
            "MATCH (m:TeamMember {id: $m}), (a:Account {id: $a}) "
            "MERGE (m)-[t:ON_TEAM]->(a) SET t.role = $role, t.from = $from, t.until = $until",
            m=member_id,
            a=account_id,
            role=role,
            **{"from": start, "until": until},
        )
    backend.run(
        upsert_user(
            backend.db, f"user-{username}", username, _HASH, [role], member_id, datetime.now(UTC)
        )
    )
    return username


def nodes(connection: dict[str, Any] | None) -> list[Any]:
    """The nodes of one page of a Relay connection, in order."""
    assert connection is not None, "the connection was null"
    return [e["node"] for e in connection["edges"]]
