"""The demo's own account manager, placed on the account the demo syncs from Salesforce."""

from __future__ import annotations

from datetime import date
from typing import Final

from graph.driver import Database

# The member's addresses and Salesforce user, so captured and synced activities find them.
PREPARE_MEMBER: Final = """
MERGE (m:TeamMember {id: $member})
ON CREATE SET m.name = 'Petra Nystrom', m.title = 'Key Account Manager', m.function = 'Sales',
              m.segments = ['Consumer']
SET m.email = 'petra.nystrom@kam-demo.example', m.emailAliases = ['p.nystrom@kam-demo.example'],
    m.salesforceUserId = '005BOR000000001'
"""
PLACE_MEMBER: Final = """
MERGE (m:TeamMember {id: $member})
ON CREATE SET m.name = 'Petra Nystrom', m.title = 'Key Account Manager', m.function = 'Sales',
              m.segments = ['Consumer']
WITH m
MATCH (a:Account {id: $account})
MERGE (m)-[t:ON_TEAM {role: 'ACCOUNT_MANAGER'}]->(a)
ON CREATE SET t.from = $since, t.until = null
WITH m
MATCH (u:ClientUnit {id: $unit})
MERGE (m)-[:MIRRORS]->(u)
"""


async def place_demo_member(
    db: Database, member: str, account: str, unit: str, since: date
) -> None:
    """Put the demo member on the account's team from `since`, mirroring its top unit."""
    await db.write(
        PLACE_MEMBER, {"member": member, "account": account, "unit": unit, "since": since}
    )


async def prepare_demo_member(db: Database, member: str) -> None:
    """The demo member with their addresses and Salesforce user id (before the first sync)."""
    await db.write(PREPARE_MEMBER, {"member": member})
