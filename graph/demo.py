"""The demo's own account manager, placed on the account the demo syncs from Salesforce."""

from __future__ import annotations

from datetime import date
from typing import Final

from graph.driver import Database

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
