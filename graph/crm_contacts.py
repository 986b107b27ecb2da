"""Salesforce contacts into the graph: each `WORKS_IN` its account's unit, `REPORTS_TO` its
Salesforce manager (SOLID), linked later when the manager arrives in a later page (see
graph/crm.py). A contact of an account not synced is a sync issue."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

from graph.contact_keys import keep_account_ids
from graph.crm_records import SfContact, merge_fields, sync_issue, synced_base
from graph.driver import Transaction

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


async def apply_contacts(
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
        write, base, found = merge_fields(cid, known.get(cid), synced_base(known.get(cid)), theirs)
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
        await keep_account_ids(tx.run, [str(r["id"]) for r in rows])
        await tx.run(UNLINK_MANAGERS, {"rows": rows})
        await tx.run(LINK_MANAGERS, {"rows": rows})
        await tx.run(LINK_WAITING, {"ids": [r["externalId"] for r in rows]})
    return len(rows)
