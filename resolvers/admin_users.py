"""Login administration over GraphQL: add a user, deactivate one, reset a password.

The same rules as `kam user add / deactivate / passwd`; every change is audited in its own
transaction and a deactivation or reset ends the user's sessions. A reset sets the password
the administrator gives (the API never generates, returns or shows a password or its hash)."""

from __future__ import annotations

import re
from typing import Annotated, Any

import strawberry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from auth.passwords import MIN_PASSWORD_LENGTH, hash_password_async
from graph import users
from graph.model import Role
from resolvers.actor import actor_of
from resolvers.audit import User
from resolvers.context import Info
from resolvers.problems import (
    ConflictProblem,
    ForbiddenProblem,
    NotFoundProblem,
    ValidationProblem,
    attempt,
    from_validation,
    rejected,
)
from resolvers.sections import AUTHENTICATED, meta, sectioned

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")


class _Password(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=256)


class _NewUser(_Password):
    username: str = Field(min_length=1, max_length=64)
    roles: list[str] = Field(min_length=1, max_length=len(Role))
    team_member_id: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not USERNAME.match(value):
            raise ValueError("letters, digits and . _ @ - only, starting with a letter or digit")
        return value

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[str]) -> list[str]:
        wanted = [r.upper() for r in value]
        bad = [r for r in wanted if r not in Role.__members__]
        if bad:
            raise ValueError(f"unknown role {', '.join(bad)}: use {', '.join(Role)}")
        return sorted(set(wanted))


@strawberry.input(description="A new login: username, roles, password; optionally our person.")
class AddUserInput:
    username: str
    roles: list[str]
    password: str = strawberry.field(
        description=f"At least {MIN_PASSWORD_LENGTH} characters; stored only as a hash."
    )
    team_member_id: strawberry.ID | None = None


@strawberry.input(description="The login to deactivate: its sessions end at once.")
class DeactivateUserInput:
    user_id: strawberry.ID


@strawberry.input(description="A new password chosen by the administrator for a login.")
class ResetPasswordInput:
    user_id: strawberry.ID
    password: str = strawberry.field(
        description=f"At least {MIN_PASSWORD_LENGTH} characters; the user's sessions end."
    )


@sectioned(AUTHENTICATED)
@strawberry.type(description="The login after the change (never its password or hash).")
class UserPayload:
    user: User = strawberry.field(metadata=meta("admin.users"))


UserResult = Annotated[
    UserPayload | ValidationProblem | NotFoundProblem | ConflictProblem | ForbiddenProblem,
    strawberry.union("UserResult"),
]


def _payload(row: dict[str, Any]) -> UserPayload:
    return UserPayload(
        user=User(
            id=strawberry.ID(row["id"]),
            username=row["username"],
            roles=list(row["roles"] or []),
            active=bool(row["active"]),
            team_member_id=strawberry.ID(row["memberId"]) if row["memberId"] else None,
        )
    )


def _forget(info: Info, user_id: str) -> None:
    """This process forgets the login's sessions at once (other processes within seconds)."""
    if info.context.principals is not None:
        info.context.principals.forget_user(user_id)


@strawberry.type
class UserMutations:
    @strawberry.mutation(
        metadata=meta("admin.users"),
        description="Add a login user (ADMIN only); a taken username is a Conflict.",
    )
    async def add_user(self, info: Info, input: AddUserInput) -> UserResult:
        try:
            new = _NewUser(
                username=input.username,
                roles=input.roles,
                password=input.password,
                team_member_id=str(input.team_member_id) if input.team_member_id else None,
            )
        except ValidationError as exc:
            return from_validation(exc, prefix="input")
        hashed = await hash_password_async(new.password)
        try:
            result = await attempt(
                users.add_user(
                    info.context.db,
                    actor_of(info),
                    new.username,
                    hashed,
                    new.roles,
                    new.team_member_id,
                )
            )
        except users.UsernameTaken:
            return ConflictProblem(
                message=f"the username {new.username} is taken", current_version=None
            )
        return _payload(result) if isinstance(result, dict) else result

    @strawberry.mutation(
        metadata=meta("admin.users"),
        description="Deactivate a login user and end their sessions (ADMIN only).",
    )
    async def deactivate_user(self, info: Info, input: DeactivateUserInput) -> UserResult:
        user_id = str(input.user_id)
        if user_id == info.context.principal.user_id:
            return rejected("you cannot deactivate your own login", "input.userId")
        result = await attempt(
            users.deactivate_user_by_id(info.context.db, actor_of(info), user_id)
        )
        if not isinstance(result, dict):
            return result
        _forget(info, user_id)
        return _payload(result)

    @strawberry.mutation(
        metadata=meta("admin.users"),
        description="Set a new password the administrator chose, and end the user's sessions "
        "(ADMIN only). Nothing is generated or returned: tell the user by your own channel.",
    )
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> UserResult:
        try:
            checked = _Password(password=input.password)
        except ValidationError as exc:
            return from_validation(exc, prefix="input")
        user_id = str(input.user_id)
        hashed = await hash_password_async(checked.password)
        result = await attempt(
            users.reset_password_by_id(info.context.db, actor_of(info), user_id, hashed)
        )
        if not isinstance(result, dict):
            return result
        _forget(info, user_id)
        return _payload(result)
