"""The account plan and its follow-up through HTTP: carry-over, revisions, history, diffs,
completeness, conflicts, retries, reviews, actions, interactions and handover."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.client_fixture import ClientFixture, am_login, build_client
from tests.conftest import LiveApp

PLAN_FIELDS = "id period status version leadersView opportunities revenueGoal shareOfWalletGoal"
START = (
    """mutation($a: ID!, $p: String!, $c: String) { startPlan(input: {accountId: $a, period: $p,
  clientMutationId: $c}) {
  __typename ... on PlanPayload { replayed plan { %s } } ... on ValidationProblem { field message }
  ... on NotFound { message } } }"""
    % PLAN_FIELDS
)
UPDATE = (
    """mutation($id: ID!, $v: Int!, $patch: PlanPatch!, $c: String) {
  updatePlan(input: {planId: $id, expectedVersion: $v, patch: $patch, clientMutationId: $c}) {
  __typename ... on PlanPayload { replayed plan { %s } }
    ... on ValidationProblem { field message problems { field } }
  ... on Conflict { message currentVersion } ... on Forbidden { message section }
    ... on NotFound { message } } }"""
    % PLAN_FIELDS
)


def graph_dump(live: LiveApp) -> str:
    """A fingerprint of the whole graph but the append-only audit trail and login sessions."""
    nodes = live.backend.read(
        "MATCH (n) WHERE NOT n:AuditEntry AND NOT n:Session AND NOT n:User RETURN labels(n) AS l, "
        "properties(n) AS p"
    )
    rels = live.backend.read(
        "MATCH (a)-[r]->(b) WHERE NOT a:AuditEntry AND NOT a:Session AND NOT a:User "
        "RETURN type(r) AS t, a.id AS a, b.id AS b, properties(r) AS p"
    )
    text = json.dumps(
        [
            sorted(
                json.dumps([sorted(x["l"]), x["p"]], sort_keys=True, default=str) for x in nodes
            ),
            sorted(json.dumps(x, sort_keys=True, default=str) for x in rels),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def client(live: LiveApp, uid: str) -> ClientFixture:
    return build_client(live.backend, uid)


def on_team(live: LiveApp, client: ClientFixture, role: str) -> str:
    """A login of `role` whose team member is on the fixture account today."""
    from tests import factories

    return factories.member_login(
        live.backend,
        f"{client.prefix}-{role.lower()}",
        role,
        {client.account: (date(2020, 1, 1), None)},
    )


def start(
    live: LiveApp, account: str, period: str, user: str = "admin", cmid: str | None = None
) -> dict[str, Any]:
    return live.gql(START, {"a": account, "p": period, "c": cmid}, as_user=user)["data"][
        "startPlan"
    ]


def update(
    live: LiveApp,
    plan: dict[str, Any],
    patch: dict[str, Any],
    user: str,
    cmid: str | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    body = live.gql(
        UPDATE,
        {
            "id": plan["id"],
            "v": plan["version"] if version is None else version,
            "patch": patch,
            "c": cmid,
        },
        as_user=user,
    )
    assert "errors" not in body, body
    return body["data"]["updatePlan"]


def test_plan_lifecycle_carry_over_history_and_diff(live: LiveApp, client: ClientFixture) -> None:
    am = am_login(live.backend, client)
    first = start(live, client.account, "2025", user=am)
    assert first["__typename"] == "PlanPayload"
    plan = first["plan"]
    assert plan["period"] == "2025" and plan["version"] == 1 and plan["leadersView"] is None
    v2 = update(
        live,
        plan,
        {
            "leadersView": "They see us as a supplier",
            "opportunities": ["Retrofit"],
            "revenueGoal": 2.0e6,
        },
        am,
    )
    # One change in each of three sections: the version counts the changes of every section
    # the caller reads (auth/registry.py, DERIVED).
    assert v2["plan"]["version"] == 4 and v2["plan"]["revenueGoal"] == 2.0e6
    time.sleep(0.05)
    middle = datetime.now(UTC)
    time.sleep(0.05)
    v3 = update(live, v2["plan"], {"leadersView": "They see us as a partner"}, am)["plan"]
    # A new period starts from the last one: nothing is retyped.
    nxt = start(live, client.account, "2026", user=am)["plan"]
    assert nxt["leadersView"] == "They see us as a partner"
    assert nxt["opportunities"] == ["Retrofit"] and nxt["revenueGoal"] == 2.0e6
    closed = update(live, v3, {"leadersView": "late edit"}, am)
    assert closed["__typename"] == "ValidationProblem" and closed["field"] == "planId"
    history = live.gql(
        "query($p: ID!) "
        "{ planHistory(planId: $p) { edges { node { field before after username } } } }",
        {"p": plan["id"]},
        as_user=am,
    )["data"]["planHistory"]["edges"]
    changes = [
        (e["node"]["field"], e["node"]["before"], e["node"]["after"], e["node"]["username"])
        for e in history
    ]
    assert changes[0] == (
        "leadersView",
        "They see us as a supplier",
        "They see us as a partner",
        am,
    )
    assert ("revenueGoal", None, 2.0e6, am) in changes
    diff = live.gql(
        "query($p: ID!, $s: DateTime!) "
        "{ planDiff(planId: $p, since: $s) { field before after changedBy } }",
        {"p": plan["id"], "s": middle.isoformat()},
        as_user=am,
    )["data"]["planDiff"]
    assert diff == [
        {
            "field": "leadersView",
            "before": "They see us as a supplier",
            "after": "They see us as a partner",
            "changedBy": [am],
        }
    ]


def test_history_hides_sections_the_role_cannot_read(live: LiveApp, client: ClientFixture) -> None:
    plan = start(live, client.account, "2026")["plan"]
    update(live, plan, {"leadersView": "Partner", "revenueGoal": 9.0e6}, "admin")
    q = "query($p: ID!) { planHistory(planId: $p) { edges { node { field } } } }"
    seen_by_admin = {
        e["node"]["field"]
        for e in live.gql(q, {"p": plan["id"]}, as_user="admin")["data"]["planHistory"]["edges"]
    }
    research = on_team(live, client, "MARKET_RESEARCH")
    seen_by_research = {
        e["node"]["field"]
        for e in live.gql(q, {"p": plan["id"]}, as_user=research)["data"]["planHistory"]["edges"]
    }
    assert {"leadersView", "revenueGoal"} <= seen_by_admin
    assert "leadersView" in seen_by_research and "revenueGoal" not in seen_by_research


def test_rejected_writes_change_nothing(live: LiveApp, client: ClientFixture) -> None:
    plan = start(live, client.account, "2026")["plan"]
    plan = update(live, plan, {"leadersView": "Partner"}, "admin")["plan"]
    intelligence = on_team(live, client, "INTELLIGENCE")
    controller = on_team(live, client, "CONTROLLING")
    before = graph_dump(live)
    stale = update(live, plan, {"leadersView": "Overwrite?"}, "admin", version=plan["version"] - 1)
    assert stale == {
        "__typename": "Conflict",
        "message": stale["message"],
        "currentVersion": plan["version"],
    }
    bad = update(live, plan, {"shareOfWalletGoal": 1.5, "leadersView": "ok"}, "admin")
    assert bad["__typename"] == "ValidationProblem"
    assert bad["field"] == "patch.shareOfWalletGoal"
    forbidden = update(live, plan, {"revenueGoal": 1.0, "opportunities": ["x"]}, intelligence)
    assert forbidden == {
        "__typename": "Forbidden",
        "message": forbidden["message"],
        "section": "plan.financial_goals",
    }
    outsider = update(live, plan, {"leadersView": "x"}, "account_manager")  # not on this account
    assert outsider["__typename"] == "NotFound"
    controlling = update(
        live, plan, {"leadersView": "not mine to say", "revenueGoal": 3.0}, controller
    )
    assert controlling == {
        "__typename": "Forbidden",
        "message": controlling["message"],
        "section": "plan.strategy",
    }
    again = start(live, client.account, "2026")
    assert again["__typename"] == "ValidationProblem" and again["field"] == "period"
    bad_period = start(live, client.account, "26")
    assert bad_period["__typename"] == "ValidationProblem" and bad_period["field"] == "period"
    assert graph_dump(live) == before


def test_retried_requests_write_once(live: LiveApp, client: ClientFixture) -> None:
    first = start(live, client.account, "2030", cmid=f"{client.prefix}-start")
    retry = start(live, client.account, "2030", cmid=f"{client.prefix}-start")
    assert first["replayed"] is False and retry["replayed"] is True
    assert retry["plan"]["id"] == first["plan"]["id"]
    plan = first["plan"]
    once = update(
        live, plan, {"capabilities": "Field service"}, "admin", cmid=f"{client.prefix}-u1"
    )
    twice = update(
        live, plan, {"capabilities": "Field service"}, "admin", cmid=f"{client.prefix}-u1"
    )
    assert once["plan"]["version"] == twice["plan"]["version"] == 2
    assert twice["replayed"] is True
    revisions = live.backend.read(
        "MATCH (v:PlanRevision {planId: $p, field: 'capabilities'}) RETURN count(v) AS n",
        p=plan["id"],
    )
    assert revisions[0]["n"] == 1


def test_completeness_counts_filled_fields(live: LiveApp, client: ClientFixture) -> None:
    plan = start(live, client.account, "2026")["plan"]
    update(live, plan, {"leadersView": "x", "valuesBeliefs": "y", "revenueGoal": 1.0}, "admin")
    q = (
        "query($a: ID!) "
        "{ planCompleteness(accountId: $a) { period score fields { field filled stale } } }"
    )
    admin = live.gql(q, {"a": client.account}, as_user="admin")["data"]["planCompleteness"]
    filled = {f["field"] for f in admin["fields"] if f["filled"]}
    assert filled == {"leadersView", "valuesBeliefs", "revenueGoal"}
    assert admin["score"] == round(3 / 14, 4)
    research = live.gql(q, {"a": client.account}, as_user=on_team(live, client, "MARKET_RESEARCH"))[
        "data"
    ]["planCompleteness"]
    assert "revenueGoal" not in {f["field"] for f in research["fields"]}


REVIEW = """mutation($in: RecordReviewInput!) { recordReview(input: $in) { __typename
  ... on ReviewPayload { replayed review
    { id kind findings kpis { name actual goal } changes { field reason }
        actions { id title status version owner { name } } } }
  ... on ValidationProblem { field message } ... on NotFound { message } } }"""


def test_reviews_actions_and_due_reviews(live: LiveApp, client: ClientFixture) -> None:
    plan = start(live, client.account, "2026")["plan"]
    review_input = {
        "planId": plan["id"],
        "kind": "QUARTERLY",
        "findings": "Share of wallet below goal",
        "kpis": [{"name": "shareOfWallet", "actual": 0.2, "goal": 0.3}],
        "changes": [
            {
                "field": "futureStrategy",
                "change": "Focus on services",
                "reason": "Hardware is commoditised",
            }
        ],
        "actions": [
            {
                "title": "Book workshop with CPO",
                "ownerId": client.id("mk"),
                "due": str(date.today() + timedelta(days=14)),
            }
        ],
        "clientMutationId": f"{client.prefix}-review",
    }
    body = live.gql(REVIEW, {"in": review_input}, as_user="admin")["data"]["recordReview"]
    assert body["__typename"] == "ReviewPayload", body
    review = body["review"]
    assert review["kpis"] == [{"name": "shareOfWallet", "actual": 0.2, "goal": 0.3}]
    assert (
        review["actions"][0]["owner"] == {"name": "Mika Marketing"}
        and review["actions"][0]["status"] == "OPEN"
    )
    replay = live.gql(REVIEW, {"in": review_input}, as_user="admin")["data"]["recordReview"]
    assert replay["replayed"] is True and replay["review"]["id"] == review["id"]
    bad_owner = live.gql(
        REVIEW,
        {
            "in": {
                **review_input,
                "clientMutationId": None,
                "actions": [{"title": "x", "ownerId": "nobody"}],
            }
        },
        as_user="admin",
    )
    assert bad_owner["data"]["recordReview"]["field"] == "actions.ownerId[0]"
    # Due: a quarterly review was just recorded; monthly is due 31 days after the plan opened.
    due = live.gql(
        "query($t: DateTime) { dueReviews(asOf: $t) { accountId kind overdueDays } }",
        {"t": (datetime.now(UTC) + timedelta(days=40)).isoformat()},
        as_user="admin",
    )["data"]["dueReviews"]
    mine = {(d["kind"], d["overdueDays"]) for d in due if d["accountId"] == client.account}
    assert {k for k, _ in mine} == {"MONTHLY"}
    assert next(days for kind, days in mine if kind == "MONTHLY") in (8, 9)
    # The owner sees and moves their action; a stale version conflicts; others may not.
    action = review["actions"][0]
    from tests import factories

    owner = factories.member_login(live.backend, client.prefix + "-own", "MARKETING")
    live.backend.write("MATCH (u:User {username: $u})-[r:IS]->() DELETE r", u=owner)
    live.backend.write(
        "MATCH (u:User {username: $u}), (m:TeamMember {id: $m}) MERGE (u)-[:IS]->(m)",
        u=owner,
        m=client.id("mk"),
    )
    time.sleep(live.settings.principal_cache_seconds + 0.1)
    mine_now = live.gql("{ myActions(status: [OPEN]) { id title } }", as_user=owner)["data"][
        "myActions"
    ]
    assert {"id": action["id"], "title": "Book workshop with CPO"} in mine_now
    move = (
        "mutation($a: ID!, $s: ActionStatus!, $v: Int!) "
        "{ setActionStatus(input: {actionId: $a, status: $s, expectedVersion: $v}) "
        "{ __typename ... on ActionPayload { action { status version } } "
        "... on Conflict { currentVersion } ... on Forbidden { section } } }"
    )
    done = live.gql(move, {"a": action["id"], "s": "DONE", "v": action["version"]}, as_user=owner)[
        "data"
    ]["setActionStatus"]
    assert done == {"__typename": "ActionPayload", "action": {"status": "DONE", "version": 2}}
    stale = live.gql(move, {"a": action["id"], "s": "OPEN", "v": 1}, as_user=owner)["data"][
        "setActionStatus"
    ]
    assert stale == {"__typename": "Conflict", "currentVersion": 2}
    other = live.gql(
        move,
        {"a": action["id"], "s": "OPEN", "v": 2},
        as_user=on_team(live, client, "CUSTOMER_SUPPORT"),
    )["data"]["setActionStatus"]
    assert other["__typename"] == "Forbidden"


LOG = """mutation($in: LogInteractionInput!) { logInteraction(input: $in) { __typename
  ... on InteractionPayload { replayed interaction { id channel summary contactIds memberIds } }
  ... on ValidationProblem { field message } ... on NotFound { message } } }"""


def test_log_interaction_feeds_history_and_coverage(live: LiveApp, client: ClientFixture) -> None:
    am = am_login(live.backend, client)
    wrong = live.gql(
        LOG,
        {
            "in": {
                "accountId": client.account,
                "channel": "CALL",
                "summary": "x",
                "contactIds": [client.id("ceo"), "acc-nordwind-u-global-c000"],
                "memberIds": [client.id("am")],
            }
        },
        as_user="admin",
    )
    assert wrong["data"]["logInteraction"]["field"] == "contactIds[1]"
    bad_channel = live.gql(
        LOG,
        {
            "in": {
                "accountId": client.account,
                "channel": "PIGEON",
                "summary": "x",
                "contactIds": [client.id("ceo")],
                "memberIds": [client.id("am")],
            }
        },
        as_user=am,
    )
    assert bad_channel["data"]["logInteraction"]["field"] == "channel"
    ok = live.gql(
        LOG,
        {
            "in": {
                "accountId": client.account,
                "channel": "MEETING",
                "summary": "Met the CPO",
                "contactIds": [client.id("cpo")],
                "memberIds": [client.id("am")],
            }
        },
        as_user=am,
    )["data"]["logInteraction"]
    assert ok["__typename"] == "InteractionPayload"
    assert ok["interaction"]["contactIds"] == [client.id("cpo")]
    gaps = live.gql(
        "query($a: ID!) "
        "{ coverageGaps(accountId: $a) { staleRelationships { contact { name } } } }",
        {"a": client.account},
        as_user=am,
    )["data"]["coverageGaps"]
    assert [s["contact"]["name"] for s in gaps["staleRelationships"]] == [
        "Sam Site"
    ]  # am+cpo is fresh now


def test_handover_moves_everything_and_briefs_the_successor(
    live: LiveApp, client: ClientFixture
) -> None:
    old_user = am_login(live.backend, client)
    plan = start(live, client.account, "2026")["plan"]
    live.gql(
        REVIEW,
        {
            "in": {
                "planId": plan["id"],
                "kind": "MONTHLY",
                "findings": "ok",
                "actions": [{"title": "Call the CEO", "ownerId": client.id("am")}],
            }
        },
        as_user="admin",
    )
    live.backend.write(
        "MERGE (m:TeamMember {id: $id}) SET m.name = 'Nora Successor'", id=client.id("new")
    )
    today = datetime.now(UTC).date()
    handover = """mutation($a: ID!, $to: ID!, $on: Date!) { handoverAccount(accountId: $a,
      toTeamMemberId: $to, on: $on) {
      __typename ... on HandoverBrief { fromMemberId toMemberId openProjectIds movedActionIds
        movedMirrorUnitIds
        relationships { contactId strength alsoKnownBy } plan { id period } }
      ... on ValidationProblem { field message } ... on NotFound { message } } }"""
    refused = live.gql(
        handover, {"a": client.account, "to": client.id("new"), "on": str(today)}, as_user=old_user
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    brief = live.gql(
        handover,
        {"a": client.account, "to": client.id("new"), "on": str(today)},
        as_user="executive",
    )["data"]["handoverAccount"]
    assert brief["__typename"] == "HandoverBrief", brief
    assert brief["fromMemberId"] == client.id("am") and brief["toMemberId"] == client.id("new")
    assert sorted(brief["openProjectIds"]) == [client.id("p1"), client.id("p2")]
    assert len(brief["movedActionIds"]) == 1
    assert brief["movedMirrorUnitIds"] == [client.id("G")]
    assert brief["relationships"] == [
        {"contactId": client.id("site"), "strength": 0.9, "alsoKnownBy": [client.id("mk")]},
        {"contactId": client.id("cpo"), "strength": 0.5, "alsoKnownBy": []},
    ]
    assert brief["plan"] == {"id": plan["id"], "period": "2026"}
    windows = live.backend.read(
        "MATCH (m:TeamMember)-[t:ON_TEAM]->(:Account {id: $a}) WHERE t.role = 'ACCOUNT_MANAGER' "
        "RETURN m.id AS m, t.from AS f, t.until AS u",
        a=client.account,
    )
    by_member = {
        w["m"]: (w["f"].to_native(), w["u"].to_native() if w["u"] else None) for w in windows
    }
    assert by_member[client.id("am")][1] == today - timedelta(days=1)
    assert by_member[client.id("new")] == (today, None)
    owner = live.backend.read(
        "MATCH (x:Action {title: 'Call the CEO'})-[:OWNED_BY]->(m) WHERE x.id IN $ids "
        "RETURN m.id AS m",
        ids=brief["movedActionIds"],
    )
    assert owner == [{"m": client.id("new")}]
    # The old account manager's access closed with the window (not too late).
    time.sleep(live.settings.principal_cache_seconds + 0.1)
    gone = live.gql(
        "query($a: ID!) { account(id: $a) { id } }", {"a": client.account}, as_user=old_user
    )
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_writes_are_audited_and_compare_shows_plan_criteria(
    live: LiveApp, client: ClientFixture
) -> None:
    plan = start(live, client.account, "2026")["plan"]
    update(
        live, plan, {"leadersView": "x", "revenueGoal": 4.0e6, "shareOfWalletGoal": 0.4}, "admin"
    )
    log = live.gql(
        "query($t: String) "
        '{ auditLog(first: 20, filter: {targetId: $t, action: "WRITE"}) '
        "{ edges { node { username section outcome } } } }",
        {"t": plan["id"]},
        as_user="admin",
    )["data"]["auditLog"]["edges"]
    sections = {(e["node"]["username"], e["node"]["section"], e["node"]["outcome"]) for e in log}
    assert {
        ("admin", "plan.strategy", "OK"),
        ("admin", "plan.financial_goals", "OK"),
        ("admin", "plan.share_of_wallet", "OK"),
    } <= sections
    q = (
        "query($ids: [ID!]!) "
        "{ compareAccounts(ids: $ids) "
        "{ planPeriod planCompleteness shareOfWalletGoal revenueGoal } }"
    )
    row = live.gql(q, {"ids": [client.account]}, as_user="admin")["data"]["compareAccounts"][0]
    assert row == {
        "planPeriod": "2026",
        "planCompleteness": round(3 / 14, 4),
        "shareOfWalletGoal": 0.4,
        "revenueGoal": 4.0e6,
    }
    research = on_team(live, client, "MARKET_RESEARCH")
    hidden = live.gql(q, {"ids": [client.account]}, as_user=research)
    assert hidden["data"]["compareAccounts"][0]["revenueGoal"] is None
    assert {e["extensions"]["section"] for e in hidden["errors"]} == {
        "plan.share_of_wallet",
        "plan.financial_goals",
    }
