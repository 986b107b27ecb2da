"""Activity capture end to end: hand-built calendars and mailboxes through `kam capture`, into
the real database, and out through the API, with need-to-know and staleness."""

from __future__ import annotations

import json
import mailbox
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from graph.capture_items import BadItem
from graph.convert import native
from tests import factories
from tests.client_fixture import ClientFixture, am_login, build_client
from tests.conftest import Backend, LiveApp
from tests.factories import nodes

SECRET_SUBJECT = "Zebra takeover plan"  # must never reach output or logs
SECRET_BODY = "Confidential margin is eleven percent"


def kam(backend: Backend, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kam", *args],
        capture_output=True,
        text=True,
        env={**backend.cli_env(), "COLUMNS": "400", **env},
        timeout=180,
        check=False,
    )


@pytest.fixture
def client(live: LiveApp, uid: str) -> ClientFixture:
    """The hand-built client, with addresses of its own, aliases, and a second account's
    contact (for meetings across accounts)."""
    fixture = build_client(live.backend, uid)
    live.backend.write(
        """MATCH (c:Contact) WHERE c.id STARTS WITH $p
           SET c.email = c.id + '@client.example'
           WITH count(c) AS n
           MATCH (ceo:Contact {id: $p + '-ceo'}) SET ceo.email = toUpper($p)
             + '-CEO@Client.example '
           WITH count(ceo) AS n
           MATCH (cpo:Contact {id: $p + '-cpo'})
             SET cpo.emailAliases = [$p + '-carl@private.example']
           WITH count(cpo) AS n
           MATCH (am:TeamMember {id: $p + '-am'}) SET am.email = $p + '-alma@ours.example'
           WITH count(am) AS n
           MATCH (mk:TeamMember {id: $p + '-mk'})
           SET mk.email = $p + '-mika@ours.example', mk.emailAliases = [$p + '-mika@old.example']
           WITH count(mk) AS n
           MATCH (o:Account {id: $p + '-other'})
           MERGE (u:ClientUnit {id: $p + '-OG'}) SET u.name = 'Other HQ', u.level = 'GLOBAL'
           MERGE (o)-[:HAS_UNIT]->(u)
           MERGE (x:Contact {id: $p + '-oboss'}) SET x.name = 'Otto Boss',
             x.email = $p + '-oboss@other.example'
           MERGE (x)-[:WORKS_IN]->(u)""",
        p=uid,
    )
    return fixture


def ics(*events: str) -> str:
    return "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kam tests//EN", *events, "END:VCALENDAR", ""]
    )


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event(uid: str, start: datetime, *lines: str, summary: str = SECRET_SUBJECT) -> str:
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{stamp(start)}",
            f"DTSTART:{stamp(start)}",
            f"DTEND:{stamp(start + timedelta(hours=1))}",
            f"SUMMARY:{summary}",
            f"DESCRIPTION:{SECRET_BODY}",
            *lines,
            "END:VEVENT",
        ]
    )


def captured(backend: Backend, account: str) -> dict[str, dict[str, Any]]:
    rows = backend.read(
        """MATCH (a:Account {id: $a})<-[:ABOUT]-(i:Interaction) WHERE i.captured = true
           RETURN i.id AS id, i.at AS at, i.summary AS summary,
                  coalesce(i.archived, false) AS archived,
                  [(i)-[:WITH]->(c:Contact) | c.id] AS contacts,
                  [(i)-[:BY]->(m:TeamMember) | m.id] AS members""",
        a=account,
    )
    return {
        r["id"]: {
            **r,
            "at": native(r["at"]),
            "contacts": sorted(r["contacts"]),
            "members": sorted(r["members"]),
        }
        for r in rows
    }


def test_calendar_capture_recurring_cancelled_aliases_across_accounts_and_repeats(
    backend: Backend, client: ClientFixture, tmp_path: Path
) -> None:
    p = client.prefix
    now = datetime.now(UTC).replace(microsecond=0)
    weekly = now - timedelta(days=30)  # four weekly meetings, the last 9 days ago
    am_file = tmp_path / "alma.ics"
    am_file.write_text(
        ics(
            event(
                f"{p}-weekly",
                weekly,
                "RRULE:FREQ=WEEKLY;COUNT=4",
                f"EXDATE:{stamp(weekly + timedelta(days=7))}",
                f"ORGANIZER:mailto:{p}-alma@ours.example",
                f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{p.upper()}-ceo@client.EXAMPLE",
                f"ATTENDEE;PARTSTAT=DECLINED:mailto:{p}-buyer@client.example",
            ),
            # the third one was cancelled
            "\r\n".join(
                [
                    "BEGIN:VEVENT",
                    f"UID:{p}-weekly",
                    f"RECURRENCE-ID:{stamp(weekly + timedelta(days=14))}",
                    f"DTSTART:{stamp(weekly + timedelta(days=14))}",
                    f"DTEND:{stamp(weekly + timedelta(days=14, hours=1))}",
                    "STATUS:CANCELLED",
                    "SUMMARY:cancelled",
                    "END:VEVENT",
                ]
            ),
            # one meeting, contacts of two accounts, the other member by an old alias
            event(
                f"{p}-joint",
                now - timedelta(days=5),
                f"ATTENDEE:mailto:{p}-carl@private.example",
                f"ATTENDEE:mailto:{p}-oboss@other.example",
                f"ATTENDEE:mailto:{p}-mika@old.example",
            ),
            # nobody of the client: not stored
            event(
                f"{p}-lunch", now - timedelta(days=3), "ATTENDEE:mailto:friend@elsewhere.example"
            ),
            # a broken rule: reported with its position, the rest is captured
            event(f"{p}-broken", now - timedelta(days=2), "RRULE:FREQ=SOMETIMES"),
            # outside the window (the default: a year back to now)
            event(
                f"{p}-future", now + timedelta(days=3), f"ATTENDEE:mailto:{p}-site@client.example"
            ),
        )
    )
    # Alma sits on both accounts' teams: a meeting with people of both feeds both.
    backend.write(
        "MATCH (m:TeamMember {id: $m}), (o:Account {id: $o}) "
        "MERGE (m)-[t:ON_TEAM]->(o) SET t.role = 'ACCOUNT_MANAGER', t.from = $since",
        m=client.id("am"),
        o=client.other,
        since=date(2020, 1, 1),
    )
    first = kam(backend, "capture", "calendar", str(am_file), "--member", client.id("am"), "--json")
    assert first.returncode == 1, first.stderr  # one bad item
    report = json.loads(first.stdout)
    assert report["bad"] == [
        {"position": "event 5", "reason": "event cannot be read (BadRuleStringFormat)"}
    ]
    assert (report["read"], report["noContact"]) == (6, 1)  # 3 weekly + 1 EXDATE + joint + lunch
    assert (report["captured"], report["created"]) == (4, 4)  # 2 weekly + joint at two accounts
    assert report["accounts"] == {client.account: 3, client.other: 1}
    assert f"capture calendar for {client.id('am')}: read 6, captured 4" in first.stderr  # the log
    for text in (SECRET_SUBJECT, SECRET_BODY, "Zebra", "margin", "client.example", "ours.example"):
        assert text not in first.stdout + first.stderr
    stored = captured(backend, client.account)
    assert len(stored) == 3 and set(report["interactionIds"]) >= set(stored)
    weekly_rows = sorted(
        (r for r in stored.values() if r["contacts"] == [client.id("ceo")]), key=lambda r: r["at"]
    )
    assert [r["at"] for r in weekly_rows] == [weekly, weekly + timedelta(days=21)]
    assert all(
        r["members"] == [client.id("am")] for r in weekly_rows
    )  # the declined buyer is not WITH
    (joint,) = (r for r in stored.values() if r["contacts"] == [client.id("cpo")])
    assert joint["members"] == [client.id("am"), client.id("mk")]
    assert joint["summary"].startswith(SECRET_SUBJECT)  # stored behind need-to-know
    (other,) = captured(backend, client.other).values()
    assert other["contacts"] == [client.id("oboss")] and other["id"] != joint["id"]

    again = kam(
        backend, "capture", "calendar", am_file.as_uri(), "--member", client.id("am"), "--json"
    )
    assert json.loads(again.stdout)["created"] == 0
    assert captured(backend, client.account) == stored

    # The same joint meeting from the other member's calendar, where Alma is not listed: one
    # interaction, both members BY. A dry run first writes nothing.
    mk_file = tmp_path / "mika.ics"
    mk_file.write_text(
        ics(event(f"{p}-joint", now - timedelta(days=5), f"ATTENDEE:mailto:{p}-cpo@client.example"))
    )
    dry = kam(
        backend,
        "capture",
        "calendar",
        str(mk_file),
        "--member",
        client.id("mk"),
        "--dry-run",
        "--json",
    )
    assert dry.returncode == 0 and json.loads(dry.stdout)["created"] == 0
    done = kam(backend, "capture", "calendar", str(mk_file), "--member", client.id("mk"))
    assert done.returncode == 0, done.stderr
    assert captured(backend, client.account)[joint["id"]]["members"] == [
        client.id("am"),
        client.id("mk"),
    ]

    # Later the second weekly meeting is cancelled too: what was stored is archived.
    cancel = tmp_path / "cancel.ics"
    cancel.write_text(
        ics(
            "\r\n".join(
                [
                    "BEGIN:VEVENT",
                    f"UID:{p}-weekly",
                    f"RECURRENCE-ID:{stamp(weekly + timedelta(days=21))}",
                    f"DTSTART:{stamp(weekly + timedelta(days=21))}",
                    "SEQUENCE:2",
                    "STATUS:CANCELLED",
                    "SUMMARY:x",
                    "END:VEVENT",
                ]
            )
        )
    )
    gone = kam(backend, "capture", "calendar", str(cancel), "--member", client.id("am"), "--json")
    assert json.loads(gone.stdout)["cancelled"] == 1
    assert captured(backend, client.account)[weekly_rows[1]["id"]]["archived"] is True


def test_calendar_usage_errors(backend: Backend, client: ClientFixture, tmp_path: Path) -> None:
    missing = kam(
        backend, "capture", "calendar", str(tmp_path / "nope.ics"), "--member", client.id("am")
    )
    assert missing.returncode == 2 and "is not a file" in missing.stderr
    remote = kam(
        backend, "capture", "calendar", "https://example.com/cal.ics", "--member", client.id("am")
    )
    assert remote.returncode == 2 and "only local files" in remote.stderr
    garbage = tmp_path / "garbage.ics"
    garbage.write_text("this is not a calendar")
    bad = kam(backend, "capture", "calendar", str(garbage), "--member", client.id("am"), "--json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["bad"][0]["position"] == "file"
    nobody = kam(backend, "capture", "calendar", str(garbage), "--member", "no-such-member")
    assert nobody.returncode == 3 and "no team member" in nobody.stderr
    window = kam(
        backend,
        "capture",
        "calendar",
        str(garbage),
        "--member",
        client.id("am"),
        "--since",
        "yesterday",
    )
    assert window.returncode == 2 and "--since" in window.stderr
    for command in (["capture"], ["capture", "calendar"], ["capture", "mail"]):
        shown = kam(backend, *command, "--help")
        assert shown.returncode == 0 and "Usage" in shown.stdout


def mail(
    message_id: str,
    at: datetime | None,
    sender: str,
    to: list[str],
    subject: str = SECRET_SUBJECT,
    body: str = SECRET_BODY,
    references: str | None = None,
    in_reply_to: str | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["Message-ID"] = message_id
    if at is not None:
        msg["Date"] = format_datetime(at)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    if references:
        msg["References"] = references
        msg["In-Reply-To"] = references.split()[-1]
    if in_reply_to:  # a client that sets In-Reply-To alone
        msg["In-Reply-To"] = in_reply_to
    msg.set_content(body + "\n\nOn Monday someone wrote:\n> quoted\n")
    return msg


def test_mail_capture_threads_bad_items_and_the_body_policy(
    backend: Backend, client: ClientFixture, tmp_path: Path
) -> None:
    p = client.prefix
    now = datetime.now(UTC).replace(microsecond=0)
    alma, ceo = f"Alma <{p}-alma@ours.example>", f"Cora <{p}-ceo@client.example>"
    root = f"<{p}-root@ours.example>"
    messages = [
        mail(root, now - timedelta(days=6), alma, [ceo]),
        mail(
            f"<{p}-r1@client.example>",
            now - timedelta(days=5),
            ceo,
            [alma],
            "RE: " + SECRET_SUBJECT,
            "Sounds good",
            root,
        ),
        mail(
            f"<{p}-r2@ours.example>",
            now - timedelta(days=4),
            alma,
            [ceo, f"{p}-mika@ours.example"],
            "Re: Re: x",
            "See you",
            f"{root} <{p}-r1@client.example>",
        ),
        mail(
            f"<{p}-r3@client.example>",
            now - timedelta(days=4, hours=12),
            ceo,
            [alma],
            "Re: agenda",
            in_reply_to=f"<{p}-r1@client.example>",
        ),
        mail(f"<{p}-nodate@ours.example>", None, alma, [ceo]),
        mail(
            f"<{p}-stranger@ours.example>",
            now - timedelta(days=2),
            alma,
            ["friend@elsewhere.example"],
        ),
    ]
    big = mail(
        f"<{p}-big@ours.example>", now - timedelta(days=1), alma, [f"{p}-carl@private.example"]
    )
    big.add_attachment(
        b"\0" * (50 * 1024 * 1024),
        maintype="application",
        subtype="octet-stream",
        filename="big.bin",
    )
    messages.append(big)
    box_path = tmp_path / "alma.mbox"
    box = mailbox.mbox(box_path)
    for m in messages:
        box.add(m)
    box.flush()
    box.close()
    # A truncated last message: a multipart cut off before its closing boundary.
    cut = mail(f"<{p}-cut@ours.example>", now - timedelta(hours=3), alma, [ceo])
    cut.add_attachment(b"x" * 5000, maintype="application", subtype="pdf", filename="a.pdf")
    raw = cut.as_bytes()
    with box_path.open("ab") as handle:
        handle.write(b"\nFrom MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + raw[: len(raw) - 200])

    result = kam(
        backend,
        "capture",
        "mail",
        str(box_path),
        "--member",
        client.id("am"),
        "--json",
        KAM_CAPTURE_BODY_LINES="0",
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    reasons = {b["position"]: b["reason"] for b in report["bad"]}
    assert set(reasons) == {"message 5", "message 7", "message 8"}
    assert "Date" in reasons["message 5"] and "headers only" in reasons["message 7"]
    assert "truncated" in reasons["message 8"]
    # three threads read (the thread of 3, the stranger, the big one); two have client contacts
    assert (report["read"], report["noContact"], report["captured"]) == (3, 1, 2)
    for text in (SECRET_SUBJECT, SECRET_BODY, "Zebra", "Sounds good"):
        assert text not in result.stdout + result.stderr
    stored = captured(backend, client.account)
    thread = next(r for r in stored.values() if r["contacts"] == [client.id("ceo")])
    assert thread["at"] == now - timedelta(days=4)  # the latest message of the thread
    assert thread["members"] == [client.id("am"), client.id("mk")]
    assert thread["summary"] == SECRET_SUBJECT  # no body with KAM_CAPTURE_BODY_LINES=0
    assert (
        next(r for r in stored.values() if r["contacts"] == [client.id("cpo")])["summary"]
        == SECRET_SUBJECT
    )

    # The same mail as a Maildir, with bodies allowed: the same interactions, now with the
    # first line of the thread's latest message.
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for m in messages[:4]:
        maildir.add(m)
    again = kam(
        backend, "capture", "mail", str(tmp_path / "Maildir"), "--member", client.id("am"), "--json"
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["created"] == 0
    assert (
        captured(backend, client.account)[thread["id"]]["summary"] == f"{SECRET_SUBJECT} — See you"
    )
    # One .eml file on its own, with subjects kept out too: nothing of its text is stored.
    eml = tmp_path / "one.eml"
    eml.write_bytes(
        mail(f"<{p}-solo@ours.example>", now - timedelta(hours=1), alma, [ceo]).as_bytes()
    )
    single = kam(
        backend,
        "capture",
        "mail",
        str(eml),
        "--member",
        client.id("am"),
        "--json",
        KAM_CAPTURE_SUBJECTS="false",
        KAM_CAPTURE_BODY_LINES="0",
    )
    assert single.returncode == 0, single.stderr
    (solo,) = json.loads(single.stdout)["interactionIds"]
    assert captured(backend, client.account)[solo]["summary"] is None


def test_captured_interactions_in_the_api_scope_and_staleness(
    live: LiveApp, client: ClientFixture, uid: str, tmp_path: Path
) -> None:
    gaps = """query($a: ID!) { coverageGaps(accountId: $a, staleDays: 90) {
        staleRelationships { memberId contact { id } lastInteraction } } }"""
    risks = """{ projectsAtRisk(quietDays: 30) { project { id } reasons lastActivity } }"""

    def risk_of_p1() -> dict[str, Any]:
        found = live.gql(risks, as_user="executive")["data"]["projectsAtRisk"]
        return next(r for r in found if r["project"]["id"] == client.id("p1"))

    assert "NO_ACTIVITY" in risk_of_p1()["reasons"]  # its people last met 200 days ago
    before = live.gql(gaps, {"a": client.account}, as_user="executive")["data"]["coverageGaps"]
    stale = {(s["memberId"], s["contact"]["id"]) for s in before["staleRelationships"]}
    assert (client.id("am"), client.id("cpo")) in stale  # last talked 200 days ago
    when = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    path = tmp_path / "visit.ics"
    path.write_text(ics(event(f"{uid}-visit", when, f"ATTENDEE:mailto:{uid}-carl@private.example")))
    done = kam(
        live.backend, "capture", "calendar", str(path), "--member", client.id("am"), "--json"
    )
    assert done.returncode == 0, done.stderr
    (iid,) = json.loads(done.stdout)["interactionIds"]
    after = live.gql(gaps, {"a": client.account}, as_user="executive")["data"]["coverageGaps"]
    assert (client.id("am"), client.id("cpo")) not in {
        (s["memberId"], s["contact"]["id"]) for s in after["staleRelationships"]
    }
    # lastActivity of the project whose influencer was met
    p1 = risk_of_p1()
    assert "NO_ACTIVITY" not in p1["reasons"]
    assert datetime.fromisoformat(p1["lastActivity"]) == when
    page = (
        "query($a: ID!) "
        "{ account(id: $a) "
        "{ interactions(first: 5) { edges { node { id at summary memberIds contactIds } } } } }"
    )
    body = live.gql(page, {"a": client.account}, as_user=am_login(live.backend, client))
    first = nodes(body["data"]["account"]["interactions"])[0]
    assert first["id"] == iid and first["contactIds"] == [client.id("cpo")]
    assert first["summary"].startswith(SECRET_SUBJECT)
    # A role without the interactions section reads null with FORBIDDEN; someone off the
    # account cannot reach it at all.
    research = factories.member_login(
        live.backend, uid, "MARKET_RESEARCH", {client.account: (date(2020, 1, 1), None)}
    )
    hidden = live.gql(page, {"a": client.account}, as_user=research)
    assert hidden["data"]["account"]["interactions"] is None
    assert hidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    outsider = factories.member_login(live.backend, uid + "x", "ACCOUNT_MANAGER", {})
    assert live.gql(page, {"a": client.account}, as_user=outsider)["data"]["account"] is None
    contact = live.gql(
        "query($c: ID!) { contact(id: $c) { interactions(first: 1) { edges { node { id } } } } }",
        {"c": client.id("cpo")},
        as_user=outsider,
    )
    assert contact["data"]["contact"] is None


BERLIN = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE"""


def test_calendar_time_zones_moved_instances_and_keys() -> None:
    """10:00 in Berlin is 08:00 UTC in summer and 09:00 after the clocks go back; a moved
    instance keeps the key of the slot it came from; a one-off meeting is keyed by UID alone."""
    from integrations.calendar import Window, read_calendar

    text = ics(
        BERLIN,
        "\r\n".join(
            [
                "BEGIN:VEVENT",
                "UID:tz-weekly",
                "DTSTART;TZID=Europe/Berlin:20261012T100000",
                "DTEND;TZID=Europe/Berlin:20261012T110000",
                "RRULE:FREQ=WEEKLY;COUNT=3",
                "SUMMARY:s",
                "ATTENDEE:mailto:a@client.example",
                "END:VEVENT",
                "BEGIN:VEVENT",
                "UID:tz-weekly",
                "RECURRENCE-ID;TZID=Europe/Berlin:20261019T100000",
                "DTSTART;TZID=Europe/Berlin:20261020T150000",
                "DTEND;TZID=Europe/Berlin:20261020T160000",
                "SEQUENCE:1",
                "SUMMARY:s",
                "END:VEVENT",
                "BEGIN:VEVENT",
                "UID:one-off",
                "DTSTART;TZID=Europe/Berlin:20261101T090000",
                "SUMMARY:s",
                "END:VEVENT",
            ]
        ),
    )
    window = Window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))
    found = sorted(
        (a.at, a.source_id)
        for a in read_calendar(text.encode(), "m", window)
        if not isinstance(a, BadItem)
    )
    utc = lambda *x: datetime(*x, tzinfo=UTC)  # noqa: E731
    assert found == [
        (utc(2026, 10, 12, 8), "tz-weekly|2026-10-12T08:00:00+00:00"),
        (utc(2026, 10, 20, 13), "tz-weekly|2026-10-19T08:00:00+00:00"),  # moved, same key
        (utc(2026, 10, 26, 9), "tz-weekly|2026-10-26T09:00:00+00:00"),  # after the DST change
        (utc(2026, 11, 1, 8), "one-off"),
    ]


def test_aliases_set_through_the_api_are_matched(
    live: LiveApp, client: ClientFixture, uid: str, tmp_path: Path
) -> None:
    update = """mutation($in: UpdateNodeInput!) { updateNode(input: $in) {
        __typename ... on ValidationProblem { field } } }"""

    def patch(kind: str, node: str, props: dict[str, Any]) -> dict[str, Any]:
        (row,) = live.backend.read(
            "MATCH (n {id: $id}) RETURN coalesce(n.version, 1) AS v", id=node
        )
        edit = {"kind": kind, "id": node, "expectedVersion": row["v"], "patch": props}
        body = live.gql(update, {"in": edit}, as_user="admin")
        result: dict[str, Any] = body["data"]["updateNode"]
        return result

    bad = patch("CONTACT", client.id("nat"), {"emailAliases": ["not an address"]})
    assert bad["__typename"] == "ValidationProblem" and "emailAliases" in bad["field"]
    ok = patch("CONTACT", client.id("nat"), {"emailAliases": [f"Nina.{uid}@Home.Example"]})
    assert ok["__typename"] == "NodePayload"
    member = patch("TEAM_MEMBER", client.id("mk"), {"email": f"MIKA.{uid}@ours.example"})
    assert member["__typename"] == "NodePayload"
    stored = live.backend.read(
        "MATCH (c:Contact {id: $c}), (m:TeamMember {id: $m}) RETURN c.emailAliases AS a, "
        "m.email AS e",
        c=client.id("nat"),
        m=client.id("mk"),
    )
    assert stored == [{"a": [f"nina.{uid}@home.example"], "e": f"mika.{uid}@ours.example"}]
    path = tmp_path / "nina.ics"
    when = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    path.write_text(
        ics(
            event(
                f"{uid}-nina",
                when,
                f"ATTENDEE:mailto:nina.{uid}@home.example",
                f"ATTENDEE:mailto:mika.{uid}@OURS.example",
            )
        )
    )
    done = kam(
        live.backend, "capture", "calendar", str(path), "--member", client.id("am"), "--json"
    )
    assert done.returncode == 0, done.stderr
    (iid,) = json.loads(done.stdout)["interactionIds"]
    row = captured(live.backend, client.account)[iid]
    assert row["contacts"] == [client.id("nat")]
    assert row["members"] == [client.id("am"), client.id("mk")]


def test_a_calendar_feeds_only_its_owners_accounts_and_nobody_takes_an_address(
    backend: Backend, client: ClientFixture, tmp_path: Path
) -> None:
    """Row scope holds for captured items: a member's calendar reaches only the accounts the
    member was on at the time, and an alias never takes an address that is someone's main
    address (nor one two contacts claim)."""
    p = client.prefix
    now = datetime.now(UTC).replace(microsecond=0)
    # Someone on the fixture's account claims the other account's boss, and a colleague.
    backend.write(
        "MATCH (c:Contact {id: $c}) SET c.emailAliases = [$boss, 'shared@claimed.example']",
        c=client.id("site"),
        boss=f"{p}-oboss@other.example",
    )
    backend.write(
        "MATCH (c:Contact {id: $c}) SET c.emailAliases = ['shared@claimed.example']",
        c=client.id("buyer"),
    )
    mika = tmp_path / "mika-own.ics"
    mika.write_text(
        ics(
            event(
                f"{p}-otherboss",
                now - timedelta(days=4),
                f"ATTENDEE:mailto:{p}-oboss@other.example",
            ),
            event(f"{p}-shared", now - timedelta(days=3), "ATTENDEE:mailto:shared@claimed.example"),
        )
    )
    before_other = captured(backend, client.other)
    before_mine = captured(backend, client.account)
    run = kam(backend, "capture", "calendar", str(mika), "--member", client.id("mk"), "--json")
    report = json.loads(run.stdout)
    assert (report["captured"], report["noContact"]) == (0, 2), report
    assert captured(backend, client.other) == before_other  # Mika is not on that team
    assert captured(backend, client.account) == before_mine  # the alias took nothing
