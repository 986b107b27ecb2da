"""Turn driver values (neo4j temporal types) into plain Python ones, once, in `graph/`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from neo4j.time import Date, DateTime


def native(value: Any) -> Any:
    """Driver temporal values as Python ones; a datetime without zone is UTC (as we store it)."""
    if isinstance(value, DateTime | Date):
        value = value.to_native()
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def native_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: native(value) for key, value in row.items()}
