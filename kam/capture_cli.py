"""`kam capture calendar|mail`: a member's meetings and mail become interactions.

Output and logs name counts, positions and ids only, never a subject or a body. Exit 0 when
every item was read, 1 when some were bad (they are listed; the rest is captured), 2 for a
usage mistake (no such file, a bad window), 3 when the member does not exist."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from graph.capture_items import Activity, BadItem, CaptureReport

capture_app = typer.Typer(
    help="Capture activity (meetings, mail) as interactions.", no_args_is_help=True
)
log = logging.getLogger("kam.capture")

MemberOpt = Annotated[str, typer.Option(help="The team member whose calendar or mail it is.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Match and count; write nothing.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
SinceOpt = Annotated[
    str | None, typer.Option(help="Start of the window: YYYY-MM-DD or an ISO time.")
]
UntilOpt = Annotated[str | None, typer.Option(help="End of the window: YYYY-MM-DD or an ISO time.")]


def parse_time(text: str | None, name: str) -> datetime | None:
    """A date or ISO time given on the command line, as an aware UTC time."""
    from kam.cli_common import fail

    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise fail(
            f"{name} must look like 2026-11-24 or 2026-11-24T09:00, got {text!r}", 2
        ) from None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)


def run_capture(
    kind: str, member: str, items: Iterable[Activity | BadItem], dry_run: bool, as_json: bool
) -> None:
    """Check the member, capture with progress, print the report, exit by the outcome."""
    from rich.progress import Progress

    from graph.capture import capture
    from graph.capture_items import SummaryPolicy
    from graph.capture_match import check_member
    from graph.driver import Database
    from graph.errors import NotFound
    from graph.writes import Actor
    from kam.cli_common import database, err, fail, load_settings, out, run_db
    from kam.logs import configure_logging

    settings = load_settings()
    configure_logging(json_lines=settings.is_production)
    actor = Actor(user_id=None, username=f"capture:{kind}", request_id="cli")

    async def work(db: Database) -> CaptureReport:
        await check_member(db, member)
        with Progress(console=err, transient=True, disable=as_json) as bar:
            task = bar.add_task(f"capturing {kind}", total=None)
            return await capture(
                db,
                items,
                actor,
                dry_run=dry_run,
                progress=lambda n: bar.advance(task, n),
                policy=SummaryPolicy(settings.capture_subjects, settings.capture_body_lines),
            )

    with database(settings) as connection:
        try:
            report = run_db(settings, connection, work)
        except NotFound:
            raise fail(f"no team member {member}", code=3) from None
    log.info(
        "capture %s for %s: read %d, captured %d (%d new), cancelled %d, no contact %d, bad %d%s",
        kind,
        member,
        report.read,
        report.captured,
        report.created,
        report.cancelled,
        report.no_contact,
        len(report.bad),
        " (dry run)" if dry_run else "",
    )
    if as_json:
        print(json.dumps({"source": kind, "memberId": member, **report.as_json()}))
    else:
        verb = "would capture" if dry_run else "captured"
        out.print(
            f"{kind}: read {report.read}, {verb} {report.captured} interactions "
            f"({report.created} new) at {len(report.accounts)} accounts; "
            f"cancelled {report.cancelled}; no client contact {report.no_contact}; "
            f"bad {len(report.bad)}",
            highlight=False,
        )
        for bad in report.bad:
            err.print(f"  {bad.position}: {bad.reason}", highlight=False)
    if report.bad:
        raise typer.Exit(1)


@capture_app.command("calendar")
def capture_calendar(
    source: Annotated[str, typer.Argument(help="An .ics file, or a file:// URL of one.")],
    member: MemberOpt,
    since: SinceOpt = None,
    until: UntilOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Capture a member's meetings with client contacts (recurring ones expanded in the window:
    by default the last 365 days up to now)."""
    from integrations.calendar import Window, local_path, read_calendar
    from kam.cli_common import fail, load_settings

    try:
        path = Path(local_path(source))
    except ValueError as exc:
        raise fail(f"{source}: {exc}", code=2) from None
    if not path.is_file():
        raise fail(f"{path} is not a file", code=2)
    now = datetime.now(UTC)
    start = parse_time(since, "--since") or now - timedelta(days=365)
    end = parse_time(until, "--until") or now
    if end <= start:
        raise fail("--until must come after --since", code=2)
    body_lines = load_settings().capture_body_lines
    items = read_calendar(path.read_bytes(), member, Window(start, end), body_lines)
    run_capture("calendar", member, items, dry_run, as_json)


@capture_app.command("mail")
def capture_mail(
    path: Annotated[
        Path, typer.Argument(help="An .eml file, a folder of them, an mbox or a Maildir.")
    ],
    member: MemberOpt,
    since: SinceOpt = None,
    until: UntilOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Capture a member's mail threads with client contacts (headers, and the first lines of
    the body unless KAM_CAPTURE_BODY_LINES=0)."""
    from integrations.mail import read_mail
    from kam.cli_common import fail, load_settings

    if not path.exists():
        raise fail(f"{path} does not exist", code=2)
    start, end = parse_time(since, "--since"), parse_time(until, "--until")
    body_lines = load_settings().capture_body_lines
    items = read_mail(path, member, body_lines, start, end)
    run_capture("mail", member, items, dry_run, as_json)
