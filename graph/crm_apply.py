"""Writing one page of each Salesforce object into the graph: accounts as the client's
units, contacts, opportunities as projects, contact roles as buying roles (see graph/crm.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from graph.crm_activity import apply_activities
from graph.crm_records import (
    LEVELS,
    SfAccount,
    SfContact,
    SfContactRole,
    SfOpportunity,
    merge_fields,
    role_of,
    sync_issue,
)
from graph.driver import Transaction

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
        issues.append(
            sync_issue("Account", a.Id, f"parent {a.ParentId} cannot be placed (a cycle?)")
        )
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
                sync_issue("Contact", c.Id, f"account {c.AccountId or '(none)'} is not synced")
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
                sync_issue("Opportunity", o.Id, f"account {o.AccountId or '(none)'} is not synced")
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
                sync_issue(
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
