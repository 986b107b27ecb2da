"""`kam linkedin` and `kam sync`: members' LinkedIn networks, profile changes and the
Salesforce sync."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from graph.driver import Database
from graph.errors import NotFound
from kam.cli_common import database, err, fail, load_settings, out, run_db

linkedin_app = typer.Typer(help="LinkedIn networks of team members.", no_args_is_help=True)


@linkedin_app.command("import")
def linkedin_import(
    path: Annotated[
        Path, typer.Argument(help="Connections.csv from the member's LinkedIn data download.")
    ],
    member: Annotated[str, typer.Option(help="The team member whose network it is.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Match only; write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Match a member's LinkedIn connections to contacts and record who knows whom."""
    from graph.linkedin import ConnectionsCsv, import_connections
    from graph.writes import Actor

    if not path.is_file():
        raise fail(f"{path} is not a file", code=2)
    settings = load_settings()
    source = ConnectionsCsv(path.read_text(encoding="utf-8-sig"))
    actor = Actor(user_id=None, username="cli", request_id="cli")
    with database(settings) as connection:
        try:
            report = run_db(
                settings,
                connection,
                lambda db: import_connections(db, actor, member, source, dry_run=dry_run),
            )
        except NotFound:
            raise fail(f"no team member {member}", code=3) from None
        except ValueError as exc:
            raise fail(f"{path}: {exc}", code=2) from None

    def row(m: Any) -> dict[str, Any]:
        return {
            "connection": m.connection.name,
            "contactId": m.contact_id,
            "contact": m.contact_name,
            "account": m.account_name,
            "by": m.by,
            "confidence": m.confidence,
        }

    summary = {
        "linked": [row(m) for m in report.linked],
        "review": [row(m) for m in report.review],
        "unmatched": [c.name for c in report.unmatched],
        "dryRun": dry_run,
    }
    if as_json:
        print(json.dumps(summary))
        return
    out.print(
        f"{'would link' if dry_run else 'linked'} {len(report.linked)}, "
        f"to review {len(report.review)}, "
        f"unmatched {len(report.unmatched)}",
        highlight=False,
    )
    for m in report.review:
        out.print(
            f"  review: {m.connection.name} ({m.connection.company}) ~ {m.contact_name} at "
            f"{m.account_name}",
            highlight=False,
        )


sync_app = typer.Typer(help="Sync with the CRM.", no_args_is_help=True)


def _interval(text: str | None) -> float | None:
    if text is None:
        return None
    found = re.fullmatch(r"(\d+)([smh])", text.strip())
    if not found or int(found[1]) == 0:
        raise fail(f"--every must look like 30s, 15m or 2h, got {text!r}", code=2)
    return int(found[1]) * {"s": 1, "m": 60, "h": 3600}[found[2]]


@sync_app.command("salesforce")
def sync_salesforce(
    every: Annotated[
        str | None,
        typer.Option(help="Keep running: sync again after this pause (30s, 15m, 2h)."),
    ] = None,
    push_actions: Annotated[
        bool, typer.Option("--push-actions", help="Also push open plan actions as Tasks.")
    ] = False,
    status: Annotated[
        bool, typer.Option("--status", help="Show watermarks, recent issues and conflicts.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Pull accounts, contacts, opportunities and contact roles from Salesforce (incremental).

    Connection settings come from KAM_SALESFORCE_* (see the README). Exit 0 when the run
    finished, 1 when it failed (what was written before the failing page stays, and the next
    run resumes there), 2 for a usage or configuration mistake."""
    from graph import crm
    from integrations.salesforce import SalesforceClient, SalesforceError, SalesforceSettings

    pause = _interval(every)
    settings = load_settings()
    if status:
        with database(settings) as connection:

            async def show(db: Database) -> dict[str, Any]:
                return {
                    "watermarks": await crm.watermarks(db),
                    "issues": [r["issue"] for r in await db.read(crm.ISSUES, {"limit": 20})],
                    "conflicts": [
                        r["conflict"] for r in await db.read(crm.CONFLICTS, {"limit": 20})
                    ],
                }

            shown = run_db(settings, connection, show)
        print(json.dumps(shown, default=str, indent=None if as_json else 2))
        return
    try:
        sf = SalesforceSettings()
    except ValidationError as exc:
        raise fail(str(exc.errors()[0]["msg"]).removeprefix("Value error, "), code=2) from None

    async def once(db: Database) -> crm.SyncReport:
        from rich.progress import Progress

        async with SalesforceClient(sf) as client:
            with Progress(console=err, transient=True, disable=as_json) as bar:
                task = bar.add_task("syncing", total=None)
                syncer = crm.Syncer(
                    db,
                    client,
                    progress=lambda obj, n: bar.update(
                        task, advance=n, description=f"syncing {obj}"
                    ),
                )
                report = await syncer.run()
            if push_actions:
                await crm.push_actions(db, client, report)
            return report

    def show_report(report: crm.SyncReport) -> None:
        if as_json:
            print(json.dumps(report.as_json(), default=str))
            return
        for obj, n in report.pulled.items():
            out.print(
                f"{obj}: {n:,} pulled, {report.written.get(obj, 0):,} written", highlight=False
            )
        for c in report.conflicts:
            out.print(
                f"  conflict: {c['nodeId']} {c['field']}: kept {c['kept']!r}, "
                f"Salesforce has {c['theirs']!r}",
                highlight=False,
            )
        for i in report.issues:
            out.print(f"  skipped {i['object']} {i['recordId']}: {i['reason']}", highlight=False)
        if push_actions:
            out.print(f"pushed {report.pushed} actions as Tasks", highlight=False)

    with database(settings) as connection:
        while True:
            try:
                show_report(run_db(settings, connection, once))
            except SalesforceError as exc:
                if pause is None:
                    raise fail(
                        f"sync failed: {exc}; the next run resumes where this one stopped"
                    ) from None
                err.print(f"sync failed: {exc}; trying again in {every}", highlight=False)
            if pause is None:
                return
            try:
                time.sleep(pause)
            except KeyboardInterrupt:
                return


@linkedin_app.command("profile-change")
def linkedin_profile_change(
    contact: Annotated[
        str | None, typer.Option(help="The contact's id (or give --profile).")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="The contact's LinkedIn profile URL (or give --contact).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="The new title.")] = None,
    company: Annotated[str | None, typer.Option(help="The new company.")] = None,
    url: Annotated[str | None, typer.Option(help="The new profile URL.")] = None,
    at: Annotated[
        str | None, typer.Option(help="When it changed, YYYY-MM-DD (default: today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Record a contact's new title, company or profile URL and say what it means."""
    from datetime import date as date_type

    from graph.profiles import ProfileChange, record_change
    from graph.scope import Scope
    from graph.writes import Actor, Rejected

    if (contact is None) == (profile is None):
        raise fail("give exactly one of --contact and --profile", code=2)
    try:
        when = date_type.fromisoformat(at) if at else None
    except ValueError:
        raise fail(f"--at must be a date like 2026-11-24, got {at!r}", code=2) from None
    settings = load_settings()
    change = ProfileChange(
        contact_id=contact,
        linkedin_url=profile,
        title=title,
        company=company,
        url=url,
        at=when,
        source="cli",
    )
    scope = Scope(all_accounts=True, member_id=None, today=datetime.now(UTC).date())
    actor = Actor(user_id=None, username="cli", request_id="cli")
    with database(settings) as connection:
        try:
            outcome = run_db(
                settings, connection, lambda db: record_change(db, actor, scope, change)
            )
        except Rejected as exc:
            raise fail(f"--{exc.field or 'title'}: {exc}", code=2) from None
        except NotFound as exc:
            raise fail(f"no {exc}", code=3) from None
    result = {
        "contactId": outcome.contact_id,
        "contact": outcome.contact_name,
        "changes": outcome.changes,
        "leftAccountId": outcome.left_account_id,
        "keyPersonLeft": outcome.key_person_left,
        "joinedAccountId": outcome.joined_account_id,
        "knownBy": outcome.known_by,
    }
    if as_json:
        print(json.dumps(result))
        return
    if not outcome.changes:
        out.print(f"{outcome.contact_name}: nothing new", highlight=False)
        return
    for c in outcome.changes:
        out.print(
            f"{outcome.contact_name}: {c['field']} {c['from']!r} -> {c['to']!r}", highlight=False
        )
    if outcome.key_person_left:
        out.print(
            f"  a key person left {outcome.left_account_id}: a new coverage gap", highlight=False
        )
    if outcome.joined_account_id:
        who = ", ".join(outcome.known_by) or "nobody of ours yet"
        out.print(
            f"  joined {outcome.joined_account_name} ({outcome.joined_account_id}); known by {who}",
            highlight=False,
        )
