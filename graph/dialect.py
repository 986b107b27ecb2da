"""What differs between the engines the graph runs on: ArcadeDB (embedded, over Bolt) and Neo4j 5.

Every statement is valid Neo4j 5 Cypher and runs on both. Where an engine needs something the
other does not, or refuses it, the difference lives here, named by the quirk it works around;
domain code asks this module and never branches on the engine itself
(`tests/test_import_rules.py`, `test_only_the_dialect_knows_the_engine`).

The engine is told by the server's Bolt agent: ArcadeDB announces itself as
`Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)`.

Most of ArcadeDB's quirks need no branch: a query shape that suits it is as good on Neo4j, so
the domain module writes it that way and says why where it does. Those shapes are:

- a page as one record (`collect`), not a record per row: ArcadeDB sends each record in a
  message of its own and the driver pays for each (graph/team.py; graph/account_page.py),
  unless the page needs its own statement to be ordered by an index (next but one);
- a map projection bound in `WITH` before a map literal holds it, or a map literal in its
  place: ArcadeDB puts a projection written inside a map literal in the literal's place
  (graph/accounts.py; graph/team.py, `MEMBER_FIELDS`);
- a list that needs no order or limit as a pattern comprehension rather than a `CALL`
  subquery, which costs ArcadeDB about 0.3-0.7 ms each (an account's team and plans:
  graph/team.py, graph/plans.py, ordered in Python);
- one id seek per element instead of `x.id IN <computed list>`, which ArcadeDB answers by
  scanning the label (graph/network.py);
- `ORDER BY … LIMIT` over a range predicate on the index's first key: ArcadeDB 26.10 walks an
  index in order only when that clause closes the whole statement, not inside a subquery nor
  after another `MATCH` (so the account list is a statement of its own, a record per account:
  graph/accounts.py, `_SORTS`; so is a large account's page of contacts, read after the page's
  statement: graph/contacts.py, `CONTACTS_BY_KEY`), only over typed keys (`sort_key_types`,
  below), and not for an equality on the first key, which it answers by fetching and sorting
  every match (1,052 contacts: 6.7 ms) where a range of one value walks the first entries
  (1.2 ms);
- a relationship MERGE written from the side with fewer relationships (`merge_from_target`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, LiteralString


@dataclass(frozen=True)
class Dialect:
    """One engine's quirks, as flags read only through the functions below."""

    name: str
    # ArcadeDB walks an index in key order (answering `ORDER BY … LIMIT` without sorting) only
    # for properties declared with a type in its schema; a property first seen in an index
    # definition has none. Neo4j needs no declaration, and Neo4j Community refuses the
    # statement that makes one (a property type constraint is an Enterprise feature).
    sorts_by_typed_keys_only: bool


ARCADEDB: Final = Dialect("ArcadeDB", sorts_by_typed_keys_only=True)
NEO4J: Final = Dialect("Neo4j", sorts_by_typed_keys_only=False)


def dialect_of(agent: str) -> Dialect:
    """The dialect of a server, from the agent it announces over Bolt."""
    return ARCADEDB if "ArcadeDB" in agent else NEO4J


def sort_key_types(
    dialect: Dialect, declarations: Sequence[LiteralString]
) -> tuple[LiteralString, ...]:
    """The property type declarations (`REQUIRE n.p IS :: STRING`) of a migration's sort keys,
    to run where the engine orders by an index only over typed keys; none elsewhere."""
    return tuple(declarations) if dialect.sorts_by_typed_keys_only else ()


def merge_from_target(rows: Sequence[dict[str, Any]]) -> bool:
    """Whether to write a relationship MERGE from the relationships' targets: ArcadeDB looks
    for an existing relationship among the first node's, so a hub there (a competitor at a
    thousand accounts) makes every row walk a thousand relationships. The side with fewer
    relationships per node goes first: ten times faster for such a hub, and no slower on
    Neo4j."""
    return len({r["to"] for r in rows}) > len({r["from"] for r in rows})
