"""The authorization matrix, generated from the policy file: every role x every section x
in scope / out of scope / outside the time window, through HTTP, asserting the exact value or
FORBIDDEN / NOT_FOUND. Also: introspection per role, and the audit trail of restricted reads."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from auth.policy import Access, Condition, load_policy
from graph.model import Role
from resolvers.schema import build_schema, field_section, schema_fields
from resolvers.sections import AUTHENTICATED, PUBLIC
from tests import factories
from tests.client_fixture import ClientFixture, build_client
from tests.conftest import LiveApp

POLICY = load_policy()
TODAY = datetime.now(UTC).date()
SITUATIONS = ("in_scope", "out_of_scope", "window_closed")


@dataclass(frozen=True)
class Probe:
    """A query reading one section: its root field's section, and where the value lands."""

    query: str
    root: str
    root_section: str
    variables: Callable[[ClientFixture], dict[str, Any]]
    extract: Callable[[Any], Any]
    expected: Callable[[ClientFixture], Any]
    account_scoped: bool = True


PROBES: dict[str, Probe] = {
    "account.profile": Probe(
        "query($a: ID!) { account(id: $a) { name } }",
        "account",
        "account.profile",
        lambda c: {"a": c.account},
        lambda d: d["name"],
        lambda c: f"Fixture {c.prefix}",
    ),
    "account.market_potential": Probe(
        "query($a: ID!) { account(id: $a) { marketPotential } }",
        "account",
        "account.profile",
        lambda c: {"a": c.account},
        lambda d: d["marketPotential"],
        lambda c: 12500000.0,
    ),
    "org.structure": Probe(
        "query($a: ID!) { orgChart(accountId: $a) { unitCount } }",
        "orgChart",
        "org.structure",
        lambda c: {"a": c.account},
        lambda d: d["unitCount"],
        lambda c: 5,
    ),
    "contact.profile": Probe(
        "query($c: ID!) { contact(id: $c) { name } }",
        "contact",
        "contact.profile",
        lambda c: {"c": c.id("ceo")},
        lambda d: d["name"],
        lambda c: "Cora CEO",
    ),
    "contact.reach": Probe(
        "query($c: ID!) { contact(id: $c) { email } }",
        "contact",
        "contact.profile",
        lambda c: {"c": c.id("ceo")},
        lambda d: d["email"],
        lambda c: "ceo@client.example",
    ),
    "network.influence": Probe(
        "query($c: ID!) { contact(id: $c) { influences { edges { node { strength } } } } }",
        "contact",
        "contact.profile",
        lambda c: {"c": c.id("nat")},
        lambda d: [e["node"] for e in d["influences"]["edges"]],
        lambda c: [{"strength": 0.8}],
    ),
    "team.matrix": Probe(
        "query($a: ID!) { orgChart(accountId: $a) { levels { units { mirroredBy { name } } } } }",
        "orgChart",
        "org.structure",
        lambda c: {"a": c.account},
        lambda d: d["levels"][0]["units"][0]["mirroredBy"],
        lambda c: [{"name": "Alma Manager"}],
    ),
    "competition": Probe(
        "query($a: ID!) { account(id: $a) { competitors { edges { node { name share } } } } }",
        "account",
        "account.profile",
        lambda c: {"a": c.account},
        lambda d: [e["node"] for e in d["competitors"]["edges"]],
        lambda c: [{"name": f"Rival {c.prefix}", "share": 0.3}],
    ),
    "projects": Probe(
        "query($a: ID!) { account(id: $a) { projects { edges { node { name } } } } }",
        "account",
        "account.profile",
        lambda c: {"a": c.account},
        lambda d: [e["node"] for e in d["projects"]["edges"]],
        lambda c: [{"name": "Attack line"}, {"name": "Defend frame"}],
    ),
    "partners": Probe(
        "query($n: ID!) { partnerOptions(needId: $n) { needName } }",
        "partnerOptions",
        "partners",
        lambda c: {"n": c.id("need-int")},
        lambda d: d["needName"],
        lambda c: "Needs internal",
    ),
    "interactions": Probe(
        "query($a: ID!) "
        "{ account(id: $a) { interactions(first: 5) { edges { node { summary } } } } }",
        "account",
        "account.profile",
        lambda c: {"a": c.account},
        lambda d: [e["node"]["summary"] for e in d["interactions"]["edges"]],
        lambda c: ["Talked with Sam Site", "Talked with Carl CPO"],
    ),
    "plan.strategy": Probe(
        "query($a: ID!) { plan(accountId: $a) { leadersView } }",
        "plan",
        AUTHENTICATED,
        lambda c: {"a": c.account},
        lambda d: d["leadersView"],
        lambda c: "They see us as a partner",
    ),
    "plan.financial_goals": Probe(
        "query($a: ID!) { plan(accountId: $a) { revenueGoal } }",
        "plan",
        AUTHENTICATED,
        lambda c: {"a": c.account},
        lambda d: d["revenueGoal"],
        lambda c: 5000000.0,
    ),
    "plan.share_of_wallet": Probe(
        "query($a: ID!) { plan(accountId: $a) { shareOfWalletGoal } }",
        "plan",
        AUTHENTICATED,
        lambda c: {"a": c.account},
        lambda d: d["shareOfWalletGoal"],
        lambda c: 0.35,
    ),
    "plan.reviews": Probe(
        "query($p: ID!) { reviews(planId: $p) { kind findings } }",
        "reviews",
        "plan.reviews",
        lambda c: {"p": f"plan-{c.account}-2026"},
        lambda d: d,
        lambda c: [{"kind": "QUARTERLY", "findings": "On track"}],
    ),
    "admin.users": Probe(
        "{ users { username } }",
        "users",
        "admin.users",
        lambda c: {},
        lambda d: "admin" in [u["username"] for u in d],
        lambda c: True,
        account_scoped=False,
    ),
    "admin.audit": Probe(
        "{ auditLog(first: 1) { pageInfo { hasNextPage } } }",
        "auditLog",
        "admin.audit",
        lambda c: {},
        lambda d: d["pageInfo"]["hasNextPage"],
        lambda c: True,
        account_scoped=False,
    ),
}


def used_sections() -> set[str]:
    return {
        s
        for _, _, f in schema_fields(build_schema())
        if (s := field_section(f)) and s not in (PUBLIC, AUTHENTICATED)
    }


def test_every_section_in_the_schema_has_a_probe() -> None:
    missing = used_sections() - set(PROBES)
    assert not missing, f"sections without an authorization probe: {sorted(missing)}"


@dataclass
class Matrix:
    client: ClientFixture
    users: dict[tuple[Role, str], str]


@pytest.fixture(scope="module")
def matrix(live: LiveApp) -> Matrix:
    prefix = "m" + secrets.token_hex(4)
    client = build_client(live.backend, prefix)
    windows: dict[str, dict[str, tuple[date, date | None]]] = {
        "in_scope": {client.account: (TODAY - timedelta(days=30), None)},
        "out_of_scope": {client.other: (TODAY - timedelta(days=30), None)},
        "window_closed": {client.account: (TODAY - timedelta(days=30), TODAY - timedelta(days=1))},
    }
    _plan_for(live, client)
    users = {}
    for role in Role:
        for situation in SITUATIONS:
            users[(role, situation)] = factories.member_login(
                live.backend,
                f"{prefix}-{situation}",
                role.value,
                windows[situation],
                segments=["Industrial"],
            )
    return Matrix(client, users)


def _plan_for(live: LiveApp, client: ClientFixture) -> None:
    from auth.registry import PLAN_SECTIONS
    from graph.followup import record_review
    from graph.plan_writes import start_plan, update_plan
    from graph.scope import Scope
    from graph.writes import Actor

    actor = Actor("user-admin", "admin", "matrix")
    everything = Scope(all_accounts=True, member_id=None, today=TODAY)
    db = live.backend.db
    plan, _ = live.backend.run(start_plan(db, actor, everything, client.account, "2026", None))
    live.backend.run(
        update_plan(
            db,
            actor,
            everything,
            plan,
            PLAN_SECTIONS,
            1,
            {
                "leadersView": "They see us as a partner",
                "revenueGoal": 5000000.0,
                "shareOfWalletGoal": 0.35,
                "opportunities": ["Retrofit"],
            },
            None,
        )
    )
    live.backend.run(
        record_review(
            db,
            actor,
            everything,
            plan,
            "QUARTERLY",
            datetime.now(UTC),
            "On track",
            [],
            [],
            [],
            None,
        )
    )


def expected_outcome(role: Role, section: str, situation: str, probe: Probe) -> str:
    """VALUE, FORBIDDEN (at root or field) or NOT_FOUND, from the policy alone."""
    if (
        probe.root_section != AUTHENTICATED
        and POLICY.grant(role, probe.root_section).access < Access.READ
    ):
        return "ROOT_FORBIDDEN"
    reachable = (
        not probe.account_scoped or role in (Role.ADMIN, Role.EXECUTIVE) or situation == "in_scope"
    )
    if not reachable:
        return "NOT_FOUND"
    grant = POLICY.grant(role, section)
    if grant.access < Access.READ:
        return "FIELD_FORBIDDEN"
    # The fixture account is in the probe users' own segment, so OWN_SEGMENT holds.
    assert grant.when in (None, Condition.OWN_SEGMENT)
    return "VALUE"


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize("section", sorted(PROBES))
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_read_matrix(
    live: LiveApp, matrix: Matrix, role: Role, section: str, situation: str
) -> None:
    probe = PROBES[section]
    body = live.gql(
        probe.query, probe.variables(matrix.client), as_user=matrix.users[(role, situation)]
    )
    outcome = expected_outcome(role, section, situation, probe)
    errors = body.get("errors", [])
    data = body.get("data") or {}
    if outcome == "VALUE":
        assert not errors, errors
        assert probe.extract(data[probe.root]) == probe.expected(matrix.client)
    elif outcome == "ROOT_FORBIDDEN":
        assert data.get(probe.root) is None
        assert [(e["extensions"]["code"], e["path"]) for e in errors] == [
            ("FORBIDDEN", [probe.root])
        ]
    elif outcome == "NOT_FOUND":
        assert data.get(probe.root) is None
        assert [(e["extensions"]["code"], e["path"]) for e in errors] == [
            ("NOT_FOUND", [probe.root])
        ]
    else:
        assert errors, f"{role} read {section} ({situation})"
        assert {e["extensions"]["code"] for e in errors} == {"FORBIDDEN"}
        assert all(e["extensions"]["section"] == section for e in errors)
        assert all(e["path"][0] == probe.root and len(e["path"]) > 1 for e in errors)


def _expected_fields(role: Role) -> dict[str, set[str]]:
    visible: dict[str, set[str]] = {}
    for type_name, name, field in schema_fields(build_schema()):
        section = field_section(field)
        if (
            section in (PUBLIC, AUTHENTICATED)
            or POLICY.grant(role, section or "").access >= Access.READ
        ):
            visible.setdefault(type_name, set()).add(name)
    return visible


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_introspection_shows_exactly_the_readable_fields(live: LiveApp, role: Role) -> None:
    body = live.gql(
        "{ __schema { types { name kind fields { name } } } }", as_user=role.value.lower()
    )
    seen = {
        t["name"]: {f["name"] for f in t["fields"] or []}
        for t in body["data"]["__schema"]["types"]
        if t["kind"] == "OBJECT" and not t["name"].startswith("__")
    }
    expected = _expected_fields(role)
    for type_name, fields in seen.items():
        assert fields == expected.get(type_name, set()), type_name


def test_anonymous_introspection_shows_only_public_fields(live: LiveApp) -> None:
    body = live.gql('{ __type(name: "Query") { fields { name } } }')
    assert {f["name"] for f in body["data"]["__type"]["fields"]} == {"me"}
    body = live.gql('{ __type(name: "Account") { fields { name } } }')
    assert body["data"]["__type"]["fields"] == []


def test_restricted_reads_and_refusals_are_audited(live: LiveApp, matrix: Matrix) -> None:
    controller = matrix.users[(Role.CONTROLLING, "in_scope")]
    researcher = matrix.users[(Role.MARKET_RESEARCH, "in_scope")]
    live.gql(
        "query($a: ID!) { account(id: $a) { marketPotential } }",
        {"a": matrix.client.account},
        as_user=controller,
    )
    live.gql(
        "query($c: ID!) { contact(id: $c) { email } }",
        {"c": matrix.client.id("ceo")},
        as_user=researcher,
    )
    log = live.gql(
        "query($t: String) "
        "{ auditLog(first: 50, filter: {targetId: $t}) "
        "{ edges { node { username action section targetType outcome requestId } } } }",
        {"t": matrix.client.account},
        as_user="admin",
    )
    entries = [e["node"] for e in log["data"]["auditLog"]["edges"]]
    assert {
        "username": controller,
        "action": "READ",
        "section": "account.market_potential",
        "targetType": "Account",
        "outcome": "OK",
    } in [{k: v for k, v in e.items() if k != "requestId"} for e in entries]
    refused = live.gql(
        "query($t: String) "
        "{ auditLog(first: 50, filter: {targetId: $t}) "
        "{ edges { node { username section outcome } } } }",
        {"t": matrix.client.id("ceo")},
        as_user="admin",
    )
    assert {"username": researcher, "section": "contact.reach", "outcome": "FORBIDDEN"} in [
        e["node"] for e in refused["data"]["auditLog"]["edges"]
    ]
    # The audit trail holds no tokens or secrets.
    whole = live.gql(
        "{ auditLog(first: 100) { edges { node { id username section targetId requestId } } } }",
        as_user="admin",
    )
    assert "eyJ" not in str(whole)


# Each write probe sets a value of its own (`n` differs per role and situation), so a
# write that is let through always changes the plan.
WRITE_PROBES: dict[str, Callable[[int], dict[str, Any]]] = {
    "competition": lambda n: {"opportunities": [f"Write probe {n}"]},
    "plan.strategy": lambda n: {"leadersView": f"Write probe {n}"},
    "plan.share_of_wallet": lambda n: {"shareOfWalletActual": round(0.1 + n / 1000, 4)},
    "plan.financial_goals": lambda n: {"marginGoal": round(0.2 + n / 1000, 4)},
}
UPDATE = """mutation($id: ID!, $v: Int!, $patch: PlanPatch!) { updatePlan(input: {planId: $id,
  expectedVersion: $v, patch: $patch}) {
  __typename ... on Forbidden { section } ... on PlanPayload { plan { version } } } }"""
SEEN_VERSION = 'query($a: ID!) { plan(accountId: $a, period: "2026") { version } }'


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize("section", sorted(WRITE_PROBES))
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_write_matrix(
    live: LiveApp, matrix: Matrix, role: Role, section: str, situation: str
) -> None:
    plan_id = f"plan-{matrix.client.account}-2026"
    user = matrix.users[(role, situation)]
    stored = "MATCH (p:Plan {id: $id}) RETURN p.version AS v"
    before = live.backend.read(stored, id=plan_id)[0]["v"]
    seen = live.gql(SEEN_VERSION, {"a": matrix.client.account}, as_user=user)["data"]["plan"]
    version = seen["version"] if seen else 1
    n = list(Role).index(role) * len(SITUATIONS) + SITUATIONS.index(situation)
    body = live.gql(
        UPDATE,
        {"id": plan_id, "v": version, "patch": WRITE_PROBES[section](n)},
        as_user=user,
    )
    result = body["data"]["updatePlan"]
    reachable = role in (Role.ADMIN, Role.EXECUTIVE) or situation == "in_scope"
    after = live.backend.read(stored, id=plan_id)[0]["v"]
    if not reachable:
        assert result["__typename"] == "NotFound"
        assert after == before
    elif POLICY.grant(role, section).access >= Access.WRITE:
        # One field of a section the writer reads changed: their version moves by one.
        assert result == {"__typename": "PlanPayload", "plan": {"version": version + 1}}
        assert after == before + 1
    else:
        assert result == {"__typename": "Forbidden", "section": section}
        assert after == before


@dataclass(frozen=True)
class WriteProbe:
    """A write to one section, and a query counting what it left in the graph."""

    query: str
    root: str
    variables: Callable[[ClientFixture, str], dict[str, Any]]
    left: str  # Cypher counting the probe's own writes; $mark is unique per attempt


NODE = """mutation($in: CreateNodeInput!) { createNode(input: $in) { __typename } }"""
LINKQ = """mutation($in: LinkInput!) { link(input: $in) { __typename } }"""
SECTION_WRITES: dict[str, WriteProbe] = {
    "org.structure": WriteProbe(
        NODE,
        "createNode",
        lambda c, m: {
            "in": {
                "kind": "CLIENT_UNIT",
                "parentId": c.account,
                "properties": {"name": m, "level": "STATE"},
            }
        },
        "MATCH (n:ClientUnit {name: $mark}) RETURN count(n) AS n",
    ),
    "contact.profile": WriteProbe(
        NODE,
        "createNode",
        lambda c, m: {"in": {"kind": "CONTACT", "parentId": c.id("G"), "properties": {"name": m}}},
        "MATCH (n:Contact {name: $mark}) RETURN count(n) AS n",
    ),
    "projects": WriteProbe(
        NODE,
        "createNode",
        lambda c, m: {
            "in": {
                "kind": "PROJECT",
                "parentId": c.account,
                "properties": {"name": m, "kind": "ATTACK"},
            }
        },
        "MATCH (n:Project {name: $mark}) RETURN count(n) AS n",
    ),
    "partners": WriteProbe(
        NODE,
        "createNode",
        lambda c, m: {"in": {"kind": "NEED", "parentId": c.account, "properties": {"name": m}}},
        "MATCH (n:Need {name: $mark}) RETURN count(n) AS n",
    ),
    "network.influence": WriteProbe(
        LINKQ,
        "link",
        lambda c, m: {
            "in": {
                "kind": "INFLUENCES",
                "fromId": c.id("ceo"),
                "toId": c.id("buyer"),
                "properties": {"strength": 0.3, "note": m},
            }
        },
        "MATCH (:Contact)-[r:INFLUENCES {note: $mark}]->(:Contact) RETURN count(r) AS n",
    ),
    "competition": WriteProbe(
        LINKQ,
        "link",
        lambda c, m: {
            "in": {
                "kind": "COMPETES_AT",
                "fromId": c.id("comp"),
                "toId": c.account,
                "properties": {"share": 0.1, "position": "NICHE"},
            }
        },
        "MATCH (:Competitor)-[r:COMPETES_AT {share: 0.1}]->(:Account) WHERE $mark IS NOT NULL "
        "RETURN count(r) AS n",
    ),
    "team.matrix": WriteProbe(
        LINKQ,
        "link",
        lambda c, m: {"in": {"kind": "MIRRORS", "fromId": c.id("mk"), "toId": c.id("N")}},
        "MATCH (:TeamMember)-[r:MIRRORS]->(:ClientUnit) WHERE $mark IS NOT NULL "
        "RETURN count(r) AS n",
    ),
    "account.profile": WriteProbe(
        """mutation($in: UpdateNodeInput!) { updateNode(input: $in) { __typename } }""",
        "updateNode",
        lambda c, m: {
            "in": {
                "kind": "ACCOUNT",
                "id": c.account,
                "expectedVersion": -1,
                "patch": {"industry": m},
            }
        },
        "MATCH (n:Account {industry: $mark}) RETURN count(n) AS n",
    ),
    "interactions": WriteProbe(
        """mutation($in: LogInteractionInput!) { logInteraction(input: $in) { __typename } }""",
        "logInteraction",
        lambda c, m: {
            "in": {
                "accountId": c.account,
                "channel": "CALL",
                "summary": m,
                "contactIds": [c.id("ceo")],
                "memberIds": [c.id("am")],
            }
        },
        "MATCH (n:Interaction {summary: $mark}) RETURN count(n) AS n",
    ),
    "contact.reach": WriteProbe(
        """mutation($in: UpdateNodeInput!) { updateNode(input: $in) { __typename } }""",
        "updateNode",
        lambda c, m: {
            "in": {
                "kind": "CONTACT",
                "id": c.id("cpo"),
                "expectedVersion": -1,
                "patch": {"email": f"{m}@client.example"},
            }
        },
        "MATCH (n:Contact {email: $mark + '@client.example'}) RETURN count(n) AS n",
    ),
    "account.market_potential": WriteProbe(
        """mutation($in: UpdateNodeInput!) { updateNode(input: $in) { __typename } }""",
        "updateNode",
        lambda c, m: {
            "in": {
                "kind": "ACCOUNT",
                "id": c.account,
                "expectedVersion": -1,
                "patch": {"marketPotential": float(int(m[-6:], 16))},
            }
        },
        "MATCH (n:Account {marketPotential: toFloat($markValue)}) RETURN count(n) AS n",
    ),
    "plan.reviews": WriteProbe(
        """mutation($in: RecordReviewInput!) { recordReview(input: $in) { __typename } }""",
        "recordReview",
        lambda c, m: {"in": {"planId": f"plan-{c.account}-2026", "kind": "MONTHLY", "findings": m}},
        "MATCH (n:Review {findings: $mark}) RETURN count(n) AS n",
    ),
}


def test_every_writable_section_has_a_write_probe() -> None:
    writable = {
        s
        for s in POLICY.sections
        if any(POLICY.grant(r, s).access >= Access.WRITE for r in Role if r is not Role.ADMIN)
    }
    covered = set(SECTION_WRITES) | set(WRITE_PROBES)
    assert writable <= covered, f"no write probe for {sorted(writable - covered)}"


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize("section", sorted(SECTION_WRITES))
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_section_write_matrix(
    live: LiveApp, matrix: Matrix, role: Role, section: str, situation: str
) -> None:
    probe = SECTION_WRITES[section]
    mark = f"probe-{secrets.token_hex(6)}"
    variables = probe.variables(matrix.client, mark)
    user = matrix.users[(role, situation)]
    if variables.get("in", {}).get("expectedVersion") == -1:
        # Send the version as this caller sees it (a Conflict names it): only rights decide.
        stale = live.gql(
            "mutation($in: UpdateNodeInput!) "
            "{ updateNode(input: $in) { ... on Conflict { currentVersion } } }",
            variables,
            as_user=user,
        )
        seen = ((stale.get("data") or {}).get("updateNode") or {}).get("currentVersion")
        if seen is not None:
            variables["in"]["expectedVersion"] = seen
    mark_value = int(mark[-6:], 16)
    before = live.backend.read(probe.left, mark=mark, markValue=mark_value)[0]["n"]
    body = live.gql(probe.query, variables, as_user=user)
    result = (body.get("data") or {}).get(probe.root)
    outcome = result["__typename"] if result else body["errors"][0]["extensions"]["code"]
    reachable = role in (Role.ADMIN, Role.EXECUTIVE) or situation == "in_scope"
    after = live.backend.read(probe.left, mark=mark, markValue=mark_value)[0]["n"]
    needed = (
        [section]
        + (["account.profile"] if section == "account.market_potential" else [])
        + (["contact.profile"] if section == "contact.reach" else [])
    )
    if any(POLICY.grant(role, s).access < Access.WRITE for s in needed):
        assert outcome in ("Forbidden", "FORBIDDEN"), (role, section, body)
        assert after == before
    elif not reachable:
        assert outcome in ("NotFound", "ValidationProblem"), (role, section, body)
        assert after == before
    else:
        assert outcome.endswith("Payload") or outcome == "HandoverBrief", (role, section, body)
        if section not in ("competition", "team.matrix"):  # links are idempotent: one edge per pair
            assert after == before + 1
