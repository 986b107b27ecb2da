"""A member's calendar (iCalendar, RFC 5545) as activities for the capture core.

Parsing is `icalendar`'s; recurring events are expanded within a window by
`recurring-ical-events` (RRULE, RDATE, EXDATE, moved instances, time zones). Each event
series is expanded on its own, so a broken one is reported with its position and the rest
is read. An occurrence is keyed by UID, plus its RECURRENCE-ID when the event recurs; a
cancelled one (STATUS:CANCELLED, or an EXDATE) cancels what an earlier run stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import unquote, urlparse

import icalendar
import recurring_ical_events

from graph.capture_items import Activity, BadItem, normalise_email


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime


def local_path(location: str) -> str:
    """A path, or a `file://` URL of a local file, as a path; other URLs are refused."""
    if "://" not in location:
        return location
    url = urlparse(location)
    if url.scheme != "file" or url.netloc not in ("", "localhost"):
        raise ValueError("only local files (a path or a file:// URL) can be read")
    return unquote(url.path)


def _utc(value: Any) -> datetime:
    """A DTSTART/RECURRENCE-ID value as an aware UTC time (floating times count as UTC)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    raise ValueError("not a date or time")


def _addresses(component: icalendar.Component, name: str) -> list[tuple[str, str | None]]:
    values = component.get(name)
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    found = []
    for value in values:
        address = normalise_email(str(value))
        if address:
            params = getattr(value, "params", {})
            found.append((address, str(params.get("PARTSTAT", "")).upper() or None))
    return found


def _text(component: icalendar.Component, name: str) -> str:
    value = component.get(name)
    return str(value) if value is not None else ""


def _excerpt(event: icalendar.Component, body_lines: int) -> tuple[str, ...]:
    if body_lines <= 0:
        return ()
    lines = [ln.strip() for ln in _text(event, "DESCRIPTION").splitlines() if ln.strip()]
    return tuple(lines[:body_lines])


def _sequence(event: icalendar.Component) -> float:
    try:
        return float(int(str(event.get("SEQUENCE", 0))))
    except ValueError:
        return 0.0


def read_calendar(
    data: bytes, owner: str, window: Window, body_lines: int = 0
) -> Iterator[Activity | BadItem]:
    """The calendar's occurrences in the window, as activities of its owner (a member id)."""
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as exc:  # the parser raises several types for a broken file
        yield BadItem("file", f"not a readable iCalendar file ({type(exc).__name__})")
        return
    number = 0
    for calendar in calendars:
        cancel_all = str(calendar.get("METHOD", "")).upper() == "CANCEL"
        zones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
        series: dict[str, list[icalendar.Component]] = {}
        first: dict[str, int] = {}
        for component in calendar.subcomponents:
            if component.name != "VEVENT":
                continue
            number += 1
            uid = str(component.get("UID", "")).strip()
            if not uid:
                yield BadItem(f"event {number}", "no UID")
                continue
            series.setdefault(uid, []).append(component)
            first.setdefault(uid, number)
        for uid, events in series.items():
            yield from _occurrences(
                uid, events, zones, first[uid], owner, window, body_lines, cancel_all
            )


def _occurrences(
    uid: str,
    events: list[icalendar.Component],
    zones: list[icalendar.Component],
    number: int,
    owner: str,
    window: Window,
    body_lines: int,
    cancel_all: bool,
) -> Iterator[Activity | BadItem]:
    position = f"event {number}"
    recurs = any(e.get("RRULE") or e.get("RDATE") or e.get("RECURRENCE-ID") for e in events)
    one = icalendar.Calendar()
    for zone in zones:
        one.add_component(zone)
    for event in events:
        one.add_component(event)
    try:
        occurrences = list(recurring_ical_events.of(one).between(window.since, window.until))
        found: list[Activity | BadItem] = []
        for occurrence in occurrences:
            start = _utc(occurrence["DTSTART"].dt)
            key = uid
            if recurs:
                rid = occurrence.get("RECURRENCE-ID")
                key = f"{uid}|{_utc(rid.dt if rid is not None else start).isoformat()}"
            found.append(_activity(occurrence, key, start, position, owner, body_lines, cancel_all))
        found += list(_excluded(uid, events, position, owner, window))
    except Exception as exc:  # a broken series: reported, the others go on
        yield BadItem(position, f"event cannot be read ({type(exc).__name__})")
        return
    yield from found


def _activity(
    event: icalendar.Component,
    key: str,
    start: datetime,
    position: str,
    owner: str,
    body_lines: int,
    cancel_all: bool,
) -> Activity:
    people = _addresses(event, "ATTENDEE") + _addresses(event, "ORGANIZER")
    present = tuple(sorted({a for a, state in people if state != "DECLINED"}))
    location = _text(event, "LOCATION")
    status = _text(event, "STATUS").upper()
    return Activity(
        source="calendar",
        source_id=key,
        at=start,
        channel="VIDEO" if "://" in location else "MEETING",
        subject=_text(event, "SUMMARY").strip() or None,
        excerpt=_excerpt(event, body_lines),
        position=position,
        attendee_emails=present,
        member_ids=(owner,),
        source_version=_sequence(event),
        cancelled=cancel_all or status == "CANCELLED",
    )


def _excluded(
    uid: str, events: list[icalendar.Component], position: str, owner: str, window: Window
) -> Iterator[Activity]:
    """EXDATEs of the series in the window: instances taken out, cancelled if stored before."""
    for event in events:
        if event.get("RECURRENCE-ID") is not None:
            continue
        values = event.get("EXDATE")
        if values is None:
            continue
        for exdate in values if isinstance(values, list) else [values]:
            for when in exdate.dts:
                at = _utc(when.dt)
                if window.since <= at <= window.until:
                    yield Activity(
                        source="calendar",
                        source_id=f"{uid}|{at.isoformat()}",
                        at=at,
                        channel="MEETING",
                        subject=None,
                        position=position,
                        member_ids=(owner,),
                        source_version=_sequence(event),
                        cancelled=True,
                    )
