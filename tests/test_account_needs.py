"""`accountNeeds`: the needs of an account the partner options screen starts from."""

from __future__ import annotations

from datetime import date

from tests import factories
from tests.client_fixture import build_client
from tests.conftest import LiveApp

NEEDS = "query($a: ID!) { accountNeeds(accountId: $a) { id name description } }"


def test_needs_by_name_and_their_partner_options(live: LiveApp, uid: str) -> None:
    client = build_client(live.backend, uid)
    body = live.gql(NEEDS, {"a": client.account}, as_user="executive")
    assert "errors" not in body, body
    assert body["data"]["accountNeeds"] == [
        {"id": client.id("need-int"), "name": "Needs internal", "description": None},
        {"id": client.id("need-ptn"), "name": "Needs partner", "description": None},
    ]
    none = live.gql(NEEDS, {"a": client.other}, as_user="executive")
    assert none["data"]["accountNeeds"] == []


def test_an_account_out_of_reach_answers_like_one_that_does_not_exist(
    live: LiveApp, uid: str
) -> None:
    client = build_client(live.backend, uid)
    closed = {client.account: (date(2020, 1, 1), date(2021, 1, 1))}
    user = factories.member_login(live.backend, uid, "ACCOUNT_MANAGER", closed)
    out = live.gql(NEEDS, {"a": client.account}, as_user=user)
    missing = live.gql(NEEDS, {"a": f"{uid}-nothing"}, as_user=user)
    assert out["data"] == missing["data"] == {"accountNeeds": None}
    strip = [{k: v for k, v in e.items() if k != "message"} for e in out["errors"]]
    assert strip == [{k: v for k, v in e.items() if k != "message"} for e in missing["errors"]]
    assert out["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_a_role_without_the_partners_section_cannot_ask(live: LiveApp, uid: str) -> None:
    client = build_client(live.backend, uid)
    window = {client.account: (date(2020, 1, 1), None)}
    user = factories.member_login(live.backend, uid, "CONTROLLING", window)
    body = live.gql(NEEDS, {"a": client.account}, as_user=user)
    assert not body.get("data") or body["data"].get("accountNeeds") is None
    assert body["errors"], body
    fields = live.gql('{ __type(name: "Query") { fields { name } } }', as_user=user)
    assert "accountNeeds" not in {f["name"] for f in fields["data"]["__type"]["fields"]}
