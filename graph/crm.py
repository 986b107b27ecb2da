"""Salesforce into the graph: accounts as the client's units, contacts, opportunities, buying roles.

Mapping (keys are Salesforce ids; our ids are derived from them, so every upsert is a MERGE
on the unique `id` and a second run changes nothing):
- Account with no ParentId → our Account `sf-acct-<Id>` and its GLOBAL unit `sf-<Id>`; an
  Account below it → a ClientUnit `sf-<Id>`, one level down from its parent (REGIONAL,
  NATIONAL, then STATE), on the same Account. Missing ancestors are fetched by id.
- Contact → Contact `sf-<Id>` WORKS_IN its account's unit; ReportsToId → REPORTS_TO (SOLID).
- Opportunity → Project `sf-<Id>` (stage, amount, status, close date) on the unit's Account.
- OpportunityContactRole → DECIDES with the buying role.

Incremental: each object is read by `SystemModstamp >= <watermark>`, page by page; a page is
written in one transaction together with its new watermark, so a failed sync leaves the graph
as it was before that page and the next run resumes from there.

Conflicts: every synced node keeps `sfBase`, the values Salesforce gave last time. A field
changed here (differs from the base) is never overwritten: if Salesforce changed it too, the
KAM value stays and the pair is recorded as a `SyncConflict` and reported. A malformed or
unplaceable record is skipped, recorded as a `SyncIssue` with its reason, and reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import ValidationError

from graph.crm_accounts import apply_accounts
from graph.crm_activity import (
    EVENT_FIELDS,
    TASK_FIELDS,
    SfActivity,
    SfEvent,
    SfTask,
    apply_activities,
)
from graph.crm_contacts import UNITS_EXIST, apply_contacts
from graph.crm_opportunities import apply_opportunities, apply_roles
from graph.crm_records import (
    SF_ID,
    SOURCE,
    SfAccount,
    SfContact,
    SfContactRole,
    SfOpportunity,
    SfRecord,
    sync_issue,
)
from graph.driver import Database, Transaction
from graph.writes import Actor, audit_in
from integrations.salesforce import SalesforceClient


@dataclass(frozen=True)
class SyncObject:
    name: str
    fields: str
    model: type[SfRecord] | type[SfActivity]
    include_deleted: bool = False  # read with queryAll: deleted rows come as IsDeleted


OBJECTS: Final = (
    SyncObject(
        "Account", "Id, Name, ParentId, Industry, BillingCountry, SystemModstamp", SfAccount
    ),
    SyncObject(
        "Contact",
        "Id, AccountId, FirstName, LastName, Title, Email, Phone, ReportsToId, SystemModstamp",
        SfContact,
    ),
    SyncObject(
        "Opportunity",
        "Id, AccountId, Name, StageName, Amount, CloseDate, IsClosed, IsWon, Type, SystemModstamp",
        SfOpportunity,
    ),
    SyncObject(
        "OpportunityContactRole",
        "Id, OpportunityId, ContactId, Role, IsPrimary, SystemModstamp",
        SfContactRole,
    ),
    # Activities become interactions (graph/crm_activity.py); deleted ones archive them.
    SyncObject("Task", TASK_FIELDS, SfTask, include_deleted=True),
    SyncObject("Event", EVENT_FIELDS, SfEvent, include_deleted=True),
)

# What writes one page of each object, in the transaction that saves its watermark.
APPLIERS: Final[dict[str, Callable[..., Any]]] = {
    "Account": apply_accounts,
    "Contact": apply_contacts,
    "Opportunity": apply_opportunities,
    "OpportunityContactRole": apply_roles,
    "Task": apply_activities,
    "Event": apply_activities,
}


@dataclass
class SyncReport:
    pulled: dict[str, int] = field(default_factory=dict)  # records read, per object
    written: dict[str, int] = field(default_factory=dict)  # records upserted, per object
    pages: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    pushed: int = 0
    failed: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "pulled": self.pulled,
            "written": self.written,
            "pages": self.pages,
            "conflicts": self.conflicts,
            "issues": self.issues,
            "pushedTasks": self.pushed,
            "failed": self.failed,
        }


# -- state ------------------------------------------------------------------------------------

STATE: Final = (
    "MATCH (s:SyncState {id: $id}) RETURN s.watermarks AS watermarks, "
    "s.lastSuccessAt AS lastSuccessAt, s.lastError AS lastError"
)
SAVE_WATERMARK: Final = """
MERGE (s:SyncState {id: $id})
SET s.watermarks = $watermarks, s.updatedAt = $now
"""
FINISH: Final = """
MERGE (s:SyncState {id: $id})
SET s.lastRunAt = $now, s.lastError = $error,
    s.lastSuccessAt = CASE WHEN $error IS NULL THEN $now ELSE s.lastSuccessAt END
"""
RECORD_ISSUES: Final = """
UNWIND $issues AS x
MERGE (i:SyncIssue {id: x.id})
SET i.source = $source, i.object = x.object, i.recordId = x.recordId, i.reason = x.reason,
    i.at = $now
"""
RECORD_CONFLICTS: Final = """
UNWIND $conflicts AS x
MERGE (c:SyncConflict {id: x.id})
SET c.source = $source, c.nodeId = x.nodeId, c.field = x.field, c.kept = x.kept,
    c.theirs = x.theirs, c.at = $now
"""


async def watermarks(db: Database, source: str = SOURCE) -> dict[str, str]:
    rows = await db.read(STATE, {"id": source})
    return json.loads(rows[0]["watermarks"]) if rows and rows[0]["watermarks"] else {}


def soql_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the sync ---------------------------------------------------------------------------------


@dataclass
class Page:
    obj: SyncObject
    valid: list[Any]
    issues: list[dict[str, Any]]
    watermark: datetime | None


def parse_page(obj: SyncObject, records: Sequence[Any]) -> Page:
    valid: list[Any] = []
    issues: list[dict[str, Any]] = []
    stamps: list[datetime] = []
    for raw in records:
        record_id = raw.get("Id") if isinstance(raw, dict) else None
        try:
            item = obj.model.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "record"
            issues.append(
                sync_issue(obj.name, record_id, f"malformed record: {where}: {first['msg']}")
            )
            stamp = _stamp_of(raw)
            if stamp:
                stamps.append(stamp)
            continue
        valid.append(item)
        stamps.append(item.SystemModstamp)
    return Page(obj, valid, issues, max(stamps) if stamps else None)


def _stamp_of(raw: Any) -> datetime | None:
    if not isinstance(raw, dict):
        return None
    try:
        at = datetime.fromisoformat(str(raw.get("SystemModstamp", "")).replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class Syncer:
    """One run of the sync: pull each object page by page, write each page atomically."""

    def __init__(
        self,
        db: Database,
        client: SalesforceClient,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        progress: Callable[[str, int], None] | None = None,
        source: str = SOURCE,
    ) -> None:
        self.source = source  # names the sync state: one per org
        self.db = db
        self.client = client
        self.now = now
        self.progress = progress
        self.report = SyncReport()
        self.actor = Actor(user_id=None, username="sync:salesforce", request_id="sync")

    async def run(self, objects: Sequence[SyncObject] = OBJECTS) -> SyncReport:
        marks = await watermarks(self.db, self.source)
        error: str | None = None
        try:
            for obj in objects:
                self.report.pulled.setdefault(obj.name, 0)
                self.report.written.setdefault(obj.name, 0)
                where = ""
                if obj.name in marks:
                    where = (
                        " WHERE SystemModstamp >= "
                        f"{soql_time(datetime.fromisoformat(marks[obj.name]))}"
                    )
                # Object, fields and the timestamp are ours, never input: no quoting needed.
                soql = f"SELECT {obj.fields} FROM {obj.name}{where} ORDER BY SystemModstamp, Id"  # noqa: S608
                async for records in self.client.query(soql, include_deleted=obj.include_deleted):
                    page = parse_page(obj, records)
                    self.report.pulled[obj.name] += len(records)
                    if page.watermark is not None:
                        marks[obj.name] = page.watermark.isoformat()
                    await self._apply(page, dict(marks))
                    self.report.pages += 1
                    if self.progress:
                        self.progress(obj.name, len(records))
        except Exception as exc:
            error = str(exc) or type(exc).__name__
            self.report.failed = error
            raise
        finally:
            await self.db.write(FINISH, {"id": self.source, "now": self.now(), "error": error})
        return self.report

    async def _apply(self, page: Page, marks: dict[str, str]) -> None:
        extra: list[SfAccount] = []
        if page.obj.name == "Account":
            extra = await self._missing_ancestors(page.valid)

        async def work(tx: Transaction) -> None:
            issues = list(page.issues)
            conflicts: list[dict[str, Any]] = []
            written = 0
            if page.valid or extra:
                apply = APPLIERS[page.obj.name]
                written = await apply(tx, extra + page.valid, issues, conflicts, self.now())
            now = self.now()
            if issues:
                await tx.run(RECORD_ISSUES, {"issues": issues, "source": SOURCE, "now": now})
            if conflicts:
                await tx.run(
                    RECORD_CONFLICTS, {"conflicts": conflicts, "source": SOURCE, "now": now}
                )
            await tx.run(
                SAVE_WATERMARK, {"id": self.source, "watermarks": json.dumps(marks), "now": now}
            )
            if written and not page.obj.include_deleted:  # activities audit in the capture core
                await audit_in(
                    tx, self.actor, "org.structure", page.obj.name, f"salesforce:{written}"
                )
            self.report.written[page.obj.name] += written
            self.report.issues.extend(issues)
            self.report.conflicts.extend(conflicts)

        await self.db.write_transaction(work)

    async def _missing_ancestors(self, accounts: list[SfAccount]) -> list[SfAccount]:
        """Parents neither in this page nor in the graph, fetched by id up to their roots."""
        have = {a.Id for a in accounts}
        found: list[SfAccount] = []
        wanted = {a.ParentId for a in accounts if a.ParentId and a.ParentId not in have}
        for _ in range(10):  # hierarchies are shallow; a cycle cannot loop forever
            if not wanted:
                break
            known = await self.db.read(UNITS_EXIST, {"ids": [f"sf-{w}" for w in wanted]})
            wanted -= {r["id"][3:] for r in known}
            if not wanted:
                break
            ids = ", ".join(f"'{w}'" for w in sorted(wanted) if SF_ID.match(w))
            # Each id matched SF_ID (letters and digits only) above.
            soql = f"SELECT {OBJECTS[0].fields} FROM Account WHERE Id IN ({ids})"  # noqa: S608
            fetched: list[SfAccount] = []
            async for records in self.client.query(soql):
                fetched += [SfAccount.model_validate(r) for r in records]
            have |= {a.Id for a in fetched}
            found = fetched + found
            wanted = {a.ParentId for a in fetched if a.ParentId and a.ParentId not in have}
        return found


# -- push back --------------------------------------------------------------------------------

_OPEN_ACTION: Final = """
WHERE x.status = 'OPEN' AND x.salesforceTaskId IS NULL AND coalesce(x.archived, false) = false
RETURN DISTINCT x.id AS id, x.title AS title, x.due AS due, a.externalId AS whatId
ORDER BY id LIMIT $limit
"""
ACTIONS_TO_PUSH: Final = (
    (
        "MATCH (a:Account {source: 'salesforce'}) "
        "MATCH (a)-[:HAS_PLAN]->(:Plan)-[:REVIEWED_IN]->(:Review)-[:HAS_ACTION]->(x:Action) "
        + _OPEN_ACTION,
    ),
    (
        "MATCH (a:Account {source: 'salesforce'}) "
        "MATCH (a)-[:HAS_PLAN]->(:Plan)-[:HAS_ACTION]->(x:Action) " + _OPEN_ACTION,
    ),
)
MARK_PUSHED: Final = """
MATCH (x:Action {id: $id})
SET x.salesforceTaskId = $taskId, x.updatedAt = $now
"""


async def push_actions(
    db: Database, client: SalesforceClient, report: SyncReport, limit: int = 500
) -> int:
    """Open plan actions of synced accounts become Salesforce Tasks, each once."""
    rows = []
    for (query,) in ACTIONS_TO_PUSH:
        rows += await db.read(query, {"limit": limit})
    rows = sorted({r["id"]: r for r in rows}.values(), key=lambda r: r["id"])[:limit]
    for row in rows:
        due = row["due"]
        task = {
            "Subject": str(row["title"])[:255],
            "WhatId": row["whatId"],
            "Status": "Not Started",
            "Description": f"KAM Graph action {row['id']}",
        }
        if due is not None:
            task["ActivityDate"] = str(due)[:10]
        task_id = await client.create("Task", task)
        await db.write(MARK_PUSHED, {"id": row["id"], "taskId": task_id, "now": datetime.now(UTC)})
        report.pushed += 1
    return len(rows)


ISSUES: Final = """
MATCH (i:SyncIssue) RETURN i {.object, .recordId, .reason, .at} AS issue ORDER BY i.at DESC
  LIMIT $limit
"""
CONFLICTS: Final = """
MATCH (c:SyncConflict) RETURN c {.nodeId, .field, .kept, .theirs, .at} AS conflict
ORDER BY c.at DESC LIMIT $limit
"""
