"""Contact moments: the interaction history of accounts and contacts (plan section i)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from graph.convert import native
from graph.driver import Database


@dataclass(slots=True)
class InteractionRow:
    id: str
    at: datetime
    channel: str | None
    summary: str | None
    contact_ids: list[str]
    member_ids: list[str]


# Only the people of the account the interaction is about: a participant from another
# account is not carried into this one's answers (edges may cross accounts).
INTERACTION_FIELDS: Final = """i {
  .id, .at, .channel, .summary,
  contactIds: [(i)-[:WITH]->(c:Contact)
               WHERE EXISTS {
                 MATCH (c)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(:Account)<-[:ABOUT]-(i)
               }
               | c.id],
  memberIds: [(i)-[:BY]->(m:TeamMember) | m.id]
}"""


def to_interaction(r: dict[str, Any]) -> InteractionRow:
    return InteractionRow(
        id=r["id"],
        at=native(r["at"]),
        channel=r.get("channel"),
        summary=r.get("summary"),
        contact_ids=sorted(r["contactIds"]),
        member_ids=sorted(r["memberIds"]),
    )


INTERACTIONS_OF_ACCOUNTS: Final = (
    """
UNWIND $ids AS accountId
MATCH (a:Account {id: accountId})
CALL (a) {
  MATCH (a)<-[:ABOUT]-(i:Interaction)
  WHERE coalesce(i.archived, false) = false
    AND ($afterAt IS NULL OR i.at < $afterAt OR (i.at = $afterAt AND i.id > $afterId))
  WITH i ORDER BY i.at DESC, i.id LIMIT $limit
  RETURN collect("""
    + INTERACTION_FIELDS
    + """) AS items
}
RETURN accountId, items
"""
)

INTERACTIONS_OF_CONTACTS: Final = (
    """
UNWIND $ids AS contactId
MATCH (c0:Contact {id: contactId})
CALL (c0) {
  // About the contact's own account: a meeting about another account is that account's.
  MATCH (c0)<-[:WITH]-(i:Interaction)-[:ABOUT]->(:Account)
        -[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c0)
  WHERE coalesce(i.archived, false) = false
    AND ($afterAt IS NULL OR i.at < $afterAt OR (i.at = $afterAt AND i.id > $afterId))
  WITH i ORDER BY i.at DESC, i.id LIMIT $limit
  RETURN collect("""
    + INTERACTION_FIELDS
    + """) AS items
}
RETURN contactId, items
"""
)


def _after(after: tuple[str, str] | None) -> dict[str, Any]:
    return {
        "afterAt": datetime.fromisoformat(after[0]) if after else None,
        "afterId": after[1] if after else None,
    }


async def interactions_of_accounts(
    db: Database, ids: Sequence[str], first: int, after: tuple[str, str] | None
) -> dict[str, list[InteractionRow]]:
    """Newest first, up to first+1 per account."""
    rows = await db.read(
        INTERACTIONS_OF_ACCOUNTS, {"ids": list(ids), "limit": first + 1, **_after(after)}
    )
    return {r["accountId"]: [to_interaction(i) for i in r["items"]] for r in rows}


async def interactions_of_contacts(
    db: Database, ids: Sequence[str], first: int, after: tuple[str, str] | None
) -> dict[str, list[InteractionRow]]:
    rows = await db.read(
        INTERACTIONS_OF_CONTACTS, {"ids": list(ids), "limit": first + 1, **_after(after)}
    )
    return {r["contactId"]: [to_interaction(i) for i in r["items"]] for r in rows}
