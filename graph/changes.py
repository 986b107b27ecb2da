"""What changed at accounts lately, beyond plans and interactions: Salesforce sync conflicts
on the account's nodes, and job changes of its people (from their profile history)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from graph.convert import native
from graph.driver import Database

NEWEST: Final = 100  # per account: a "since your last visit" list, not an archive
JOB_FIELDS: Final = ("title", "company")  # a new title or employer: a changed job


@dataclass(frozen=True, slots=True)
class ConflictRow:
    id: str
    kind: str  # the node kind of graph/entities.py: ACCOUNT, CLIENT_UNIT, CONTACT, PROJECT
    node_id: str
    field: str
    kept: Any
    theirs: Any
    at: datetime


@dataclass(frozen=True, slots=True)
class JobChangeRow:
    contact_id: str
    contact_name: str
    field: str
    before: str | None
    after: str | None
    changed_on: str | None  # the day the source says it changed (ISO date)
    recorded_at: datetime  # when we learned of it


# The conflicts since a moment (index on SyncConflict.at) on the account or the units,
# contacts and projects under it; the account passed row scope where its id came from.
SYNC_CONFLICTS: Final = """
UNWIND $ids AS accountId
MATCH (a:Account {id: accountId})
WITH a, [(a)-[:HAS_UNIT]->(u:ClientUnit) | u.id] AS units,
     [(a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact) | c.id] AS contacts,
     [(a)-[:HAS_PROJECT]->(p:Project) | p.id] AS projects
OPTIONAL MATCH (x:SyncConflict)
WHERE x.at >= $since
  AND (x.nodeId = a.id OR x.nodeId IN units OR x.nodeId IN contacts OR x.nodeId IN projects)
WITH a, x,
     CASE WHEN x.nodeId = a.id THEN 'ACCOUNT' WHEN x.nodeId IN units THEN 'CLIENT_UNIT'
          WHEN x.nodeId IN contacts THEN 'CONTACT' ELSE 'PROJECT' END AS kind
ORDER BY x.at DESC, x.id
WITH a, collect(CASE WHEN x IS NULL THEN null ELSE
       {id: x.id, kind: kind, nodeId: x.nodeId, field: x.field, kept: x.kept, theirs: x.theirs,
        at: x.at} END) AS found
RETURN a.id AS accountId, found[..$limit] AS conflicts
"""


async def sync_conflicts(
    db: Database, ids: Sequence[str], since: datetime
) -> dict[str, list[ConflictRow]]:
    """Each account's sync conflicts since `since`, newest first."""
    rows = await db.read(SYNC_CONFLICTS, {"ids": list(ids), "since": since, "limit": NEWEST})
    return {
        r["accountId"]: [
            ConflictRow(
                c["id"],
                c["kind"],
                c["nodeId"],
                c["field"],
                native(c["kept"]),
                native(c["theirs"]),
                native(c["at"]),
            )
            for c in r["conflicts"]
        ]
        for r in rows
    }


PROFILE_HISTORIES: Final = """
UNWIND $ids AS accountId
MATCH (a:Account {id: accountId})-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)
WHERE c.profileHistory IS NOT NULL
RETURN accountId, c.id AS id, c.name AS name, c.profileHistory AS history
"""


async def job_changes(
    db: Database, ids: Sequence[str], since: datetime
) -> dict[str, list[JobChangeRow]]:
    """Each account's people's new titles and employers recorded since `since`, newest first."""
    found: dict[str, list[JobChangeRow]] = {}
    for r in await db.read(PROFILE_HISTORIES, {"ids": list(ids)}):
        for text in r["history"] or []:
            entry = json.loads(text)
            recorded = datetime.fromisoformat(entry.get("recordedAt") or entry["at"])
            if recorded.tzinfo is None:  # an entry from before recordedAt: its day, in UTC
                recorded = recorded.replace(tzinfo=UTC)
            if entry.get("field") not in JOB_FIELDS or recorded < since:
                continue
            found.setdefault(r["accountId"], []).append(
                JobChangeRow(
                    r["id"],
                    r["name"],
                    entry["field"],
                    entry.get("from"),
                    entry.get("to"),
                    entry.get("at"),
                    recorded,
                )
            )
    return {
        k: sorted(v, key=lambda j: (j.recorded_at, j.contact_id), reverse=True)[:NEWEST]
        for k, v in found.items()
    }
