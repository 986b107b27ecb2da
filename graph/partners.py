"""Needs beyond us: which functional area can meet a need, else which partner, with history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from graph.driver import Database
from graph.errors import NotFound
from graph.scope import ACCOUNT_IN_SCOPE, OTHER_ACCOUNT_IN_SCOPE, Scope


@dataclass(frozen=True)
class PartnerHistory:
    project_id: str
    project_name: str
    account_id: str
    account_name: str
    status: str | None


@dataclass(frozen=True)
class PartnerOffer:
    partner_id: str
    partner_name: str
    history: list[PartnerHistory]


@dataclass(frozen=True)
class CapabilityOption:
    capability_id: str
    capability_name: str
    area_ids: list[str]
    partners: list[PartnerOffer]

    @property
    def recommendation(self) -> str:
        """INTERNAL when a functional area offers it, else PARTNER, else NONE."""
        if self.area_ids:
            return "INTERNAL"
        return "PARTNER" if self.partners else "NONE"


@dataclass(frozen=True)
class PartnerOptions:
    need_id: str
    need_name: str
    description: str | None
    account_id: str
    options: list[CapabilityOption]


# Partner history lists only projects at accounts the caller may reach (no side channel).
PARTNER_OPTIONS: Final = (
    """
MATCH (a:Account)-[:HAS_NEED]->(n:Need {id: $needId})
WHERE """
    + ACCOUNT_IN_SCOPE
    + """
OPTIONAL MATCH (n)-[:REQUIRES]->(cap:Capability)
WITH a, n, cap
CALL (cap) {
  OPTIONAL MATCH (cap)<-[:OFFERS]-(f:FunctionalArea)
  RETURN collect(f.id) AS areaIds
}
CALL (cap) {
  OPTIONAL MATCH (cap)<-[:OFFERS]-(x:Partner)
  WITH x WHERE x IS NOT NULL
  CALL (x) {
    OPTIONAL MATCH (x)<-[:WITH_PARTNER]-(p:Project)<-[:HAS_PROJECT]-(b:Account)
    WHERE b IS NOT NULL AND """
    + OTHER_ACCOUNT_IN_SCOPE
    + """
    RETURN collect(CASE WHEN p IS NULL THEN null
                   ELSE [p.id, p.name, b.id, b.name, p.status] END) AS history
  }
  RETURN collect([x.id, x.name, history]) AS partners
}
RETURN n.id AS needId, n.name AS needName, n.description AS description, a.id AS accountId,
       collect(CASE WHEN cap IS NULL THEN null
         ELSE [cap.id, cap.name, areaIds, partners] END) AS options
"""
)


async def partner_options(db: Database, scope: Scope, need_id: str) -> PartnerOptions:
    """Per capability the need requires: the areas offering it first, else partners."""
    rows = await db.read(PARTNER_OPTIONS, {"needId": need_id, **scope.params()})
    if not rows:
        raise NotFound(f"need {need_id}")
    row = rows[0]
    options = [
        CapabilityOption(
            capability_id=o[0],
            capability_name=o[1],
            area_ids=sorted(o[2]),
            partners=sorted(
                (
                    PartnerOffer(
                        x[0],
                        x[1],
                        sorted(
                            (PartnerHistory(*h) for h in x[2] if h), key=lambda h: h.project_name
                        ),
                    )
                    for x in o[3]
                ),
                key=lambda x: (-len(x.history), x.partner_name),
            ),
        )
        for o in row["options"]
        if o
    ]
    options.sort(
        key=lambda o: (
            {"INTERNAL": 0, "PARTNER": 1, "NONE": 2}[o.recommendation],
            o.capability_name,
        )
    )
    return PartnerOptions(
        row["needId"], row["needName"], row.get("description"), row["accountId"], options
    )


@dataclass(frozen=True)
class AccountNeed:
    id: str
    name: str
    description: str | None


# No row at all when the account is out of reach; one row with an empty list when it has none.
ACCOUNT_NEEDS: Final = (
    """
MATCH (a:Account {id: $accountId})
WHERE """
    + ACCOUNT_IN_SCOPE
    + """
OPTIONAL MATCH (a)-[:HAS_NEED]->(n:Need)
WITH a, n, n.name AS byName
ORDER BY byName, n.id
RETURN a.id AS accountId,
       collect(CASE WHEN n IS NULL THEN null ELSE [n.id, n.name, n.description] END) AS needs
"""
)


async def account_needs(db: Database, scope: Scope, account_id: str) -> list[AccountNeed]:
    """The client needs recorded at an account, by name (for choosing partner options)."""
    rows = await db.read(ACCOUNT_NEEDS, {"accountId": account_id, **scope.params()})
    if not rows:
        raise NotFound(f"account {account_id}")
    return [AccountNeed(*n) for n in rows[0]["needs"] if n]
