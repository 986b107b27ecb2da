"""A team member's LinkedIn network into the graph: connections matched to contacts, KNOWS made.

The source sits behind `ConnectionSource`, so a licensed profile API can replace the CSV of a
member's data download without touching the matching. A match by profile URL or email is
confident and becomes a KNOWS edge (with `since`); one by name and company is uncertain and
goes to a review list instead of the graph.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Final, Protocol

from graph.driver import Database, Transaction
from graph.errors import NotFound
from graph.writes import Actor, audit_in

CONFIDENT = 0.9


@dataclass(frozen=True)
class LinkedInConnection:
    first_name: str
    last_name: str
    url: str | None
    email: str | None
    company: str | None
    position: str | None
    connected_on: date | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ConnectionSource(Protocol):
    """Where a member's connections come from (a data download today, an API tomorrow)."""

    def connections(self) -> Iterable[LinkedInConnection]: ...


HEADER: Final = [
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
]


class ConnectionsCsv:
    """`Connections.csv` of a LinkedIn data download (its notes before the header are skipped)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def connections(self) -> Iterable[LinkedInConnection]:
        lines = self.text.splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("First Name,")), None)
        if start is None:
            raise ValueError(
                "no header line starting with 'First Name,': is this LinkedIn's Connections.csv?"
            )
        for row in csv.DictReader(io.StringIO("\n".join(lines[start:]))):
            yield LinkedInConnection(
                first_name=(row.get("First Name") or "").strip(),
                last_name=(row.get("Last Name") or "").strip(),
                url=normalise_url(row.get("URL")),
                email=(row.get("Email Address") or "").strip().lower() or None,
                company=(row.get("Company") or "").strip() or None,
                position=(row.get("Position") or "").strip() or None,
                connected_on=_date(row.get("Connected On")),
            )


def normalise_url(url: str | None) -> str | None:
    """https://www.linkedin.com/in/<slug>, whatever host spelling, case or trailing bits."""
    if not url:
        return None
    found = re.search(r"linkedin\.com/in/([^/?#\s]+)", url.strip(), re.IGNORECASE)
    return f"https://www.linkedin.com/in/{found.group(1).lower()}" if found else None


def _date(text: str | None) -> date | None:
    if not text:
        return None
    for pattern in ("%d %b %Y", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Match:
    connection: LinkedInConnection
    contact_id: str
    contact_name: str
    account_name: str
    by: str  # URL, EMAIL, NAME_AND_COMPANY
    confidence: float


@dataclass
class LinkedInReport:
    linked: list[Match] = field(default_factory=list)
    review: list[Match] = field(default_factory=list)
    unmatched: list[LinkedInConnection] = field(default_factory=list)


BY_URL: Final = """
UNWIND $keys AS k
MATCH (c:Contact {linkedinUrl: k})-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)
RETURN k AS key, c.id AS id, c.name AS name, a.name AS account
"""
BY_EMAIL: Final = """
UNWIND $keys AS k
MATCH (c:Contact {email: k})-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)
RETURN k AS key, c.id AS id, c.name AS name, a.name AS account
"""
BY_NAME: Final = """
UNWIND $keys AS k
MATCH (c:Contact {name: k})-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)
RETURN k AS key, c.id AS id, c.name AS name, a.name AS account
"""
KNOWS: Final = """
UNWIND $links AS l
MATCH (m:TeamMember {id: $memberId}), (c:Contact {id: l.contactId})
MERGE (m)-[k:KNOWS]->(c)
ON CREATE SET k.strength = 0.5, k.since = l.since, k.source = 'linkedin'
SET k.since = coalesce(k.since, l.since)
RETURN count(k) AS n
"""


def _company_fits(company: str | None, account: str) -> bool:
    if not company:
        return False
    a, c = account.lower().strip(), company.lower().strip()
    return bool(c) and (c in a or a in c)


async def match(db: Database, connections: Sequence[LinkedInConnection]) -> LinkedInReport:
    """Match each connection: URL, else email, else name and company (uncertain)."""
    report = LinkedInReport()
    found: dict[str, dict[str, list[dict[str, str]]]] = {}
    for kind, statement, keys in (
        ("URL", BY_URL, [c.url for c in connections if c.url]),
        ("EMAIL", BY_EMAIL, [c.email for c in connections if c.email]),
        ("NAME_AND_COMPANY", BY_NAME, [c.name for c in connections if c.name]),
    ):
        table: dict[str, list[dict[str, str]]] = {}
        for row in await db.read(statement, {"keys": sorted(set(keys))}):
            table.setdefault(row["key"], []).append(row)
        found[kind] = table
    for conn in connections:
        hit = None
        for kind, key, confidence in (("URL", conn.url, 1.0), ("EMAIL", conn.email, 0.95)):
            rows = found[kind].get(key or "", [])
            if len(rows) == 1:
                hit = Match(
                    conn, rows[0]["id"], rows[0]["name"], rows[0]["account"], kind, confidence
                )
                break
        if hit is None:
            named = [
                r
                for r in found["NAME_AND_COMPANY"].get(conn.name, [])
                if _company_fits(conn.company, r["account"])
            ]
            if len(named) == 1:
                r = named[0]
                hit = Match(conn, r["id"], r["name"], r["account"], "NAME_AND_COMPANY", 0.7)
        if hit is None:
            report.unmatched.append(conn)
        elif hit.confidence >= CONFIDENT:
            report.linked.append(hit)
        else:
            report.review.append(hit)
    return report


async def import_connections(
    db: Database, actor: Actor, member_id: str, source: ConnectionSource, *, dry_run: bool = False
) -> LinkedInReport:
    """Match a member's connections and create KNOWS edges for the confident matches."""
    if not await db.read("MATCH (m:TeamMember {id: $id}) RETURN m.id AS id", {"id": member_id}):
        raise NotFound(f"team member {member_id}")
    report = await match(db, list(source.connections()))
    if dry_run or not report.linked:
        return report

    async def work(tx: Transaction) -> None:
        links = [
            {
                "contactId": m.contact_id,
                "since": m.connection.connected_on or datetime.now(UTC).date(),
            }
            for m in report.linked
        ]
        await tx.run(KNOWS, {"memberId": member_id, "links": links})
        await audit_in(
            tx, actor, "network.influence", "TeamMember", member_id, f"LINKEDIN {len(links)}"
        )

    await db.write_transaction(work)
    return report
