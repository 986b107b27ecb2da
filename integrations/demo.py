"""The demo's connected tools: an account synced from a (stand-in) Salesforce org, a team
member's LinkedIn network imported, and her calendar and mailbox captured as interactions,
through the same code a real org, a real export and `kam capture` use."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final

import httpx

from graph.capture import capture
from graph.crm import Syncer
from graph.demo import place_demo_member, prepare_demo_member
from graph.driver import Database
from graph.linkedin import ConnectionsCsv, import_connections
from graph.plan_writes import start_plan
from graph.scope import Scope
from graph.writes import Actor, Rejected
from integrations.calendar import Window, read_calendar
from integrations.mail import read_mail
from integrations.salesforce import SalesforceClient, SalesforceSettings
from integrations.standin import app
from integrations.standin_sample import sample_org

MEMBER: Final = "tm-am-borealis"
ACCOUNT: Final = "sf-acct-001BOR000000001"

# A LinkedIn data download's Connections.csv for the Borealis account manager (a backslash
# at a line's end joins it with the next: the row is one line).
CONNECTIONS: Final = """Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing."

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Ingrid,Lund,https://www.linkedin.com/in/ingrid-lund-borealis,ingrid.lund@borealis.example,\
Borealis Foods,CEO,14 Mar 2019
Jonas,Weber,,jonas.weber@borealis.example,Borealis Foods Deutschland,Managing Director,02 Sep 2021
Claire,Martin,,,Borealis Foods,Directrice France,19 Jan 2023
Erik,Sand,,erik.sand@borealis.example,Borealis Foods,Category Head,07 Jun 2022
Paula,Quist,https://www.linkedin.com/in/paula-quist,,Nordic Logistics AB,COO,30 Oct 2020
"""

# Petra's own calendar and mailbox (small hand-built files), captured like `kam capture` does.
ACTIVITY: Final = Path(__file__).with_name("demo_activity")


@dataclass(frozen=True)
class DemoConnections:
    synced: dict[str, int]
    linked: int
    to_review: int
    meetings: int
    threads: int

    def summary(self) -> str:
        pulled = ", ".join(f"{n} {obj}" for obj, n in self.synced.items())
        return (
            f"Salesforce (stand-in org): {pulled}; "
            f"LinkedIn: {self.linked} linked, {self.to_review} to review; "
            f"captured: {self.meetings} meetings, {self.threads} mail threads"
        )


async def connect_demo(db: Database) -> DemoConnections:
    org = sample_org()
    settings = SalesforceSettings(
        login_url="http://standin.invalid",
        client_id=org.client_id,
        client_secret=org.client_secret,
        username=org.username,
        password=org.password,
    )
    transport = httpx.ASGITransport(app=app(org))
    await prepare_demo_member(db, MEMBER)  # before the sync: its activities find their owner
    async with SalesforceClient(settings, transport=transport) as client:
        report = await Syncer(db, client, source="salesforce-demo").run()
    await place_demo_member(db, MEMBER, ACCOUNT, "sf-001BOR000000001", date(2024, 1, 1))
    actor = Actor(user_id=None, username="demo", request_id="demo")
    network = await import_connections(db, actor, MEMBER, ConnectionsCsv(CONNECTIONS))
    now = datetime.now(UTC)
    window = Window(now - timedelta(days=365), now)
    meetings = await capture(
        db, read_calendar((ACTIVITY / "petra.ics").read_bytes(), MEMBER, window, 3), actor
    )
    threads = await capture(db, read_mail(ACTIVITY / "petra.mbox", MEMBER, 3), actor)
    # A plan for the year, so its section (i), the history, shows what was captured.
    with suppress(Rejected):  # the year's plan exists already
        await start_plan(
            db, actor, Scope(True, None, now.date()), ACCOUNT, str(now.year), "demo-borealis-plan"
        )
    return DemoConnections(
        report.written,
        len(network.linked),
        len(network.review),
        meetings.captured,
        threads.captured,
    )
