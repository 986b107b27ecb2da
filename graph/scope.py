"""Row scope: which accounts a caller reaches, as Cypher parameters and one shared predicate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

# Appended after an index-backed MATCH that binds `a` (docs/ARCHITECTURE.md §3.5: the scope
# predicate follows the seek, it never replaces it). Access opens on `from` and closes after
# `until` (both inclusive dates). Its variables have names of their own: a name the statement
# already binds would refer to that (Neo4j rejects a node reused as a relationship; a bound
# relationship would narrow the test to that one edge).
ACCOUNT_IN_SCOPE: Final = """(
  $allAccounts OR EXISTS {
    MATCH (a)<-[scopeTeam:ON_TEAM]-(:TeamMember {id: $memberId})
    WHERE scopeTeam.from <= $today AND (scopeTeam.until IS NULL OR scopeTeam.until >= $today)
  }
)"""


# The same predicate for a second account `b` in one statement (e.g. partner history).
OTHER_ACCOUNT_IN_SCOPE: Final = """(
  $allAccounts OR EXISTS {
    MATCH (b)<-[scopeTeam2:ON_TEAM]-(:TeamMember {id: $memberId})
    WHERE scopeTeam2.from <= $today AND (scopeTeam2.until IS NULL OR scopeTeam2.until >= $today)
  }
)"""


@dataclass(frozen=True)
class Scope:
    """The caller's reach: every account, or the accounts their team member is on today."""

    all_accounts: bool
    member_id: str | None
    today: date

    def params(self) -> dict[str, Any]:
        return {"allAccounts": self.all_accounts, "memberId": self.member_id, "today": self.today}


NOWHERE = Scope(all_accounts=False, member_id=None, today=date(1970, 1, 1))


def page_params(
    ids: Sequence[str], first: int, after: tuple[str, str] | None, prefix: str = ""
) -> dict[str, Any]:
    """Parameters of a name-sorted keyset page per parent: first+1 rows tell if more follow.
    With a prefix (`units`), the names are `unitsLimit`, `unitsAfterName`, `unitsAfterId`, so
    several pages can share one query."""

    def name(key: str) -> str:
        return prefix + key[0].upper() + key[1:] if prefix else key

    return {
        "ids": list(ids),
        name("limit"): first + 1,
        name("afterName"): after[0] if after else None,
        name("afterId"): after[1] if after else None,
    }
