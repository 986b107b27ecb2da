"""`kam user add|passwd|deactivate|list`: login users, for administrators."""

from __future__ import annotations

import json
import secrets
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from graph.driver import Database
from graph.errors import NotFound
from kam.cli_common import database, fail, load_settings, out, run_db

user_app = typer.Typer(help="Login users (administrators).", no_args_is_help=True)
RolesOpt = Annotated[list[str], typer.Option("--role", help="A role (repeat for several).")]


@user_app.command("add")
def user_add(
    username: str,
    role: RolesOpt,
    member: Annotated[str | None, typer.Option(help="Team member id this login is.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
) -> None:
    """Add (or replace) a login user with roles."""
    from auth.passwords import MIN_PASSWORD_LENGTH, hash_password
    from graph.model import Role
    from graph.users import upsert_user

    bad = [r for r in role if r.upper() not in Role.__members__]
    if bad or not role:
        raise fail(
            f"unknown role {', '.join(bad) or '(none given)'}: use {', '.join(Role)}", code=2
        )
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise fail(f"the password must have at least {MIN_PASSWORD_LENGTH} characters", code=2)
    settings = load_settings()
    hashed = hash_password(password)

    async def work(db: Database) -> str:
        return await upsert_user(
            db,
            f"user-{secrets.token_hex(8)}",
            username,
            hashed,
            [r.upper() for r in role],
            member,
            datetime.now(UTC),
        )

    with database(settings) as connection:
        try:
            run_db(settings, connection, work)
        except NotFound as exc:
            raise fail(f"{exc} does not exist: pass an existing --member id") from None
    out.print(f"user {username} saved")


@user_app.command("passwd")
def user_passwd(
    username: str,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
) -> None:
    """Set a new password (ends the user's sessions)."""
    from auth.passwords import MIN_PASSWORD_LENGTH, hash_password
    from graph.users import set_password

    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise fail(f"the password must have at least {MIN_PASSWORD_LENGTH} characters", code=2)
    settings = load_settings()
    hashed = hash_password(password)
    with database(settings) as connection:
        try:
            run_db(
                settings,
                connection,
                lambda db: set_password(db, username, hashed, datetime.now(UTC)),
            )
        except NotFound:
            raise fail(f"no user {username}", code=3) from None
    out.print(f"password of {username} changed; their sessions ended")


@user_app.command("deactivate")
def user_deactivate(username: str) -> None:
    """Deactivate a user: their tokens stop working at once."""
    from graph.users import deactivate_user

    settings = load_settings()
    with database(settings) as connection:
        try:
            run_db(
                settings, connection, lambda db: deactivate_user(db, username, datetime.now(UTC))
            )
        except NotFound:
            raise fail(f"no user {username}", code=3) from None
    out.print(f"user {username} deactivated")


@user_app.command("list")
def user_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List login users."""
    from graph.users import list_users

    settings = load_settings()
    with database(settings) as connection:
        rows = run_db(settings, connection, list_users)
    if as_json:
        print(json.dumps(rows))
        return
    for row in rows:
        state = "active" if row["active"] else "inactive"
        out.print(
            f"{row['username']:<24} {','.join(row['roles'] or []):<40} {state:<9} "
            f"{row['memberId'] or '-'}",
            highlight=False,
        )
