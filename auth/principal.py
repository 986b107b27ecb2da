"""Who is calling: built once per request from the bearer token."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from graph.model import Role
from graph.scope import Scope

ALL_ACCOUNT_ROLES = frozenset({Role.ADMIN, Role.EXECUTIVE})


@dataclass(frozen=True)
class Principal:
    """An authenticated user (or the anonymous caller), their roles and team membership."""

    user_id: str | None = None
    username: str | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    member_id: str | None = None
    segments: frozenset[str] = field(default_factory=frozenset)
    session_id: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def reads_all_accounts(self) -> bool:
        return bool(self.roles & ALL_ACCOUNT_ROLES)

    def scope(self, today: date | None = None) -> Scope:
        return Scope(
            all_accounts=self.reads_all_accounts,
            member_id=self.member_id,
            today=today or datetime.now(UTC).date(),
        )


ANONYMOUS = Principal()
