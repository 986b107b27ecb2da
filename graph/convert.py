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


def time_from_text(value: str | None) -> datetime | None:
    """A datetime the query sent as text (`toString(x.at)`): the driver decodes its own
    temporal types in Python, at several times the cost of the rest of a row. Without a zone it
    is UTC (as we store it); a zone name after the offset (`Z[Etc/UTC]`) adds nothing to it."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.split("[", 1)[0])
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def native_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: native(value) for key, value in row.items()}
