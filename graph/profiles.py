"""Profile changes of client contacts (title, company, profile URL) and what they mean for us.

A change arrives from a profile source (the GraphQL endpoint, which a webhook can call, or
`kam linkedin profile-change`; a licensed profile API would hand in the same `ProfileChange`)
and is kept in the contact's `profileHistory`. Two consequences are raised:
- the contact left the client (the new company is not the account's): a decision maker or
  influencer who left is a coverage gap of that account (`coverageGaps.departedKeyPeople`);
- the contact joined another key account: if one of ours knows them, that is a new way in
  (`coverageGaps.pathsIn` of the account they joined).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from graph.driver import Database, Transaction
from graph.errors import NotFound
from graph.linkedin import normalise_url
from graph.scope import ACCOUNT_IN_SCOPE, Scope
from graph.writes import Actor, Rejected, audit_in

KEY_ROLES: Final = ["DECISION_MAKER", "INFLUENCER", "CHAMPION", "BLOCKER"]
LEGAL: Final = re.compile(
    r"\b(ag|gmbh|inc|ltd|llc|plc|sa|sas|ab|as|nv|bv|spa|corp|corporation|co|company|group|holding|holdings)\b"
)


@dataclass(frozen=True)
class ProfileChange:
    """One observed change; None means "not part of this change"."""

    contact_id: str | None = None
    linkedin_url: str | None = None  # to find the contact when the source knows no id
    title: str | None = None
    company: str | None = None
    url: str | None = None
    at: date | None = None
    source: str = "manual"


@dataclass
class ProfileOutcome:
    contact_id: str
    contact_name: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    left_account_id: str | None = None
    key_person_left: bool = False
    joined_account_id: str | None = None
    joined_account_name: str | None = None
    known_by: list[str] = field(default_factory=list)  # names of our people who know them


def company_key(name: str | None) -> str:
    """A company name without case, punctuation or legal form: 'Nordwind AG' -> 'nordwind'."""
    text = re.sub(r"[^a-z0-9 ]", " ", (name or "").lower())
    return " ".join(LEGAL.sub(" ", text).split())


def same_company(a: str | None, b: str | None) -> bool:
    ka, kb = company_key(a), company_key(b)
    if not ka or not kb:
        return False
    return ka == kb or ka.startswith(kb + " ") or kb.startswith(ka + " ")


FIND: Final = (
    """
MATCH (c:Contact {id: $id})
MATCH (c)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)
WHERE """
    + ACCOUNT_IN_SCOPE
    + """
RETURN c.id AS id, c.name AS name, c.title AS title, c.linkedinUrl AS url,
       coalesce(c.employer, a.name) AS employer, c.buyingRole AS buyingRole,
       a.id AS accountId, a.name AS accountName,
       [(c)-[d:DECIDES]->(:Project)<-[:HAS_PROJECT]-(a) | d.role] AS roles,
       [(c)<-[:KNOWS]-(m:TeamMember) | m.name] AS knownBy
"""
)
# Only contacts in the caller's reach: one out of it answers like an unknown address.
BY_URL: Final = (
    "MATCH (c:Contact {linkedinUrl: $url})-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account) "
    "WHERE " + ACCOUNT_IN_SCOPE + " RETURN DISTINCT c.id AS id LIMIT 2"
)
ACCOUNTS: Final = "MATCH (a:Account) RETURN a.id AS id, a.name AS name"
# A move to an account out of the caller's reach is recorded (its team sees the way in) but
# not named to them: the one account a move matched is checked, not every account.
IN_REACH: Final = (
    "MATCH (a:Account {id: $accountId}) WHERE " + ACCOUNT_IN_SCOPE + " RETURN a.id AS id"
)
SAVE: Final = """
MATCH (c:Contact {id: $id})
SET c += $props, c.profileHistory = coalesce(c.profileHistory, []) + $history,
    c.updatedAt = $now, c.version = coalesce(c.version, 1) + 1
"""
LEFT: Final = """
MATCH (c:Contact {id: $id})
SET c.departedAt = $at, c.status = 'LEFT'
"""
BACK: Final = """
MATCH (c:Contact {id: $id})
REMOVE c.departedAt
SET c.status = null
"""
NOW_AT: Final = """
MATCH (c:Contact {id: $id})
MATCH (a:Account {id: $accountId})
MERGE (c)-[n:NOW_AT]->(a)
ON CREATE SET n.since = $at, n.fromAccountId = $fromAccountId, n.title = $title
"""


async def record_change(
    db: Database, actor: Actor, scope: Scope, change: ProfileChange
) -> ProfileOutcome:
    """Keep the change in the contact's history and raise what it means; one transaction."""
    at = change.at or datetime.now(UTC).date()
    url = normalise_url(change.url) if change.url else None
    if change.url and url is None:
        raise Rejected("'url' is not a LinkedIn profile address (linkedin.com/in/...)", field="url")
    for name, value in (("title", change.title), ("company", change.company)):
        if value is not None and not 1 <= len(value.strip()) <= 200:
            raise Rejected(f"'{name}' must have 1 to 200 characters", field=name)
    if change.title is None and change.company is None and change.url is None:
        raise Rejected("a profile change needs a title, a company or a url", field="title")

    async def work(tx: Transaction) -> ProfileOutcome:
        contact_id = change.contact_id
        if contact_id is None:
            wanted = normalise_url(change.linkedin_url) if change.linkedin_url else None
            found = await tx.run(BY_URL, {"url": wanted, **scope.params()}) if wanted else []
            if len(found) != 1:
                raise NotFound(f"contact with profile {change.linkedin_url}")
            contact_id = found[0]["id"]
        rows = await tx.run(FIND, {"id": contact_id, **scope.params()})
        if not rows:
            raise NotFound(f"contact {contact_id}")
        now = rows[0]
        outcome = ProfileOutcome(contact_id, now["name"], known_by=sorted(now["knownBy"]))
        props: dict[str, Any] = {}
        stamp = datetime.now(UTC).isoformat()
        for name, key, value in (
            ("title", "title", change.title.strip() if change.title else None),
            ("company", "employer", change.company.strip() if change.company else None),
            ("url", "linkedinUrl", url),
        ):
            old = now["employer" if name == "company" else ("url" if name == "url" else name)]
            if value is None or value == old:
                continue
            props[key] = value
            outcome.changes.append(
                {
                    "at": at.isoformat(),
                    "recordedAt": stamp,
                    "source": change.source,
                    "by": actor.username,
                    "field": name,
                    "from": old,
                    "to": value,
                }
            )
        if not outcome.changes:
            return outcome
        await tx.run(
            SAVE,
            {
                "id": contact_id,
                "props": props,
                "history": [json.dumps(c) for c in outcome.changes],
                "now": datetime.now(UTC),
            },
        )
        if "employer" in props:
            company = props["employer"]
            if same_company(company, now["accountName"]):
                await tx.run(BACK, {"id": contact_id})
            else:
                await tx.run(LEFT, {"id": contact_id, "at": at})
                outcome.left_account_id = now["accountId"]
                outcome.key_person_left = now["buyingRole"] in KEY_ROLES or any(
                    r in KEY_ROLES for r in now["roles"]
                )
                for account in await tx.run(ACCOUNTS):
                    if account["id"] != now["accountId"] and same_company(company, account["name"]):
                        if await tx.run(IN_REACH, {"accountId": account["id"], **scope.params()}):
                            outcome.joined_account_id = account["id"]
                            outcome.joined_account_name = account["name"]
                        await tx.run(
                            NOW_AT,
                            {
                                "id": contact_id,
                                "accountId": account["id"],
                                "at": at,
                                "fromAccountId": now["accountId"],
                                "title": props.get("title", now["title"]),
                            },
                        )
                        break
        await audit_in(tx, actor, "contact.profile", "Contact", contact_id)
        return outcome

    return await db.write_transaction(work)


DEPARTED: Final = """
MATCH (a:Account {id: $accountId})-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)
WHERE c.departedAt IS NOT NULL
WITH c, [(c)-[d:DECIDES]->(:Project)<-[:HAS_PROJECT]-(a) | d.role] AS roles
WHERE c.buyingRole IN $key OR any(r IN roles WHERE r IN $key)
RETURN c.id AS id, c.departedAt AS departedAt, c.employer AS employer, roles
ORDER BY departedAt DESC, id
"""
PATHS_IN: Final = """
MATCH (a:Account {id: $accountId})<-[n:NOW_AT]-(c:Contact)
MATCH (c)<-[k:KNOWS]-(m:TeamMember)
RETURN c.id AS id, n.since AS since, n.title AS title, n.fromAccountId AS fromAccountId,
       collect(m.id) AS memberIds
ORDER BY since DESC, id
"""


async def departed_key_people(db: Database, account_id: str) -> list[dict[str, Any]]:
    return await db.read(DEPARTED, {"accountId": account_id, "key": KEY_ROLES})


async def paths_in(db: Database, account_id: str) -> list[dict[str, Any]]:
    return await db.read(PATHS_IN, {"accountId": account_id})
