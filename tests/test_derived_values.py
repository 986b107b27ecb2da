"""Derived values are computed only from what the caller may read (auth/registry.py, DERIVED).

Generated from the registry: for every derived field and every section it reads, one probe
changes only an input in that section and asks every role again. A role that may not read the
section must get exactly the answer it had; an admin, who reads everything, must see the
change (so each probe really touches the input, and the test can fail).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auth.policy import Access, load_policy
from auth.registry import DERIVED
from graph.model import Role
from tests import factories
from tests.client_fixture import ClientFixture, build_client
from tests.conftest import LiveApp

POLICY = load_policy()
PERIOD = "2026"


@dataclass(frozen=True)
class World:
    client: ClientFixture
    users: dict[Role, str]  # one login per role, on the client's account
    plan: str
    counter: list[int]

    def next(self) -> int:
        self.counter[0] += 1
        return self.counter[0]


PLAN_VERSION = 'query($a: ID!) { plan(accountId: $a, period: "2026") { version } }'
UPDATE_PLAN = """mutation($id: ID!, $v: Int!, $patch: PlanPatch!) {
  updatePlan(input: {planId: $id, expectedVersion: $v, patch: $patch}) { __typename } }"""


def _update_plan(live: LiveApp, world: World, patch: dict[str, Any]) -> None:
    version = live.gql(PLAN_VERSION, {"a": world.client.account}, as_user="admin")["data"]
    done = live.gql(
        UPDATE_PLAN,
        {"id": world.plan, "v": version["plan"]["version"], "patch": patch},
        as_user="admin",
    )
    assert done["data"]["updatePlan"]["__typename"] == "PlanPayload", done


@pytest.fixture(scope="module")
def world(live: LiveApp) -> World:
    prefix = "d" + secrets.token_hex(4)
    client = build_client(live.backend, prefix)
    since = datetime.now(UTC).date() - timedelta(days=30)
    users = {
        role: factories.member_login(
            live.backend, prefix, role.value, {client.account: (since, None)}, ["Industrial"]
        )
        for role in Role
    }
    started = live.gql(
        "mutation($a: ID!) "
        '{ startPlan(input: {accountId: $a, period: "2026"}) '
        "{ ... on PlanPayload { plan { id } } } }",
        {"a": client.account},
        as_user="admin",
    )
    plan = started["data"]["startPlan"]["plan"]["id"]
    world = World(client, users, plan, [0])
    _update_plan(
        live,
        world,
        {
            "opportunities": ["Retrofit"],
            "threats": ["Price war"],
            "leadersView": "Partner",
            "processStatus": "Tender",
            "shareOfWalletGoal": 0.4,
            "shareOfWalletActual": 0.2,
            "revenueGoal": 3.0e6,
            "marginGoal": 0.3,
        },
    )
    review = live.gql(
        """mutation($p: ID!) { recordReview(input: {planId: $p, kind: MONTHLY, findings: "ok",
          kpis: [{name: "Revenue (EUR)", actual: 1.0, goal: 3.0},
                 {name: "shareOfWallet", actual: 0.2, goal: 0.4},
                 {name: "meetings", actual: 4.0, goal: 6.0}],
          changes: [{field: "opportunities", change: "c", reason: "r"},
                    {field: "leadersView", change: "c", reason: "r"},
                    {field: "shareOfWalletGoal", change: "c", reason: "r"},
                    {field: "revenue_goal", change: "c", reason: "r"},
                    {field: "cadence", change: "c", reason: "r"}]}) { __typename } }""",
        {"p": plan},
        as_user="admin",
    )
    assert review["data"]["recordReview"]["__typename"] == "ReviewPayload", review
    return world


# --- the changes: each touches one input of one section -------------------------------


def _toggle_milestone(live: LiveApp, world: World, n: int) -> None:
    live.backend.write(
        """MATCH (p:Project {id: $p})
        OPTIONAL MATCH (p)-[:HAS_MILESTONE]->(m:Milestone {id: $m})
        WITH p, m, m IS NULL AS missing
        DETACH DELETE m
        WITH p, missing WHERE missing
        CREATE (p)-[:HAS_MILESTONE]->(:Milestone {id: $m, name: 'Probe', due: $due})""",
        p=world.client.id("p1"),
        m=world.client.id("probe-ms"),
        due=datetime.now(UTC).date() - timedelta(days=3),
    )


def _toggle_blocker(live: LiveApp, world: World, n: int) -> None:
    live.backend.write(
        """MATCH (c:Contact {id: $c}), (p:Project {id: $p})
        OPTIONAL MATCH (c)-[d:DECIDES]->(p)
        WITH c, p, d, d IS NULL AS missing
        DELETE d
        WITH c, p, missing WHERE missing
        CREATE (c)-[:DECIDES {role: 'BLOCKER'}]->(p)""",
        c=world.client.id("buyer"),
        p=world.client.id("p1"),
    )


def _toggle_talk(live: LiveApp, world: World, n: int) -> None:
    """A fresh interaction with the influencer of p1, there or not."""
    live.backend.write(
        """MATCH (a:Account {id: $a}), (c:Contact {id: $c})
        OPTIONAL MATCH (i:Interaction {id: $i})
        WITH a, c, i, i IS NULL AS missing
        DETACH DELETE i
        WITH a, c, missing WHERE missing
        CREATE (x:Interaction {id: $i, at: $at, channel: 'CALL', summary: 'probe'})
        CREATE (x)-[:ABOUT]->(a) CREATE (x)-[:WITH]->(c)""",
        a=world.client.account,
        c=world.client.id("cpo"),
        i=world.client.id("probe-talk"),
        at=datetime.now(UTC) - timedelta(minutes=n),
    )


def _touch_project(live: LiveApp, world: World, n: int) -> None:
    live.backend.write(
        "MATCH (p:Project {id: $p}) SET p.updatedAt = $at",
        p=world.client.id("p2"),
        at=datetime.now(UTC) + timedelta(days=1, seconds=n),
    )


def _review_json(live: LiveApp, world: World, key: str, edit: Callable[[Any], None]) -> None:
    rows = live.backend.read(
        f"MATCH (:Plan {{id: $p}})-[:REVIEWED_IN]->(r:Review) RETURN r.id AS id, r.{key} AS v",
        p=world.plan,
    )
    for row in rows:
        value = json.loads(row["v"])
        edit(value)
        live.backend.write(
            f"MATCH (r:Review {{id: $id}}) SET r.{key} = $v", id=row["id"], v=json.dumps(value)
        )


def _kpi(name: str) -> Callable[[LiveApp, World, int], None]:
    def change(live: LiveApp, world: World, n: int) -> None:
        def edit(kpis: Any) -> None:
            for k in kpis:
                if k["name"] == name:
                    k["actual"] = float(n)

        _review_json(live, world, "kpis", edit)

    return change


def _review_change(field: str) -> Callable[[LiveApp, World, int], None]:
    def change(live: LiveApp, world: World, n: int) -> None:
        def edit(changes: Any) -> None:
            for c in changes:
                if c["field"] == field:
                    c["change"] = f"changed {n}"

        _review_json(live, world, "changes", edit)

    return change


def _plan_field(field: str, value: Callable[[int], Any]) -> Callable[[LiveApp, World, int], None]:
    def change(live: LiveApp, world: World, n: int) -> None:
        _update_plan(live, world, {field: value(n)})

    return change


def _toggle_plan_field(field: str, filled: Any) -> Callable[[LiveApp, World, int], None]:
    def change(live: LiveApp, world: World, n: int) -> None:
        now = live.backend.read(f"MATCH (p:Plan {{id: $p}}) RETURN p.{field} AS v", p=world.plan)
        _update_plan(live, world, {field: None if now[0]["v"] not in (None, []) else filled})

    return change


UPDATE_ACCOUNT = """mutation($a: ID!, $v: Int!, $p: JSON!) { updateNode(input: {kind: ACCOUNT,
  id: $a, expectedVersion: $v, patch: $p}) { __typename ... on Conflict { currentVersion } } }"""


def _update_account(live: LiveApp, world: World, patch: dict[str, Any]) -> None:
    """An admin's change of the account, at the version the admin sees."""
    stale = live.gql(
        UPDATE_ACCOUNT, {"a": world.client.account, "v": -1, "p": patch}, as_user="admin"
    )
    version = stale["data"]["updateNode"]["currentVersion"]
    done = live.gql(
        UPDATE_ACCOUNT, {"a": world.client.account, "v": version, "p": patch}, as_user="admin"
    )
    assert done["data"]["updateNode"]["__typename"] == "NodePayload", done


def _rename_account(live: LiveApp, world: World, n: int) -> None:
    _update_account(live, world, {"name": f"Fixture {n}"})


def _market_potential(live: LiveApp, world: World, n: int) -> None:
    _update_account(live, world, {"marketPotential": float(1000 + n)})


PLAN_EDITS = {
    "competition": _plan_field("opportunities", lambda n: [f"Opportunity {n}"]),
    "plan.strategy": _plan_field("leadersView", lambda n: f"View {n}"),
    "plan.share_of_wallet": _plan_field("shareOfWalletActual", lambda n: round(n / 1000, 4)),
    "plan.financial_goals": _plan_field("marginGoal", lambda n: round(n / 1000, 4)),
}
PLAN_TOGGLES = {
    "competition": _toggle_plan_field("threats", ["Threat"]),
    "plan.strategy": _toggle_plan_field("processStatus", "Negotiating"),
    "plan.share_of_wallet": _toggle_plan_field("shareOfWalletGoal", 0.5),
    "plan.financial_goals": _toggle_plan_field("revenueGoal", 1.0e6),
}
RISKS = "{ projectsAtRisk(quietDays: 30) { project { id } reasons lastActivity } }"


def _risk(field: str) -> Callable[[World, Any], Any]:
    def extract(world: World, data: Any) -> Any:
        mine = (world.client.id("p1"), world.client.id("p2"))
        return {
            r["project"]["id"]: r[field]
            for r in data["projectsAtRisk"]
            if r["project"]["id"] in mine
        }

    return extract


@dataclass(frozen=True)
class Probe:
    query: str
    extract: Callable[[World, Any], Any]
    changes: dict[str, Callable[[LiveApp, World, int], None]]


PROBES: dict[str, Probe] = {
    "ProjectRisk.reasons": Probe(
        RISKS,
        _risk("reasons"),
        {
            "projects": _toggle_milestone,
            "network.influence": _toggle_blocker,
            "interactions": _toggle_talk,
        },
    ),
    "ProjectRisk.lastActivity": Probe(
        RISKS, _risk("lastActivity"), {"projects": _touch_project, "interactions": _toggle_talk}
    ),
    "Review.kpis": Probe(
        "query($plan: ID!) { reviews(planId: $plan) { kpis { name actual goal } } }",
        lambda w, d: d["reviews"],
        {
            "plan.reviews": _kpi("meetings"),
            "plan.financial_goals": _kpi("Revenue (EUR)"),
            "plan.share_of_wallet": _kpi("shareOfWallet"),
        },
    ),
    "Review.changes": Probe(
        "query($plan: ID!) { reviews(planId: $plan) { changes { field change } } }",
        lambda w, d: d["reviews"],
        {
            "plan.reviews": _review_change("cadence"),
            "competition": _review_change("opportunities"),
            "plan.strategy": _review_change("leadersView"),
            "plan.share_of_wallet": _review_change("shareOfWalletGoal"),
            "plan.financial_goals": _review_change("revenue_goal"),
        },
    ),
    "Plan.version": Probe(
        'query($a: ID!) { plan(accountId: $a, period: "2026") { version } }',
        lambda w, d: d["plan"],
        PLAN_EDITS,
    ),
    "Plan.updatedAt": Probe(
        'query($a: ID!) { plan(accountId: $a, period: "2026") { updatedAt } }',
        lambda w, d: d["plan"],
        PLAN_EDITS,
    ),
    "PlanCompleteness.score": Probe(
        "query($a: ID!) { planCompleteness(accountId: $a) { score } }",
        lambda w, d: d["planCompleteness"],
        PLAN_TOGGLES,
    ),
    "AccountComparison.planCompleteness": Probe(
        "query($a: ID!) { compareAccounts(ids: [$a]) { planCompleteness } }",
        lambda w, d: d["compareAccounts"],
        PLAN_TOGGLES,
    ),
    "Conflict.currentVersion": Probe(
        UPDATE_ACCOUNT.replace("$v: Int!, $p: JSON!", "").replace(
            "expectedVersion: $v, patch: $p", 'expectedVersion: -1, patch: {tier: "A"}'
        ),
        lambda w, d: d["updateNode"],
        {"account.profile": _rename_account, "account.market_potential": _market_potential},
    ),
    "Account.updatedAt": Probe(
        "query($a: ID!) { account(id: $a) { updatedAt } }",
        lambda w, d: d["account"],
        {"account.profile": _rename_account},
    ),
}


def test_every_derived_field_has_a_probe_per_section_it_reads() -> None:
    assert set(PROBES) == set(DERIVED)
    for key, derived in DERIVED.items():
        assert set(PROBES[key].changes) == set(derived.reads), key


def _answers(live: LiveApp, world: World, probe: Probe) -> dict[Role, Any]:
    variables = {"a": world.client.account, "plan": world.plan}
    used = {k: v for k, v in variables.items() if f"${k}" in probe.query}
    found: dict[Role, Any] = {}
    for role, user in world.users.items():
        body = live.gql(probe.query, used, as_user=user)
        data = body.get("data") or {}
        refused = [e["extensions"]["code"] for e in body.get("errors", [])]
        found[role] = (probe.extract(world, data) if not refused else None, refused)
    return found


PAIRS = [(key, section) for key, derived in DERIVED.items() for section in derived.reads]


@pytest.mark.parametrize(("key", "section"), PAIRS, ids=[f"{k}-{s}" for k, s in PAIRS])
def test_a_hidden_input_never_moves_a_derived_value(
    live: LiveApp, world: World, key: str, section: str
) -> None:
    probe = PROBES[key]
    before = _answers(live, world, probe)
    probe.changes[section](live, world, world.next())
    after = _answers(live, world, probe)
    assert before[Role.ADMIN] != after[Role.ADMIN], "the probe must change the input it names"
    for role in Role:
        if POLICY.best({role}, section).access < Access.READ:
            assert before[role] == after[role], (role.value, before[role], after[role])


def test_account_updated_at_does_not_move_with_market_potential(
    live: LiveApp, world: World
) -> None:
    query = "query($a: ID!) { account(id: $a) { updatedAt } }"
    before = live.gql(query, {"a": world.client.account}, as_user="admin")["data"]
    _update_account(live, world, {"marketPotential": 7.0})
    stored = live.backend.read(
        "MATCH (a:Account {id: $a}) RETURN a.marketPotential AS m", a=world.client.account
    )
    assert stored == [{"m": 7.0}]
    assert live.gql(query, {"a": world.client.account}, as_user="admin")["data"] == before


@pytest.mark.parametrize(
    ("name", "section"),
    [
        ("revenue", "plan.financial_goals"),
        ("Revenue (EUR)", "plan.financial_goals"),
        ("Net revenue", "plan.financial_goals"),
        ("gross margin", "plan.financial_goals"),
        ("revenue_goal", "plan.financial_goals"),
        ("Share of wallet", "plan.share_of_wallet"),
        ("leadersView", "plan.strategy"),
        ("meetings held", "plan.reviews"),
        ("Customer visits", "plan.reviews"),
        ("Umsatz (EUR)", "plan.financial_goals"),  # unrecognised: as restricted as a goal
        ("Rev. vs plan", "plan.financial_goals"),
        ("R\u0435venue", "plan.financial_goals"),  # a Cyrillic e
        ("Umsatzziel", "plan.financial_goals"),
    ],
)
def test_a_kpi_or_change_belongs_to_the_goal_it_names(name: str, section: str) -> None:
    from auth.registry import kpi_section

    assert kpi_section(name) == section
