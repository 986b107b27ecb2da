"""Salesforce deals into the graph: opportunities as `Project`s on their unit's account (stage
and status changes kept in the project's history), contact roles as buying roles (`DECIDES`)
(see graph/crm.py). A record whose ends are not synced is a sync issue."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

from graph.crm_records import (
    SfContactRole,
    SfOpportunity,
    merge_fields,
    role_of,
    sync_issue,
    synced_base,
)
from graph.driver import Transaction

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


async def apply_opportunities(
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
        write, base, found = merge_fields(pid, current, synced_base(current), theirs)
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


async def apply_roles(
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
