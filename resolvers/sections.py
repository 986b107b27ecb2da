"""Need-to-know section tags on schema fields (docs/ARCHITECTURE.md §3.2).

Every field of every type carries a `section` in its metadata: given per field with `tag()`,
or for the rest of a type's fields by the `@sectioned()` class decorator. The schema builder
hands these tags to `auth/guards.py`, which decides what each field checks, and filters
introspection per role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

from auth.guards import AUTHENTICATED, PUBLIC

__all__ = ["AUTHENTICATED", "PUBLIC", "meta", "section_of", "sectioned", "tag"]

SECTION = "section"
T = TypeVar("T")


def tag(section: str, **kwargs: Any) -> Any:
    """A strawberry field belonging to `section`."""
    return strawberry.field(metadata={SECTION: section}, **kwargs)


def meta(section: str) -> dict[str, str]:
    """Field metadata naming the section, for `@strawberry.field(metadata=meta(...))`."""
    return {SECTION: section}


def sectioned(section: str) -> Callable[[T], T]:
    """Tag every field of a strawberry type that has no section of its own."""

    def decorate(cls: T) -> T:
        definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        for field in definition.fields:
            if SECTION not in (field.metadata or {}):
                field.metadata = {**(field.metadata or {}), SECTION: section}
        return cls

    return decorate


def section_of(strawberry_field: Any) -> str | None:
    metadata = getattr(strawberry_field, "metadata", None) or {}
    value = metadata.get(SECTION)
    return str(value) if value is not None else None
