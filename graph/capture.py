"""Activity capture, the writing: meetings, mail and CRM activities become `Interaction` nodes,
never typed twice (`capture`, batch by batch; `write_batch`, one batch).

A source (a calendar, a mailbox, Salesforce) hands over normalised `Activity` items
(graph/capture_items.py). Each is matched (graph/capture_match.py) by email address
(lower-cased, trimmed) to our team members and to client contacts; known aliases live on the
people themselves, as the list property `emailAliases` of a `TeamMember` or `Contact` (a
member's main address is `email`, like a contact's). An activity with no known client contact
is not stored; one with contacts of several accounts becomes one interaction per account,
each `ABOUT` its account and so in that account's scope.

Idempotent: an interaction's id is derived from the source's own id (Salesforce id, iCalendar
UID + RECURRENCE-ID, Message-ID of the thread) and the account id, so a second run, or the
same meeting from two members' calendars, finds the same node and only adds the `BY` edge of
the second member. A newer version of the same item (`source_version`) moves its time and
summary; a cancelled or deleted one archives what an earlier run stored. Each batch is one
managed transaction with its audit entry: nothing is half written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Final

from graph.batch import merge_rels_statement
from graph.capture_items import Activity, BadItem, CaptureReport, SummaryPolicy
from graph.capture_match import Directory, match_batch
from graph.driver import Database, Transaction
from graph.model import Label, Rel
from graph.writes import Actor, audit_in

BATCH: Final = 200

EXISTING: Final = """
UNWIND $ids AS id
MATCH (i:Interaction {id: id})
RETURN i.id AS id
"""
UPSERT: Final = """
UNWIND $rows AS x
MATCH (a:Account {id: x.accountId})
MERGE (i:Interaction {id: x.id})
ON CREATE SET i.createdAt = $now, i.version = 1, i.source = x.source, i.sourceId = x.sourceId,
              i.captured = true
WITH i, x, (i.sourceVersion IS NULL OR x.sourceVersion >= i.sourceVersion) AS newer
SET i.at = CASE WHEN newer THEN x.at ELSE i.at END,
    i.channel = CASE WHEN newer THEN x.channel ELSE i.channel END,
    i.summary = CASE WHEN newer THEN x.summary ELSE i.summary END,
    i.archived = CASE WHEN newer AND i.cancelled = true THEN false ELSE i.archived END,
    i.cancelled = CASE WHEN newer THEN null ELSE i.cancelled END,
    i.updatedAt = CASE WHEN newer THEN $now ELSE i.updatedAt END,
    i.sourceVersion = CASE WHEN newer THEN x.sourceVersion ELSE i.sourceVersion END
RETURN count(i) AS n
"""
# A cancelled meeting or deleted activity: what an earlier run stored is archived (never
# deleted), unless a newer version of it came since.
CANCEL: Final = """
UNWIND $rows AS x
MATCH (i:Interaction {source: x.source, sourceId: x.sourceId})
WHERE coalesce(i.archived, false) = false
  AND (i.sourceVersion IS NULL OR x.sourceVersion >= i.sourceVersion)
SET i.archived = true, i.cancelled = true, i.updatedAt = $now, i.sourceVersion = x.sourceVersion
RETURN i.id AS id
"""
ABOUT: Final = merge_rels_statement(Rel.ABOUT, Label.INTERACTION, Label.ACCOUNT)
WITH_CONTACT: Final = merge_rels_statement(Rel.WITH, Label.INTERACTION, Label.CONTACT)
BY_MEMBER: Final = merge_rels_statement(Rel.BY, Label.INTERACTION, Label.TEAM_MEMBER)


async def write_batch(
    tx: Transaction,
    directory: Directory,
    activities: Sequence[Activity],
    actor: Actor,
    now: datetime,
    *,
    dry_run: bool = False,
    policy: SummaryPolicy = SummaryPolicy(),
) -> CaptureReport:
    """Match and store one batch inside the caller's transaction (or only match: dry run)."""
    report = CaptureReport(dry_run=dry_run)
    rows, cancels = await match_batch(tx.run, directory, activities, report, policy)
    ids = [r["id"] for r in rows]
    existing = {r["id"] for r in await tx.run(EXISTING, {"ids": ids})} if ids else set()
    report.captured = len(rows)
    report.created = len([i for i in ids if i not in existing])
    report.interaction_ids = ids
    for r in rows:
        report.accounts[r["accountId"]] = report.accounts.get(r["accountId"], 0) + 1
    if dry_run:
        return report
    if rows:
        await tx.run(UPSERT, {"rows": rows, "now": now})
        await tx.run(
            ABOUT, {"rows": [{"from": r["id"], "to": r["accountId"], "props": {}} for r in rows]}
        )
        links = [{"from": r["id"], "to": c, "props": {}} for r in rows for c in r["contactIds"]]
        await tx.run(WITH_CONTACT, {"rows": links})
        links = [{"from": r["id"], "to": m, "props": {}} for r in rows for m in r["memberIds"]]
        if links:
            await tx.run(BY_MEMBER, {"rows": links})
    if cancels:
        gone = await tx.run(CANCEL, {"rows": cancels, "now": now})
        report.cancelled = len(gone)
        report.interaction_ids += [g["id"] for g in gone]
    if rows or report.cancelled:
        await audit_in(
            tx, actor, "interactions", "Interaction", f"capture:{len(rows) + report.cancelled}"
        )
    return report


async def capture(
    db: Database,
    activities: Iterable[Activity | BadItem],
    actor: Actor,
    *,
    dry_run: bool = False,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
    policy: SummaryPolicy = SummaryPolicy(),
) -> CaptureReport:
    """Store activities in batches (one transaction each); bad items are reported, not fatal."""
    total = CaptureReport(dry_run=dry_run)
    directory = await Directory.load(db.read)
    pending: list[Activity] = []

    async def flush() -> None:
        if not pending:
            return
        chunk = list(pending)
        pending.clear()

        async def work(tx: Transaction) -> CaptureReport:
            return await write_batch(
                tx, directory, chunk, actor, datetime.now(UTC), dry_run=dry_run, policy=policy
            )

        total.merge(await db.write_transaction(work))
        if progress:
            progress(len(chunk))

    for item in activities:
        if isinstance(item, BadItem):
            total.bad.append(item)
            continue
        total.read += 1
        pending.append(item)
        if len(pending) >= batch:
            await flush()
    await flush()
    return total
