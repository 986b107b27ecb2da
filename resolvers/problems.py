"""Expected failures of mutations, as members of each mutation's result union.

A dashboard shows them next to the field: `ValidationProblem` names the field path,
`NotFound`, `Conflict` (with the current version) and `Forbidden` (with the section)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry
from pydantic import ValidationError

from graph.errors import NotFound
from graph.writes import Conflict, Rejected
from resolvers.sections import PUBLIC, sectioned

T = TypeVar("T")


@sectioned(PUBLIC)
@strawberry.type(description="One invalid input field: its path and what is wrong.")
class FieldProblem:
    field: str
    message: str


@sectioned(PUBLIC)
@strawberry.type(description="The input was rejected; nothing was changed.")
class ValidationProblem:
    message: str
    field: str | None
    problems: list[FieldProblem]


@sectioned(PUBLIC)
@strawberry.type(name="NotFound", description="The target does not exist or is out of your reach.")
class NotFoundProblem:
    message: str


@sectioned(PUBLIC)
@strawberry.type(name="Conflict", description="Changed since you read it; nothing was overwritten.")
class ConflictProblem:
    message: str
    current_version: int | None


@sectioned(PUBLIC)
@strawberry.type(
    name="Forbidden", description="Your role may not change this section; nothing was changed."
)
class ForbiddenProblem:
    message: str
    section: str


Problem = ValidationProblem | NotFoundProblem | ConflictProblem | ForbiddenProblem


def from_validation(exc: ValidationError, prefix: str | None = None) -> ValidationProblem:
    """The problem of a pydantic error; `prefix` puts the paths under an input (`patch.x`)."""
    problems = [
        FieldProblem(
            field=".".join([*([prefix] if prefix else []), *(str(p) for p in e["loc"])]) or "input",
            message=e["msg"],
        )
        for e in exc.errors()
    ]
    first = problems[0]
    return ValidationProblem(
        message=f"{first.field}: {first.message}", field=first.field, problems=problems
    )


def rejected(message: str, field: str | None) -> ValidationProblem:
    return ValidationProblem(
        message=message,
        field=field,
        problems=[FieldProblem(field=field or "input", message=message)],
    )


async def attempt(work: Awaitable[T]) -> T | Problem:
    """Run a write; expected failures come back as problems (the graph is unchanged)."""
    try:
        return await work
    except Rejected as exc:
        return rejected(str(exc), exc.field)
    except Conflict as exc:
        return ConflictProblem(message=str(exc), current_version=exc.current_version)
    except NotFound as exc:
        return NotFoundProblem(message=f"not found: {exc}")
