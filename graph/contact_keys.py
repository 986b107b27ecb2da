"""Each contact's `accountId`: the id of the account it works for, through its unit.

It is the first key of the index an account page reads a large account's contacts from
(graph/contacts.py, `CONTACTS_BY_KEY`), so it is kept in step with the graph: every write that
gives a contact a unit, takes its unit away, or attaches a unit to an account runs
`keep_account_ids` for what it touched, in the write's own transaction: create, link and unlink of
`WORKS_IN` (graph/entities.py), the Salesforce sync (graph/crm_contacts.py,
graph/crm_accounts.py), the import (graph/transfer.py) and the loader (graph/dataset.py, which
takes what its own rows tell from `placed_by`). Migration 7 set it once for every contact
before it. A contact with no unit has none; export leaves it out, import derives it again.
A key out of step would drop a contact from that page: `tests/test_contact_account_key.py`
and the tests of each writer check it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from graph.driver import Runner
from graph.model import Label, Rel

# Each sets the key from the contact's unit, and writes only a key that changed. A contact
# placed in two accounts' units (bad data: an import or a sync can add a second unit) gets
# the smaller id, whichever writer sets it.
KEEP_ACCOUNT_IDS: Final = """
UNWIND $ids AS contactId
MATCH (c:Contact {id: contactId})
OPTIONAL MATCH (c)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)
WITH c, min(a.id) AS accountId
WHERE coalesce(c.accountId, '') <> coalesce(accountId, '')
SET c.accountId = accountId
"""
KEEP_ACCOUNT_IDS_IN_UNITS: Final = """
UNWIND $ids AS unitId
MATCH (:ClientUnit {id: unitId})<-[:WORKS_IN]-(c:Contact)
OPTIONAL MATCH (c)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)
WITH c, min(a.id) AS accountId
WHERE coalesce(c.accountId, '') <> coalesce(accountId, '')
SET c.accountId = accountId
"""
KEEP_ALL_ACCOUNT_IDS: Final = """
MATCH (c:Contact)
OPTIONAL MATCH (c)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)
WITH c, min(a.id) AS accountId
WHERE coalesce(c.accountId, '') <> coalesce(accountId, '')
SET c.accountId = accountId
"""


KEEP_BATCH: Final = 1000


async def keep_account_ids(
    run: Runner, contact_ids: Iterable[str] = (), unit_ids: Iterable[str] = ()
) -> None:
    """Set the `accountId` of these contacts, and of every contact of these units, from the
    unit each works in (see `KEEP_ACCOUNT_IDS`), a thousand at a time."""
    for statement, ids in (
        (KEEP_ACCOUNT_IDS, list(dict.fromkeys(contact_ids))),
        (KEEP_ACCOUNT_IDS_IN_UNITS, list(dict.fromkeys(unit_ids))),
    ):
        for start in range(0, len(ids), KEEP_BATCH):
            await run(statement, {"ids": ids[start : start + KEEP_BATCH]})


@dataclass(frozen=True)
class Placed:
    """What a bulk write of nodes and relationships does to contacts' `accountId`."""

    known: dict[str, str]  # contact -> account, both ends among the written rows
    contacts: list[str]  # other contacts it wrote or gave a unit: the graph must say
    units: list[str]  # units it attached to an account: their contacts likewise


def placed_by(
    nodes: Mapping[Label, Sequence[Mapping[str, Any]]],
    rels: Mapping[tuple[Rel, Label, Label], Sequence[Mapping[str, Any]]],
) -> Placed:
    works_in = rels.get((Rel.WORKS_IN, Label.CONTACT, Label.CLIENT_UNIT), ())
    has_unit = rels.get((Rel.HAS_UNIT, Label.ACCOUNT, Label.CLIENT_UNIT), ())
    account_of = {r["to"]: r["from"] for r in has_unit}
    known = {r["from"]: account_of[r["to"]] for r in works_in if r["to"] in account_of}
    contacts = [r["id"] for r in nodes.get(Label.CONTACT, ())] + [r["from"] for r in works_in]
    return Placed(known, [c for c in contacts if c not in known], list(account_of))
