"""The items of activity capture: what a source hands over (`Activity`, or a `BadItem` it could
not read), what of it a summary keeps (`SummaryPolicy`), the id of the interaction it becomes
(`interaction_id`) and what a run reports (`CaptureReport`: counts and ids, never text)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

SUMMARY_MAX: Final = 1000
CHANNELS: Final = frozenset({"MEETING", "CALL", "VIDEO", "EMAIL", "EVENT", "OTHER"})
SOURCES: Final = {"calendar": "cal", "mail": "mail", "salesforce": "sf"}


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
