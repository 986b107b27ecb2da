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
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.crm_activity import (
    EVENT_FIELDS,
    TASK_FIELDS,
    SfActivity,
    SfEvent,
    SfTask,
    apply_activities,
)
from graph.driver import Database, Transaction
from graph.writes import Actor, audit_in
from integrations.salesforce import SalesforceClient

SOURCE: Final = "salesforce"
SF_ID = re.compile(r"^[A-Za-z0-9]{15,18}$")
LEVELS: Final = ["GLOBAL", "REGIONAL", "NATIONAL", "STATE"]
ROLES: Final = {
    "decision maker": "DECISION_MAKER",
    "economic decision maker": "DECISION_MAKER",
    "economic buyer": "DECISION_MAKER",
    "executive sponsor": "CHAMPION",
    "influencer": "INFLUENCER",
    "technical buyer": "INFLUENCER",
    "evaluator": "INFLUENCER",
    "business user": "USER",
    "other": "USER",
}


def role_of(sf_role: str | None) -> str:
    """Our buying role for a Salesforce contact role (unknown ones count as USER)."""
    return ROLES.get((sf_role or "").strip().lower(), "USER")


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    Id: str = Field(pattern=SF_ID.pattern)
    SystemModstamp: datetime

    @field_validator("SystemModstamp")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return v if v.tzinfo else v.replace(tzinfo=UTC)


class SfAccount(_Record):
    Name: str = Field(min_length=1, max_length=255)
    ParentId: str | None = Field(default=None, pattern=SF_ID.pattern)
    Industry: str | None = Field(default=None, max_length=255)
    BillingCountry: str | None = Field(default=None, max_length=80)


class SfContact(_Record):
    AccountId: str | None = Field(default=None, pattern=SF_ID.pattern)
    FirstName: str | None = Field(default=None, max_length=80)
    LastName: str = Field(min_length=1, max_length=80)
    Title: str | None = Field(default=None, max_length=128)
    Email: str | None = Field(default=None, max_length=254)
    Phone: str | None = Field(default=None, max_length=40)
    ReportsToId: str | None = Field(default=None, pattern=SF_ID.pattern)


class SfOpportunity(_Record):
    AccountId: str | None = Field(default=None, pattern=SF_ID.pattern)
    Name: str = Field(min_length=1, max_length=120)
    StageName: str = Field(min_length=1, max_length=255)
    Amount: float | None = Field(default=None, ge=0, le=1e15)
    CloseDate: date | None = None
    IsClosed: bool = False
    IsWon: bool = False
    Type: str | None = Field(default=None, max_length=255)


class SfContactRole(_Record):
    OpportunityId: str = Field(pattern=SF_ID.pattern)
    ContactId: str = Field(pattern=SF_ID.pattern)
    Role: str | None = Field(default=None, max_length=80)
    IsPrimary: bool = False


@dataclass(frozen=True)
class SyncObject:
    name: str
    fields: str
    model: type[_Record] | type[SfActivity]
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

STATE: Final = "MATCH (s:SyncState {id: $id}) RETURN s.watermarks AS watermarks, s.lastSuccessAt AS lastSuccessAt, s.lastError AS lastError"
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


# -- field merge ------------------------------------------------------------------------------


def merge_fields(
    node_id: str,
    current: Mapping[str, Any] | None,
    base: Mapping[str, Any],
    theirs: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """What to write, the new base, and the conflicts, for one node's synced fields.

    A field whose value here differs from the base was edited here and is kept; if Salesforce
    changed it too (to something else), that is a conflict, reported once."""
    if current is None:
        return dict(theirs), dict(theirs), []
    write: dict[str, Any] = {}
    new_base = dict(base)
    conflicts: list[dict[str, Any]] = []
    for name, remote in theirs.items():
        local = current.get(name)
        known = name in base
        edited_here = known and local != base[name]
        if not edited_here:
            write[name] = remote
        elif remote != base[name] and remote != local:
            conflicts.append(
                {
                    "id": f"{node_id}:{name}:{_stamp(remote)}",
                    "nodeId": node_id,
                    "field": name,
                    "kept": _plain(local),
                    "theirs": _plain(remote),
                }
            )
        new_base[name] = remote
    return write, new_base, conflicts


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _stamp(value: Any) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(_plain(value)))[:60]


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
            issues.append(_issue(obj.name, record_id, f"malformed record: {where}: {first['msg']}"))
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


def _issue(obj: str, record_id: Any, reason: str) -> dict[str, Any]:
    rid = str(record_id) if isinstance(record_id, str) and SF_ID.match(record_id) else None
    return {
        "id": f"{obj}:{rid or 'unknown'}:{_stamp(reason)}",
        "object": obj,
        "recordId": rid,
        "reason": reason[:300],
    }


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
                    where = f" WHERE SystemModstamp >= {soql_time(datetime.fromisoformat(marks[obj.name]))}"
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


# -- accounts ---------------------------------------------------------------------------------

UNITS_NOW: Final = """
UNWIND $ids AS id
MATCH (u:ClientUnit {id: id})
OPTIONAL MATCH (a:Account)-[:HAS_UNIT]->(u)
RETURN u.id AS id, u.level AS level, a.id AS accountId, properties(u) AS props,
       CASE WHEN a IS NULL THEN null ELSE properties(a) END AS account
"""
UPSERT_ACCOUNTS: Final = """
UNWIND $rows AS x
MERGE (a:Account {id: x.id})
ON CREATE SET a.createdAt = $now, a.status = 'ACTIVE', a.tier = 'B', a.source = 'salesforce',
              a.externalId = x.externalId
SET a += x.props, a.sfBase = x.base, a.updatedAt = $now
"""
UPSERT_UNITS: Final = """
UNWIND $rows AS x
MERGE (u:ClientUnit {id: x.id})
ON CREATE SET u.createdAt = $now, u.source = 'salesforce', u.externalId = x.externalId
SET u += x.props, u.level = x.level, u.sfBase = x.base, u.updatedAt = $now
"""
LINK_UNITS: Final = """
UNWIND $rows AS x
MATCH (u:ClientUnit {id: x.id})
MATCH (a:Account {id: x.accountId})
MERGE (a)-[:HAS_UNIT]->(u)
"""
UNLINK_MOVED_UNITS: Final = """
UNWIND $rows AS x
MATCH (u:ClientUnit {id: x.id})
MATCH (u)<-[r:PARENT_OF]-(old:ClientUnit)
WHERE x.parentId IS NULL OR old.id <> x.parentId
DELETE r
"""
LINK_PARENTS: Final = """
UNWIND $rows AS x
WITH x WHERE x.parentId IS NOT NULL
MATCH (u:ClientUnit {id: x.id})
MATCH (p:ClientUnit {id: x.parentId})
MERGE (p)-[:PARENT_OF]->(u)
"""


async def _apply_accounts(
    tx: Transaction,
    records: list[SfAccount],
    issues: list[dict[str, Any]],
    conflicts: list[dict[str, Any]],
    now: datetime,
) -> int:
    # Every id this page touches, and the parents it hangs from, as they are now.
    ids = {f"sf-{a.Id}" for a in records} | {f"sf-{a.ParentId}" for a in records if a.ParentId}
    known = {r["id"]: r for r in await tx.run(UNITS_NOW, {"ids": sorted(ids)})}
    placed: dict[str, tuple[str, str]] = {  # unit id -> (level, account id)
        uid: (r["level"], r["accountId"]) for uid, r in known.items() if r["accountId"]
    }
    pending = list(records)
    accounts, units = [], []
    while pending:
        progress = False
        for a in list(pending):
            uid = f"sf-{a.Id}"
            if a.ParentId is None:
                level, account_id = "GLOBAL", f"sf-acct-{a.Id}"
            elif f"sf-{a.ParentId}" in placed:
                parent_level, account_id = placed[f"sf-{a.ParentId}"]
                level = LEVELS[min(LEVELS.index(parent_level) + 1, len(LEVELS) - 1)]
            else:
                continue
            pending.remove(a)
            progress = True
            placed[uid] = (level, account_id)
            row = known.get(uid)
            theirs = {"name": a.Name, "country": a.BillingCountry}
            write, base, found = merge_fields(
                uid, row["props"] if row else None, _base(row["props"] if row else None), theirs
            )
            conflicts += found
            units.append(
                {
                    "id": uid,
                    "externalId": a.Id,
                    "props": write,
                    "base": json.dumps(base),
                    "level": level,
                    "accountId": account_id,
                    "parentId": f"sf-{a.ParentId}" if a.ParentId else None,
                }
            )
            if a.ParentId is None:
                current = row["account"] if row else None
                theirs_a = {"name": a.Name, "industry": a.Industry}
                write_a, base_a, found_a = merge_fields(
                    account_id, current, _base(current), theirs_a
                )
                conflicts += found_a
                accounts.append(
                    {
                        "id": account_id,
                        "externalId": a.Id,
                        "props": write_a,
                        "base": json.dumps(base_a),
                    }
                )
        if not progress:
            break
    for a in pending:
        issues.append(_issue("Account", a.Id, f"parent {a.ParentId} cannot be placed (a cycle?)"))
    if accounts:
        await tx.run(UPSERT_ACCOUNTS, {"rows": accounts, "now": now})
    if units:
        await tx.run(UPSERT_UNITS, {"rows": units, "now": now})
        await tx.run(LINK_UNITS, {"rows": units})
        await tx.run(UNLINK_MOVED_UNITS, {"rows": units})
        await tx.run(LINK_PARENTS, {"rows": units})
    return len(units)


def _base(props: Mapping[str, Any] | None) -> dict[str, Any]:
    if not props or not props.get("sfBase"):
        return {}
    try:
        loaded = json.loads(props["sfBase"])
    except (TypeError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


# -- contacts ---------------------------------------------------------------------------------

CONTACTS_NOW: Final = """
UNWIND $ids AS id
MATCH (c:Contact {id: id})
RETURN c.id AS id, properties(c) AS props
"""
UNITS_EXIST: Final = "UNWIND $ids AS id MATCH (u:ClientUnit {id: id}) RETURN u.id AS id"
UPSERT_CONTACTS: Final = """
UNWIND $rows AS x
MERGE (c:Contact {id: x.id})
ON CREATE SET c.createdAt = $now, c.source = 'salesforce', c.externalId = x.externalId,
              c.buyingRole = 'USER'
SET c += x.props, c.sfBase = x.base, c.sfReportsTo = x.reportsTo, c.updatedAt = $now
"""
UNLINK_MOVED_CONTACTS: Final = """
UNWIND $rows AS x
MATCH (c:Contact {id: x.id})
MATCH (c)-[w:WORKS_IN]->(old:ClientUnit)
WHERE old.id <> x.unitId
DELETE w
"""
LINK_CONTACTS: Final = """
UNWIND $rows AS x
MATCH (c:Contact {id: x.id})
MATCH (u:ClientUnit {id: x.unitId})
MERGE (c)-[:WORKS_IN]->(u)
"""
UNLINK_MANAGERS: Final = """
UNWIND $rows AS x
MATCH (c:Contact {id: x.id})
MATCH (c)-[r:REPORTS_TO {kind: 'SOLID'}]->(old:Contact)
WHERE old.source = 'salesforce' AND (x.reportsTo IS NULL OR old.externalId <> x.reportsTo)
DELETE r
"""
# Managers in the graph already; and people synced earlier whose manager arrives only now.
LINK_MANAGERS: Final = """
UNWIND $rows AS x
WITH x WHERE x.reportsTo IS NOT NULL
MATCH (c:Contact {id: x.id})
MATCH (m:Contact {id: 'sf-' + x.reportsTo})
MERGE (c)-[:REPORTS_TO {kind: 'SOLID'}]->(m)
"""
LINK_WAITING: Final = """
UNWIND $ids AS sfId
MATCH (c:Contact {sfReportsTo: sfId})
MATCH (m:Contact {id: 'sf-' + sfId})
MERGE (c)-[:REPORTS_TO {kind: 'SOLID'}]->(m)
"""


async def _apply_contacts(
    tx: Transaction,
    records: list[SfContact],
    issues: list[dict[str, Any]],
    conflicts: list[dict[str, Any]],
    now: datetime,
) -> int:
    unit_ids = sorted({f"sf-{c.AccountId}" for c in records if c.AccountId})
    units = {r["id"] for r in await tx.run(UNITS_EXIST, {"ids": unit_ids})}
    known = {
        r["id"]: r["props"]
        for r in await tx.run(CONTACTS_NOW, {"ids": [f"sf-{c.Id}" for c in records]})
    }
    rows = []
    for c in records:
        if not c.AccountId or f"sf-{c.AccountId}" not in units:
            issues.append(
                _issue("Contact", c.Id, f"account {c.AccountId or '(none)'} is not synced")
            )
            continue
        cid = f"sf-{c.Id}"
        theirs = {
            "name": " ".join(p for p in (c.FirstName, c.LastName) if p),
            "title": c.Title,
            "email": c.Email.lower() if c.Email else None,
            "phone": c.Phone,
        }
        write, base, found = merge_fields(cid, known.get(cid), _base(known.get(cid)), theirs)
        conflicts += found
        rows.append(
            {
                "id": cid,
                "externalId": c.Id,
                "props": write,
                "base": json.dumps(base),
                "unitId": f"sf-{c.AccountId}",
                "reportsTo": c.ReportsToId,
            }
        )
    if rows:
        await tx.run(UPSERT_CONTACTS, {"rows": rows, "now": now})
        await tx.run(UNLINK_MOVED_CONTACTS, {"rows": rows})
        await tx.run(LINK_CONTACTS, {"rows": rows})
        await tx.run(UNLINK_MANAGERS, {"rows": rows})
        await tx.run(LINK_MANAGERS, {"rows": rows})
        await tx.run(LINK_WAITING, {"ids": [r["externalId"] for r in rows]})
    return len(rows)


# -- opportunities ----------------------------------------------------------------------------

PROJECTS_NOW: Final = """
UNWIND $ids AS id
MATCH (p:Project {id: id})
RETURN p.id AS id, properties(p) AS props
"""
ACCOUNT_OF_UNITS: Final = """
UNWIND $ids AS id
MATCH (a:Account)-[:HAS_UNIT]->(u:ClientUnit {id: id})
RETURN u.id AS unitId, a.id AS accountId
"""
UPSERT_PROJECTS: Final = """
UNWIND $rows AS x
MERGE (p:Project {id: x.id})
ON CREATE SET p.createdAt = $now, p.source = 'salesforce', p.externalId = x.externalId,
              p.kind = x.kind, p.version = 1
SET p += x.props, p.sfBase = x.base, p.updatedAt = $now,
    p.history = coalesce(p.history, []) + x.history
WITH p, x
MATCH (a:Account {id: x.accountId})
MERGE (a)-[:HAS_PROJECT]->(p)
"""


async def _apply_opportunities(
    tx: Transaction,
    records: list[SfOpportunity],
    issues: list[dict[str, Any]],
    conflicts: list[dict[str, Any]],
    now: datetime,
) -> int:
    owners = {
        r["unitId"]: r["accountId"]
        for r in await tx.run(
            ACCOUNT_OF_UNITS, {"ids": sorted({f"sf-{o.AccountId}" for o in records if o.AccountId})}
        )
    }
    known = {
        r["id"]: r["props"]
        for r in await tx.run(PROJECTS_NOW, {"ids": [f"sf-{o.Id}" for o in records]})
    }
    rows = []
    for o in records:
        account_id = owners.get(f"sf-{o.AccountId}") if o.AccountId else None
        if account_id is None:
            issues.append(
                _issue("Opportunity", o.Id, f"account {o.AccountId or '(none)'} is not synced")
            )
            continue
        pid = f"sf-{o.Id}"
        status = ("WON" if o.IsWon else "LOST") if o.IsClosed else "OPEN"
        theirs = {
            "name": o.Name,
            "stage": o.StageName,
            "value": o.Amount,
            "status": status,
            "closeDate": o.CloseDate,
        }
        current = known.get(pid)
        write, base, found = merge_fields(pid, current, _base(current), theirs)
        conflicts += found
        history = [
            json.dumps(
                {
                    "at": now.isoformat(),
                    "by": "sync:salesforce",
                    "field": f,
                    "from": current.get(f),
                    "to": write[f],
                }
            )
            for f in ("stage", "status")
            if current is not None and f in write and write[f] != current.get(f)
        ]
        rows.append(
            {
                "id": pid,
                "externalId": o.Id,
                "props": write,
                "base": json.dumps(base, default=str),
                "accountId": account_id,
                "history": history,
                "kind": "DEFEND" if o.Type and "existing" in o.Type.lower() else "ATTACK",
            }
        )
    if rows:
        await tx.run(UPSERT_PROJECTS, {"rows": rows, "now": now})
    return len(rows)


# -- contact roles ----------------------------------------------------------------------------

ENDS_EXIST: Final = """
UNWIND $rows AS x
MATCH (c:Contact {id: x.contactId})
MATCH (p:Project {id: x.projectId})
RETURN x.id AS id
"""
UNLINK_ROLES: Final = """
UNWIND $rows AS x
MATCH (c:Contact {id: x.contactId})
MATCH (c)-[old:DECIDES]->(p:Project)
WHERE old.sfId = x.externalId AND (old.role <> x.role OR p.id <> x.projectId)
DELETE old
"""
UPSERT_ROLES: Final = """
UNWIND $rows AS x
MATCH (c:Contact {id: x.contactId})
MATCH (p:Project {id: x.projectId})
MERGE (c)-[d:DECIDES {role: x.role}]->(p)
SET d.sfId = x.externalId, d.primary = x.primary, d.source = 'salesforce'
"""


async def _apply_roles(
    tx: Transaction,
    records: list[SfContactRole],
    issues: list[dict[str, Any]],
    conflicts: list[dict[str, Any]],
    now: datetime,
) -> int:
    rows = [
        {
            "id": r.Id,
            "externalId": r.Id,
            "contactId": f"sf-{r.ContactId}",
            "projectId": f"sf-{r.OpportunityId}",
            "role": role_of(r.Role),
            "primary": r.IsPrimary,
        }
        for r in records
    ]
    present = {r["id"] for r in await tx.run(ENDS_EXIST, {"rows": rows})}
    for r in records:
        if r.Id not in present:
            issues.append(
                _issue(
                    "OpportunityContactRole",
                    r.Id,
                    f"contact {r.ContactId} or opportunity {r.OpportunityId} is not synced",
                )
            )
    rows = [r for r in rows if r["id"] in present]
    if rows:
        await tx.run(UNLINK_ROLES, {"rows": rows})
        await tx.run(UPSERT_ROLES, {"rows": rows})
    return len(rows)


APPLIERS: Final[dict[str, Callable[..., Any]]] = {
    "Account": _apply_accounts,
    "Contact": _apply_contacts,
    "Opportunity": _apply_opportunities,
    "OpportunityContactRole": _apply_roles,
    "Task": apply_activities,
    "Event": apply_activities,
}

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
        "MATCH (a:Account {source: 'salesforce'}) MATCH (a)-[:HAS_PLAN]->(:Plan)-[:HAS_ACTION]->(x:Action) "
        + _OPEN_ACTION,
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
MATCH (i:SyncIssue) RETURN i {.object, .recordId, .reason, .at} AS issue ORDER BY i.at DESC LIMIT $limit
"""
CONFLICTS: Final = """
MATCH (c:SyncConflict) RETURN c {.nodeId, .field, .kept, .theirs, .at} AS conflict
ORDER BY c.at DESC LIMIT $limit
"""
