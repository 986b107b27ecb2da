"""Accounts side by side on the same criteria."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final

from auth.registry import PLAN_FIELDS
from graph.accounts import ACCOUNT_FIELDS, AccountRow, to_account
from graph.driver import Database
from graph.network import KEY_ROLES
from graph.scope import ACCOUNT_IN_SCOPE, Scope


@dataclass(frozen=True)
class ProjectFigures:
    attack: int
    defend: int
    progressive: int
    attack_value: float
    defend_value: float
    progressive_value: float


@dataclass(frozen=True)
class AccountFigures:
    account: AccountRow
    projects: ProjectFigures
    key_people: int
    key_people_known: int
    team_size: int
    plan: dict[str, Any] | None  # the active plan's template fields, id and period

    def plan_completeness(self, readable: Collection[str]) -> float | None:
        """Share of the template's fields in the `readable` sections that are filled in the
        active plan (a hidden field never moves it)."""
        if self.plan is None:
            return None
        fields = [f for f, section in PLAN_FIELDS.items() if section in readable]
        if not fields:
            return None
        filled = sum(1 for f in fields if self.plan.get(f) not in (None, "", []))
        return round(filled / len(fields), 4)

    @property
    def coverage_score(self) -> float:
        return 1.0 if self.key_people == 0 else round(self.key_people_known / self.key_people, 4)


COMPARE: Final = (
    """
MATCH (a:Account) WHERE a.id IN $ids AND coalesce(a.archived, false) = false AND """
    + ACCOUNT_IN_SCOPE
    + """
CALL (a) {
  OPTIONAL MATCH (a)-[:HAS_PROJECT]->(p:Project)
  WHERE coalesce(p.status, 'OPEN') = 'OPEN' AND coalesce(p.archived, false) = false
  RETURN sum(CASE WHEN p.kind = 'ATTACK' THEN 1 ELSE 0 END) AS attack,
         sum(CASE WHEN p.kind = 'DEFEND' THEN 1 ELSE 0 END) AS defend,
         sum(CASE WHEN p.kind = 'PROGRESSIVE' THEN 1 ELSE 0 END) AS progressive,
         sum(CASE WHEN p.kind = 'ATTACK' THEN coalesce(p.value, 0) ELSE 0 END) AS attackValue,
         sum(CASE WHEN p.kind = 'DEFEND' THEN coalesce(p.value, 0) ELSE 0 END) AS defendValue,
         sum(CASE WHEN p.kind = 'PROGRESSIVE' THEN coalesce(p.value, 0) ELSE 0 END)
           AS progressiveValue
}
CALL (a) {
  OPTIONAL MATCH (a)-[:HAS_UNIT]->(:ClientUnit)<-[:WORKS_IN]-(c:Contact)
  WHERE c.buyingRole IN $keyRoles OR EXISTS {
    MATCH (c)-[d:DECIDES]->(:Project)<-[:HAS_PROJECT]-(a) WHERE d.role IN $keyRoles }
  WITH c, CASE WHEN c IS NULL THEN 0 ELSE COUNT { (c)<-[:KNOWS]-(:TeamMember) } END AS known
  RETURN count(c) AS keyPeople, sum(CASE WHEN known > 0 THEN 1 ELSE 0 END) AS keyKnown
}
CALL (a) {
  OPTIONAL MATCH (a)-[:HAS_PLAN]->(p:Plan)
  WHERE p.status = 'ACTIVE'
  WITH p ORDER BY p.period DESC LIMIT 1
  RETURN CASE WHEN p IS NULL THEN null ELSE p {.*} END AS plan
}
CALL (a) {
  OPTIONAL MATCH (a)<-[t:ON_TEAM]-(m:TeamMember)
  WHERE t.from <= $today AND (t.until IS NULL OR t.until >= $today)
  RETURN count(DISTINCT m) AS teamSize
}
RETURN """
    + ACCOUNT_FIELDS
    + """ AS account, attack, defend, progressive, attackValue, defendValue, progressiveValue,
       keyPeople, keyKnown, teamSize, plan
"""
)


async def compare_accounts(
    db: Database, scope: Scope, ids: Sequence[str]
) -> dict[str, AccountFigures]:
    """The figures of each in-scope account among `ids`, keyed by id."""
    rows = await db.read(COMPARE, {"ids": list(ids), "keyRoles": KEY_ROLES, **scope.params()})
    result = {}
    for r in rows:
        account = to_account(r["account"])
        result[account.id] = AccountFigures(
            account=account,
            projects=ProjectFigures(
                int(r["attack"] or 0),
                int(r["defend"] or 0),
                int(r["progressive"] or 0),
                float(r["attackValue"] or 0),
                float(r["defendValue"] or 0),
                float(r["progressiveValue"] or 0),
            ),
            key_people=int(r["keyPeople"] or 0),
            key_people_known=int(r["keyKnown"] or 0),
            team_size=int(r["teamSize"] or 0),
            plan=r.get("plan"),
        )
    return result
