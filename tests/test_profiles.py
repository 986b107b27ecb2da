"""Profile changes of contacts: kept in history, and raised where they matter (a key person
left; someone we know joined another key account), through the endpoint and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.client_fixture import ClientFixture, build_client
from tests.conftest import Backend, LiveApp
from tests.test_plans import graph_dump

CHANGE = """mutation($in: ProfileChangeInput!) { recordProfileChange(input: $in) { __typename
  ... on ProfileChangePayload { contactId contactName changes leftAccountId keyPersonLeft
    joinedAccountId knownBy }
  ... on ValidationProblem { field message } ... on NotFound { message }
  ... on Forbidden { section } } }"""
GAPS = """query($a: ID!) { coverageGaps(accountId: $a) {
  departedKeyPeople { contact { name } nowAt departedAt roles }
  pathsIn { contact { name } since title fromAccountId knownBy { name } } } }"""


@pytest.fixture
def client(live: LiveApp, uid: str) -> ClientFixture:
    return build_client(live.backend, uid)


def change(live: LiveApp, data: dict[str, Any], as_user: str = "admin") -> dict[str, Any]:
    body = live.gql(CHANGE, {"in": data}, as_user=as_user)
    assert "errors" not in body, body
    return body["data"]["recordProfileChange"]  # type: ignore[no-any-return]


def test_a_decision_maker_who_left_is_a_coverage_gap(live: LiveApp, client: ClientFixture) -> None:
    done = change(
        live,
        {
            "contactId": client.id("ceo"),
            "company": "Acme Robotics GmbH",
            "title": "COO",
            "at": "2026-10-01",
        },
    )
    assert done["__typename"] == "ProfileChangePayload"
    assert (done["leftAccountId"], done["keyPersonLeft"], done["joinedAccountId"]) == (
        client.account,
        True,
        None,
    )
    assert sorted((c["field"], c["from"], c["to"]) for c in done["changes"]) == [
        ("company", f"Fixture {client.prefix}", "Acme Robotics GmbH"),
        ("title", "CEO", "COO"),
    ]
    gaps = live.gql(GAPS, {"a": client.account}, as_user="executive")["data"]["coverageGaps"]
    assert gaps["departedKeyPeople"] == [
        {
            "contact": {"name": "Cora CEO"},
            "nowAt": "Acme Robotics GmbH",
            "departedAt": "2026-10-01",
            "roles": ["DECISION_MAKER"],
        }
    ]
    history = live.backend.read(
        "MATCH (c:Contact {id: $c}) RETURN c.profileHistory AS h, c.title AS title",
        c=client.id("ceo"),
    )[0]
    assert history["title"] == "COO" and len(history["h"]) == 2
    assert json.loads(history["h"][0])["by"] == "admin"
    again = change(live, {"contactId": client.id("ceo"), "company": "Acme Robotics GmbH"})
    assert again["changes"] == []  # the same news twice changes nothing
    back = change(live, {"contactId": client.id("ceo"), "company": f"Fixture {client.prefix} AG"})
    assert back["leftAccountId"] is None
    gaps = live.gql(GAPS, {"a": client.account}, as_user="executive")["data"]["coverageGaps"]
    assert gaps["departedKeyPeople"] == []


def test_someone_we_know_joining_another_key_account_is_a_path_in(
    live: LiveApp, client: ClientFixture
) -> None:
    done = change(
        live,
        {
            "contactId": client.id("site"),
            "company": f"Other {client.prefix} AG",
            "title": "Head of Plants",
            "at": "2026-11-02",
        },
    )
    assert done["joinedAccountId"] == client.other and done["keyPersonLeft"] is False
    assert done["knownBy"] == ["Alma Manager", "Mika Marketing"]
    gaps = live.gql(GAPS, {"a": client.other}, as_user="executive")["data"]["coverageGaps"]
    assert gaps["pathsIn"] == [
        {
            "contact": {"name": "Sam Site"},
            "since": "2026-11-02",
            "title": "Head of Plants",
            "fromAccountId": client.account,
            "knownBy": [{"name": "Alma Manager"}, {"name": "Mika Marketing"}],
        }
    ]


def test_found_by_profile_url(live: LiveApp, client: ClientFixture) -> None:
    url = f"https://www.linkedin.com/in/{client.prefix}-nina"
    live.backend.write(
        "MATCH (c:Contact {id: $c}) SET c.linkedinUrl = $u", c=client.id("nat"), u=url
    )
    done = change(
        live, {"linkedinUrl": url.replace("www", "de") + "/?trk=1", "title": "Country Director"}
    )
    assert (done["contactName"], done["changes"][0]["to"]) == ("Nina National", "Country Director")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "x"}, "contactId"),  # neither id nor url
        (
            {"contactId": "X", "linkedinUrl": "https://www.linkedin.com/in/x", "title": "x"},
            "contactId",
        ),
        ({"contactId": "CEO"}, "title"),  # nothing changes
        ({"contactId": "CEO", "url": "https://example.com/cora"}, "url"),
        ({"contactId": "CEO", "title": "x" * 201}, "title"),
        ({"contactId": "CEO", "company": "  "}, "company"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(
    live: LiveApp, client: ClientFixture, data: dict[str, Any], field: str
) -> None:
    if data.get("contactId") == "CEO":
        data = {**data, "contactId": client.id("ceo")}
    before = graph_dump(live)
    refused = change(live, data)
    assert refused["__typename"] == "ValidationProblem" and refused["field"] == field, refused
    assert graph_dump(live) == before


def test_unknown_out_of_scope_and_forbidden(live: LiveApp, client: ClientFixture) -> None:
    assert change(live, {"contactId": "nobody", "title": "x"})["__typename"] == "NotFound"
    # the demo account manager is on another account: this contact is out of scope
    assert (
        change(live, {"contactId": client.id("ceo"), "title": "x"}, as_user="account_manager")[
            "__typename"
        ]
        == "NotFound"
    )
    before = graph_dump(live)
    refused = live.gql(
        CHANGE, {"in": {"contactId": client.id("ceo"), "title": "x"}}, as_user="marketing"
    )
    assert refused["data"] is None
    assert [(e["extensions"]["code"], e["extensions"]["section"]) for e in refused["errors"]] == [
        ("FORBIDDEN", "contact.profile")
    ]
    assert graph_dump(live) == before


def test_cli_profile_change(backend: Backend, client: ClientFixture) -> None:
    env = backend.cli_env()
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "kam", "linkedin", "profile-change", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    done = run("--contact", client.id("cpo"), "--company", f"Other {client.prefix}", "--json")
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome["joinedAccountId"] == client.other and outcome["knownBy"] == ["Alma Manager"]
    assert run("--title", "x").returncode == 2
    assert run("--contact", client.id("cpo"), "--at", "yesterday", "--title", "x").returncode == 2
    missing = run("--contact", "nobody-at-all", "--title", "x")
    assert missing.returncode == 3 and "nobody-at-all" in missing.stderr
