"""Salesforce accounts into the graph: one with no parent becomes our `Account` and its GLOBAL
unit; one below it a `ClientUnit` one level down from its parent, on the same account (see
graph/crm.py). A page is placed parents first; a record whose parent cannot be placed is a
sync issue."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

from graph.contact_keys import keep_account_ids
from graph.crm_records import LEVELS, SfAccount, merge_fields, sync_issue, synced_base
from graph.driver import Transaction

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


async def apply_accounts(
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
                uid,
                row["props"] if row else None,
                synced_base(row["props"] if row else None),
                theirs,
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
                    account_id, current, synced_base(current), theirs_a
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
        # Only a unit that changes account can change its contacts' (a new one has none yet).
        moved = [
            r for r in units if (known.get(str(r["id"])) or {}).get("accountId") != r["accountId"]
        ]
        await keep_account_ids(tx.run, unit_ids=[str(r["id"]) for r in moved])
        await tx.run(UNLINK_MOVED_UNITS, {"rows": units})
        await tx.run(LINK_PARENTS, {"rows": units})
    return len(units)
