"""Whether each contact's `accountId` (graph/contact_keys.py) names the account its unit belongs
to: the tests of every write that places contacts ask this."""

from __future__ import annotations

from collections.abc import Iterable

from graph.driver import Database
from tests.conftest import Backend

# Contacts whose key is not the account they work for (either may be missing).
OUT_OF_STEP = """
MATCH (c:Contact) WHERE $ids IS NULL OR c.id IN $ids
OPTIONAL MATCH (c)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)
WITH c, min(a.id) AS truth
WHERE coalesce(c.accountId, '') <> coalesce(truth, '')
RETURN c.id AS id, c.accountId AS key, truth
"""


def out_of_step(backend: Backend, ids: Iterable[str]) -> list[dict[str, str | None]]:
    return backend.read(OUT_OF_STEP, ids=list(ids))


async def all_out_of_step(db: Database) -> list[dict[str, str | None]]:
    """Every contact of a database of its own whose key is out of step."""
    return await db.read(OUT_OF_STEP, {"ids": None})
