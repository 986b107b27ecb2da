"""A plan's kept changes read back: its history page by page, and what changed between two
moments, both limited to the sections the caller may read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from auth.registry import PLAN_FIELDS
from graph.convert import native
from graph.driver import Database


@dataclass(frozen=True)
class RevisionRow:
    id: str
    at: datetime
    username: str | None
    field: str
    section: str
    before: Any
    after: Any
    note: str | None


# Revisions of sections the caller may not read never leave the database (no side channel).
REVISIONS: Final = """
MATCH (v:PlanRevision {planId: $planId})
WHERE v.section IN $sections AND ($until IS NULL OR v.at <= $until)
  AND ($before IS NULL OR v.at < $before OR (v.at = $before AND v.id < $beforeId))
RETURN v {.*} AS revision
ORDER BY v.at DESC, v.id DESC
LIMIT $limit
"""


def to_revision(r: dict[str, Any]) -> RevisionRow:
    return RevisionRow(
        id=r["id"],
        at=native(r["at"]),
        username=r.get("username"),
        field=r["field"],
        section=r["section"],
        before=json.loads(r["before"]) if r.get("before") else None,
        after=json.loads(r["after"]) if r.get("after") else None,
        note=r.get("note"),
    )


async def plan_history(
    db: Database,
    plan: str,
    sections: Sequence[str],
    first: int,
    before: tuple[datetime, str] | None,
) -> tuple[list[RevisionRow], bool]:
    """Revisions newest first, only of the given (readable) sections."""
    rows = await db.read(
        REVISIONS,
        {
            "planId": plan,
            "sections": list(sections),
            "until": None,
            "limit": first + 1,
            "before": before[0] if before else None,
            "beforeId": before[1] if before else None,
        },
    )
    revisions = [to_revision(r["revision"]) for r in rows]
    return revisions[:first], len(revisions) > first


@dataclass(frozen=True)
class FieldChange:
    field: str
    section: str
    before: Any
    after: Any
    changed_by: list[str]


async def plan_diff(
    db: Database, plan: str, sections: Sequence[str], since: datetime, until: datetime
) -> list[FieldChange]:
    """Each readable field whose value at `until` differs from its value at `since`."""
    rows = await db.read(
        REVISIONS,
        {
            "planId": plan,
            "sections": list(sections),
            "until": until,
            "limit": 100_000,
            "before": None,
            "beforeId": None,
        },
    )
    revisions = sorted((to_revision(r["revision"]) for r in rows), key=lambda v: (v.at, v.id))
    at_since: dict[str, Any] = {}
    at_until: dict[str, Any] = {}
    authors: dict[str, list[str]] = {}
    for v in revisions:
        if v.at <= since:
            at_since[v.field] = v.after
        at_until[v.field] = v.after
        if v.at > since and v.username and v.username not in authors.setdefault(v.field, []):
            authors[v.field].append(v.username)
    return [
        FieldChange(f, PLAN_FIELDS[f], at_since.get(f), at_until.get(f), authors.get(f, []))
        for f in PLAN_FIELDS
        if f in at_until and at_since.get(f) != at_until.get(f)
    ]
