"""A member's mail (.eml files, an mbox or a Maildir) as activities for the capture core.

The standard library reads it (`mailbox`, `email`). Only the first `MAX_READ` bytes of a
message are parsed: the headers and, when the policy allows it, the first lines of the
plain-text body; a message larger than that (a big attachment) is taken by its headers and
reported. Messages are folded into threads by Message-ID, In-Reply-To and References: a
thread is one interaction, at the time of its latest message.
"""

from __future__ import annotations

import hashlib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any, Final

from graph.capture_items import Activity, BadItem, normalise_email

MAX_READ: Final = 1_000_000
REPLY_PREFIX = re.compile(r"^\s*((re|aw|fw|fwd|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass
class _Message:
    position: str
    at: datetime
    own: str
    references: list[str]
    reply_to: str | None
    subject: str
    lines: list[str]
    people: set[str]


@dataclass
class _Thread:
    root: str
    position: str
    at: datetime
    first_at: datetime
    subject: str
    lines: list[str] = field(default_factory=list)
    people: set[str] = field(default_factory=set)


def _messages(path: Path) -> Iterator[tuple[str, Any, str | None]]:
    """(position, file, problem) for each message at the path, in a stable order."""
    if path.is_dir():
        if all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            box = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(box.keys()):
                yield f"maildir {key}", box.get_file(key), None
            return
        for file in sorted(path.glob("*.eml")):
            yield file.name, file.open("rb"), None
        return
    if path.suffix.lower() == ".eml":
        yield path.name, path.open("rb"), None
        return
    try:
        box_file = mailbox.mbox(path, factory=None, create=False)
        keys = list(box_file.keys())
    except Exception as exc:
        yield "file", None, f"not a readable mbox ({type(exc).__name__})"
        return
    for number, key in enumerate(keys, 1):
        yield f"message {number}", box_file.get_file(key), None


def _first_lines(message: Message, count: int) -> list[str]:
    part = next(
        (
            p
            for p in message.walk()
            if p.get_content_type() == "text/plain"
            and not str(p.get("Content-Disposition", "")).lower().startswith("attachment")
        ),
        None,
    )
    if part is None:
        return []
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return []
    try:
        text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    except LookupError:  # an unknown charset
        text = payload.decode("utf-8", errors="replace")
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(">"):
            continue
        if line == "--" or re.match(r"^On .+ wrote:$", line):
            break
        lines.append(line)
        if len(lines) >= count:
            break
    return lines


def _when(message: Message) -> datetime | None:
    raw = message.get("Date")
    if raw is None:
        return None
    try:
        at = parsedate_to_datetime(str(raw))
    except (TypeError, ValueError, IndexError):
        return None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)


def _subject(message: Message) -> str:
    try:
        text = str(make_header(decode_header(str(message.get("Subject", "")))))
    except (HeaderParseError, LookupError, UnicodeDecodeError):
        text = str(message.get("Subject", ""))
    return REPLY_PREFIX.sub("", " ".join(text.split())).strip()


def _ids(value: object) -> list[str]:
    return MESSAGE_ID.findall(str(value)) if value is not None else []


def _root(message: _Message, by_id: dict[str, _Message]) -> str:
    """The thread's first message: the first of References (RFC 5322), else the root of the
    message replied to when it is in the same mailbox, else that message, else itself."""
    seen: set[str] = set()
    while not message.references and message.reply_to and message.reply_to not in seen:
        seen.add(message.reply_to)
        parent = by_id.get(message.reply_to)
        if parent is None:
            return message.reply_to
        message = parent
    return message.references[0] if message.references else message.own


def read_mail(
    path: Path,
    owner: str,
    body_lines: int = 0,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[Activity | BadItem]:
    """The member's threads as activities (one per thread); bad messages as bad items."""
    messages: list[_Message] = []
    for item in _read(path, body_lines, since, until):
        if isinstance(item, BadItem):
            yield item
        else:
            messages.append(item)
    by_id = {m.own: m for m in messages}
    threads: dict[str, _Thread] = {}
    for m in messages:
        root = _root(m, by_id)
        thread = threads.get(root)
        if thread is None:
            thread = threads[root] = _Thread(root, m.position, m.at, m.at, m.subject)
        elif m.at < thread.first_at:  # the thread's subject is its first message's
            thread.first_at, thread.subject = m.at, m.subject
        thread.people |= m.people
        if m.at >= thread.at:
            thread.at, thread.lines = m.at, m.lines
    for thread in threads.values():
        yield Activity(
            source="mail",
            source_id=thread.root.lower(),
            at=thread.at,
            channel="EMAIL",
            subject=thread.subject or None,
            excerpt=tuple(thread.lines),
            position=thread.position,
            attendee_emails=tuple(sorted(thread.people)),
            member_ids=(owner,),
            source_version=thread.at.timestamp(),
        )


def _read(
    path: Path, body_lines: int, since: datetime | None, until: datetime | None
) -> Iterator[_Message | BadItem]:
    """Each message's headers (and first lines), or why it cannot be captured."""
    # The compat32 policy: the default one's header objects cost 2 ms a message.
    parser = BytesParser()
    for position, handle, problem in _messages(path):
        if handle is None:
            yield BadItem(position, problem or "unreadable")
            continue
        with handle:
            head = handle.read(MAX_READ)
            oversize = bool(handle.read(1))
        if not head.strip():
            yield BadItem(position, "empty message")
            continue
        message = parser.parsebytes(head)
        at = _when(message)
        if at is None:
            yield BadItem(position, "no readable Date header: not captured")
            continue
        if (since and at < since) or (until and at > until):
            continue
        defects = {type(d).__name__ for d in message.defects}
        if not oversize and "CloseBoundaryNotFoundDefect" in defects:
            yield BadItem(position, "truncated message (no closing boundary): not captured")
            continue
        if oversize:
            yield BadItem(position, f"larger than {MAX_READ:,} bytes: taken by its headers only")
        ids = _ids(message.get("Message-ID"))
        own = ids[0] if ids else None
        if own is None:  # no id at all: its own headers make a stable key
            basis = "|".join(str(message.get(h, "")) for h in ("Date", "From", "To", "Subject"))
            own = "<" + hashlib.sha256(basis.encode()).hexdigest() + "@no-message-id>"
        people: set[str] = set()
        for header in ("From", "To", "Cc", "Sender", "Reply-To"):
            for _, address in getaddresses([str(v) for v in message.get_all(header, [])]):
                if normalised := normalise_email(address):
                    people.add(normalised)
        replied = _ids(message.get("In-Reply-To"))
        yield _Message(
            position=position,
            at=at,
            own=own,
            references=_ids(message.get("References")),
            reply_to=replied[0] if replied else None,
            subject=_subject(message),
            lines=_first_lines(message, body_lines) if body_lines > 0 and not oversize else [],
            people=people,
        )
