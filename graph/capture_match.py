"""Who is who in activity capture: addresses matched to our members and to client contacts
(`Directory`), and one batch of activities turned into interaction rows, one per activity and
account (`match_batch`).

An address is whose main address it is; an alias counts only for an address that is nobody's
main address, and only when one contact alone claims it. An item from a member's own calendar
or mailbox goes only to the accounts that member was on the team of at the time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from graph.capture_items import (
    CHANNELS,
    Activity,
    CaptureReport,
    SummaryPolicy,
    interaction_id,
    normalise_email,
)
from graph.convert import native
from graph.driver import Database, Row, Runner
from graph.errors import NotFound

Teams = dict[str, list[tuple[str, date | None, date | None]]]  # member -> (account, from, until)

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


# -- one batch --------------------------------------------------------------------------------


async def match_batch(
    run: Runner,
    directory: Directory,
    activities: Sequence[Activity],
    report: CaptureReport,
    policy: SummaryPolicy,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Interaction rows (one per activity and account) and cancellations of one batch; an
    activity with no known client contact is counted in `report.no_contact`."""
    by_email, accounts = await _contacts_of(run, directory, activities)
    teams = await _teams_of(run, activities)
    return _rows(activities, directory, by_email, accounts, teams, report, policy)


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
