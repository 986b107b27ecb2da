"""Activity capture: meetings, mail and CRM activities become `Interaction` nodes, never typed twice.

A source (a calendar, a mailbox, Salesforce) hands over normalised `Activity` items. Each is
matched by email address (lower-cased, trimmed) to our team members and to client contacts;
known aliases live on the people themselves, as the list property `emailAliases` of a
`TeamMember` or `Contact` (a member's main address is `email`, like a contact's). An
activity with no known client contact is not stored; one with contacts of several accounts
becomes one interaction per account, each `ABOUT` its account and so in that account's scope.

Idempotent: an interaction's id is derived from the source's own id (Salesforce id, iCalendar
UID + RECURRENCE-ID, Message-ID of the thread) and the account id, so a second run, or the
same meeting from two members' calendars, finds the same node and only adds the `BY` edge of
the second member. A newer version of the same item (`source_version`) moves its time and
summary; a cancelled or deleted one archives what an earlier run stored. Each batch is one
managed transaction with its audit entry: nothing is half written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final, LiteralString

from graph.batch import merge_rels_statement
from graph.convert import native
from graph.driver import Database, Row, Transaction
from graph.errors import NotFound
from graph.model import Label, Rel
from graph.writes import Actor, audit_in

BATCH: Final = 200
SUMMARY_MAX: Final = 1000
CHANNELS: Final = frozenset({"MEETING", "CALL", "VIDEO", "EMAIL", "EVENT", "OTHER"})
SOURCES: Final = {"calendar": "cal", "mail": "mail", "salesforce": "sf"}

Runner = Callable[[LiteralString, Mapping[str, Any]], Awaitable[list[Row]]]
Teams = dict[str, list[tuple[str, date | None, date | None]]]  # member -> (account, from, until)


def normalise_email(text: str | None) -> str | None:
    """`Jane.Doe@Client.example ` and `mailto:jane.doe@client.example` are one address."""
    if not text:
        return None
    value = text.strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    value = value.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(ch.isspace() for ch in value):
        return None
    return value


@dataclass(frozen=True, slots=True)
class Activity:
    """One contact moment as a source saw it, before matching."""

    source: str  # calendar, mail, salesforce
    source_id: str  # the source's own key (never shown: it may carry a domain)
    at: datetime
    channel: str
    subject: str | None
    position: str  # where it was in the input, for reports
    member_emails: tuple[str, ...] = ()  # addresses that may be ours
    attendee_emails: tuple[str, ...] = ()  # addresses that may be the client's (or ours)
    member_ids: tuple[str, ...] = ()  # our people known by id (the calendar's owner)
    contact_ids: tuple[str, ...] = ()  # client contacts known by id (a Salesforce WhoId)
    source_version: float = 0.0  # a higher one replaces time and summary
    cancelled: bool = False
    excerpt: tuple[str, ...] = ()  # the body's first lines, as many as the policy reads


@dataclass(frozen=True, slots=True)
class SummaryPolicy:
    """What of an item goes into the interaction's summary: its subject (or not) and the
    body's first `body_lines` lines (0: bodies stay out entirely)."""

    subjects: bool = True
    body_lines: int = 3

    def compose(self, subject: str | None, excerpt: Sequence[str]) -> str | None:
        parts = [subject or ""] if self.subjects else []
        parts += list(excerpt[: self.body_lines])
        text = " — ".join(" ".join(p.split()) for p in parts if p and p.strip())
        return text[: SUMMARY_MAX - 1] + "…" if len(text) > SUMMARY_MAX else text or None


@dataclass(frozen=True, slots=True)
class BadItem:
    position: str
    reason: str  # our own words: never the item's text

    def as_json(self) -> dict[str, str]:
        return {"position": self.position, "reason": self.reason}


@dataclass
class CaptureReport:
    """Counts and ids only: a run never names a subject or a body."""

    read: int = 0
    captured: int = 0  # interactions written (one per activity and account)
    created: int = 0  # of which new
    cancelled: int = 0  # interactions archived: cancelled meetings, deleted activities
    no_contact: int = 0  # activities with no known client contact: not stored
    bad: list[BadItem] = field(default_factory=list)
    interaction_ids: list[str] = field(default_factory=list)
    accounts: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "captured": self.captured,
            "created": self.created,
            "cancelled": self.cancelled,
            "noContact": self.no_contact,
            "bad": [b.as_json() for b in self.bad],
            "interactionIds": sorted(set(self.interaction_ids)),
            "accounts": dict(sorted(self.accounts.items())),
            "dryRun": self.dry_run,
        }

    def merge(self, other: CaptureReport) -> None:
        self.captured += other.captured
        self.created += other.created
        self.cancelled += other.cancelled
        self.no_contact += other.no_contact
        self.interaction_ids += other.interaction_ids
        for account, n in other.accounts.items():
            self.accounts[account] = self.accounts.get(account, 0) + n


def interaction_id(source: str, source_id: str, account_id: str) -> str:
    """Our id for one source item at one account: stable, and telling nothing of the item."""
    digest = hashlib.sha256(f"{source}\x00{source_id}\x00{account_id}".encode()).hexdigest()
    return f"int-{SOURCES.get(source, 'x')}-{digest[:24]}"


# -- who is who -------------------------------------------------------------------------------

MEMBERS_BY_EMAIL: Final = """
MATCH (m:TeamMember)
WHERE m.email IS NOT NULL OR m.emailAliases IS NOT NULL OR m.salesforceUserId IS NOT NULL
RETURN m.id AS id, m.email AS email, m.emailAliases AS aliases, m.salesforceUserId AS sfUser
"""
# Read once per run: aliases and main addresses stored in another case (the index below
# only finds the normalised ones), of contacts not archived.
CONTACT_ALIASES: Final = """
MATCH (c:Contact)
WHERE (c.emailAliases IS NOT NULL OR (c.email IS NOT NULL AND c.email <> toLower(trim(c.email))))
  AND coalesce(c.archived, false) = false
RETURN c.id AS id, c.email AS email, c.emailAliases AS aliases
"""
# The accounts each capturing member was on the team of, with the windows.
TEAM_WINDOWS: Final = """
UNWIND $ids AS mid
MATCH (:TeamMember {id: mid})-[t:ON_TEAM]->(a:Account)
RETURN mid AS memberId, a.id AS accountId, t.from AS since, t.until AS until
"""
# Sources read from one member's own calendar or mailbox: what they hold goes only to the
# accounts that member was on the team of at the time (row scope holds for captured items).
OWN_SOURCES: Final = frozenset({"calendar", "mail"})
CONTACTS_BY_EMAIL: Final = """
UNWIND $emails AS e
MATCH (c:Contact {email: e})
RETURN e AS email, c.id AS id
"""
ACCOUNTS_OF_CONTACTS: Final = """
UNWIND $ids AS cid
MATCH (c:Contact {id: cid})-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)
WHERE coalesce(c.archived, false) = false AND coalesce(a.archived, false) = false
RETURN DISTINCT cid AS contactId, a.id AS accountId
"""
MEMBER_EXISTS: Final = "MATCH (m:TeamMember {id: $id}) RETURN m.id AS id"


def _addresses(row: Row) -> list[str]:
    found = [normalise_email(row.get("email"))]
    found += [normalise_email(str(a)) for a in row.get("aliases") or []]
    return [a for a in found if a]


@dataclass
class Directory:
    """Our members by address (and Salesforce user), client contacts known by an alias."""

    members: dict[str, str] = field(default_factory=dict)
    sf_users: dict[str, str] = field(default_factory=dict)
    contact_mains: dict[str, list[str]] = field(default_factory=dict)  # stored in another case
    contact_aliases: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    async def load(cls, run: Runner, *, contacts: bool = True) -> Directory:
        """`contacts`: also read the contacts' aliases (sources that name contacts by id don't)."""
        directory = cls()
        for row in await run(MEMBERS_BY_EMAIL, {}):
            for address in _addresses(row):
                directory.members.setdefault(address, row["id"])
            if row.get("sfUser"):
                directory.sf_users[str(row["sfUser"])] = row["id"]
        for row in await run(CONTACT_ALIASES, {}) if contacts else []:
            main = normalise_email(row.get("email"))
            if main:
                directory.contact_mains.setdefault(main, []).append(row["id"])
            for alias in row.get("aliases") or []:
                alias_address = normalise_email(str(alias))
                if alias_address and alias_address != main:
                    directory.contact_aliases.setdefault(alias_address, []).append(row["id"])
        return directory


async def check_member(db: Database, member_id: str) -> None:
    if not await db.read(MEMBER_EXISTS, {"id": member_id}):
        raise NotFound(f"team member {member_id}")


# -- writing ----------------------------------------------------------------------------------

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


async def _contacts_of(
    run: Runner, directory: Directory, activities: Sequence[Activity]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Contact ids by address, and account ids by contact id, for one batch. An address is
    whose main address it is; an alias counts only for an address that is nobody's main
    address, and only when one contact alone claims it (nobody takes another's address)."""
    wanted = sorted(
        {e for a in activities for e in a.attendee_emails if e not in directory.members}
    )
    by_email: dict[str, list[str]] = {
        e: list(ids) for e, ids in directory.contact_mains.items() if e in wanted
    }
    if wanted:
        for row in await run(CONTACTS_BY_EMAIL, {"emails": wanted}):
            by_email.setdefault(row["email"], []).append(row["id"])
    for address in wanted:
        claims = directory.contact_aliases.get(address, [])
        if address not in by_email and len(claims) == 1:
            by_email[address] = list(claims)
    ids = {c for a in activities for c in a.contact_ids}
    ids |= {c for a in activities for e in a.attendee_emails for c in by_email.get(e, [])}
    accounts: dict[str, list[str]] = {}
    if ids:
        for row in await run(ACCOUNTS_OF_CONTACTS, {"ids": sorted(ids)}):
            accounts.setdefault(row["contactId"], []).append(row["accountId"])
    return by_email, accounts


async def _teams_of(run: Runner, activities: Sequence[Activity]) -> Teams:
    """The team windows of the members whose own calendar or mailbox a batch comes from."""
    owners = sorted({m for a in activities if a.source in OWN_SOURCES for m in a.member_ids})
    teams: Teams = {}
    for row in await run(TEAM_WINDOWS, {"ids": owners}) if owners else []:
        since, until = native(row["since"]), native(row["until"])
        teams.setdefault(row["memberId"], []).append((row["accountId"], since, until))
    return teams


def _on_team(teams: Teams, members: Iterable[str], account: str, at: datetime) -> bool:
    day = at.astimezone(UTC).date()
    return any(
        a == account and (since is None or since <= day) and (until is None or day <= until)
        for m in members
        for a, since, until in teams.get(m, [])
    )


def _rows(
    activities: Sequence[Activity],
    directory: Directory,
    by_email: Mapping[str, list[str]],
    accounts: Mapping[str, list[str]],
    teams: Teams,
    report: CaptureReport,
    policy: SummaryPolicy,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Interaction rows (one per activity and account) and cancellations."""
    rows: dict[str, dict[str, Any]] = {}
    cancels: list[dict[str, Any]] = []
    for act in activities:
        if act.cancelled:
            cancels.append(
                {
                    "source": act.source,
                    "sourceId": act.source_id,
                    "sourceVersion": act.source_version,
                }
            )
            continue
        members = set(act.member_ids)
        members |= {directory.members[e] for e in act.member_emails if e in directory.members}
        members |= {directory.members[e] for e in act.attendee_emails if e in directory.members}
        contacts = set(act.contact_ids)
        contacts |= {
            c
            for e in act.attendee_emails
            if e not in directory.members
            for c in by_email.get(e, [])
        }
        own = act.source in OWN_SOURCES
        per_account: dict[str, set[str]] = {}
        for contact in contacts:
            for account in accounts.get(contact, []):
                if own and not _on_team(teams, act.member_ids, account, act.at):
                    continue  # not an account the calendar's or mailbox's owner was on
                per_account.setdefault(account, set()).add(contact)
        if not per_account:
            report.no_contact += 1
            continue
        for account, people in per_account.items():
            iid = interaction_id(act.source, act.source_id, account)
            row = rows.get(iid)
            if row is None or act.source_version > row["sourceVersion"]:
                merged_contacts = set(row["contactIds"]) if row else set()
                merged_members = set(row["memberIds"]) if row else set()
                row = rows[iid] = {
                    "id": iid,
                    "accountId": account,
                    "source": act.source,
                    "sourceId": act.source_id,
                    "sourceVersion": act.source_version,
                    "at": act.at.astimezone(UTC),
                    "channel": act.channel if act.channel in CHANNELS else "OTHER",
                    "summary": policy.compose(act.subject, act.excerpt),
                    "contactIds": merged_contacts,
                    "memberIds": merged_members,
                }
            row["contactIds"] |= people
            row["memberIds"] |= members
    out = [
        {**r, "contactIds": sorted(r["contactIds"]), "memberIds": sorted(r["memberIds"])}
        for r in rows.values()
    ]
    return out, cancels


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
    by_email, accounts = await _contacts_of(tx.run, directory, activities)
    teams = await _teams_of(tx.run, activities)
    rows, cancels = _rows(activities, directory, by_email, accounts, teams, report, policy)
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
