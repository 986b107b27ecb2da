"""`Account.syncConflicts` and `Account.jobChanges`: what changed lately, with need-to-know."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from graph.crm import RECORD_CONFLICTS
from tests import factories
from tests.client_fixture import ClientFixture, build_client
from tests.conftest import LiveApp

CHANGES = """query($a: ID!, $s: DateTime!) { account(id: $a) {
  syncConflicts(since: $s) { id kind nodeId field kept theirs at }
  jobChanges(since: $s) { contactId contactName field before after changedOn recordedAt } } }"""
PROFILE = """mutation($i: ProfileChangeInput!) { recordProfileChange(input: $i) { __typename } }"""


def _conflicts(live: LiveApp, client: ClientFixture, at: datetime) -> None:
    """Conflicts as the Salesforce sync records them (graph/crm.py's own statement)."""
    conflicts = [
        (client.account, "industry", "Machinery", "Engineering"),
        (client.account, "marketPotential", 12500000.0, 9.0),
        (client.id("ceo"), "email", "ceo@client.example", "boss@client.example"),
        (client.id("ceo"), "title", "CEO", "Chief Executive"),
        (client.id("p1"), "value", 400000.0, 1.0),
        (client.other, "industry", "Energy", "Power"),
    ]
    live.backend.write(
        RECORD_CONFLICTS,
        conflicts=[
            {"id": f"{n}:{f}:{theirs}", "nodeId": n, "field": f, "kept": kept, "theirs": theirs}
            for n, f, kept, theirs in conflicts
        ],
        source="salesforce",
        now=at,
    )


def _changes(live: LiveApp, user: str, account: str, since: datetime) -> dict[str, Any]:
    body = live.gql(CHANGES, {"a": account, "s": since.isoformat()}, as_user=user)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["account"]
    return found


def test_sync_conflicts_show_what_the_role_reads_of_the_account(live: LiveApp, uid: str) -> None:
    client = build_client(live.backend, uid)
    before = datetime.now(UTC) - timedelta(minutes=1)
    _conflicts(live, client, datetime.now(UTC))
    seen = _changes(live, "executive", client.account, before)["syncConflicts"]
    assert {(c["kind"], c["nodeId"], c["field"]) for c in seen} == {
        ("ACCOUNT", client.account, "industry"),
        ("ACCOUNT", client.account, "marketPotential"),
        ("CONTACT", client.id("ceo"), "email"),
        ("CONTACT", client.id("ceo"), "title"),
        ("PROJECT", client.id("p1"), "value"),
    }
    industry = next(c for c in seen if c["field"] == "industry")
    assert (industry["kept"], industry["theirs"]) == ("Machinery", "Engineering")
    window = {client.account: (date(2020, 1, 1), None)}
    research = factories.member_login(live.backend, uid, "MARKET_RESEARCH", window)
    narrow = _changes(live, research, client.account, before)["syncConflicts"]
    # market research reads no market potential, no contact reach, no projects
    assert {(c["nodeId"], c["field"]) for c in narrow} == {
        (client.account, "industry"),
        (client.id("ceo"), "title"),
    }
    assert (
        _changes(live, "executive", client.account, datetime.now(UTC) + timedelta(minutes=5))[
            "syncConflicts"
        ]
        == []
    )


def test_job_changes_of_the_accounts_people(live: LiveApp, uid: str) -> None:
    client = build_client(live.backend, uid)
    before = datetime.now(UTC) - timedelta(seconds=5)
    for change in (
        {"contactId": client.id("cpo"), "title": "Chief Operating Officer", "at": "2026-11-30"},
        {"contactId": client.id("nat"), "company": "Somewhere Else GmbH"},
        {"contactId": client.id("site"), "url": "https://www.linkedin.com/in/sam-site-x"},
    ):
        done = live.gql(PROFILE, {"i": change}, as_user="admin")["data"]["recordProfileChange"]
        assert done["__typename"] == "ProfileChangePayload", done
    window = {client.account: (date(2020, 1, 1), None)}
    user = factories.member_login(live.backend, uid, "MARKETING", window)
    changes = _changes(live, user, client.account, before)["jobChanges"]
    assert [(j["contactId"], j["field"], j["after"]) for j in changes] == [
        (client.id("nat"), "company", "Somewhere Else GmbH"),
        (client.id("cpo"), "title", "Chief Operating Officer"),
    ]
    cpo = changes[1]
    assert cpo["contactName"] == "Carl CPO" and cpo["changedOn"] == "2026-11-30"
    assert cpo["before"] and cpo["before"] != cpo["after"]
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert _changes(live, user, client.account, later)["jobChanges"] == []
    assert _changes(live, user, client.account, before)["syncConflicts"] == []


def test_an_account_out_of_reach_shows_no_changes(live: LiveApp, uid: str) -> None:
    client = build_client(live.backend, uid)
    _conflicts(live, client, datetime.now(UTC))
    closed = {client.account: (date(2020, 1, 1), date(2021, 1, 1))}
    user = factories.member_login(live.backend, uid, "ACCOUNT_MANAGER", closed)
    body = live.gql(
        CHANGES,
        {"a": client.account, "s": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
        as_user=user,
    )
    assert body["data"]["account"] is None
    assert "Engineering" not in str(body) and "Machinery" not in str(body)


def test_first_out_of_bounds_is_a_validation_error(live: LiveApp, uid: str) -> None:
    client = build_client(live.backend, uid)
    body = live.gql(
        "query($a: ID!) "
        '{ account(id: $a) { jobChanges(since: "2026-01-01T00:00:00Z", first: 0) { field } } }',
        {"a": client.account},
        as_user="executive",
    )
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION", body
    assert "'first'" in body["errors"][0]["message"]
