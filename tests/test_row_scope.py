"""Row scope: an account is reachable only inside the caller's ON_TEAM window (both edges)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests import factories
from tests.conftest import LiveApp

ACCOUNT = "query($id: ID!) { account(id: $id) { id name } }"
TODAY = datetime.now(UTC).date()
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "until", "visible"),
    [
        (TODAY, None, True),  # opens on `from`
        (TODAY + DAY, None, False),  # not yet: not too soon
        (TODAY - 9 * DAY, TODAY, True),  # still open on `until`
        (TODAY - 9 * DAY, TODAY - DAY, False),  # closed after `until`: not too late
    ],
)
def test_window_edges(live: LiveApp, uid: str, start: object, until: object, visible: bool) -> None:
    account_id = factories.account(live.backend, f"{uid}-acc")
    user = factories.member_login(live.backend, uid, "MARKETING", {account_id: (start, until)})  # type: ignore[dict-item]
    body = live.gql(ACCOUNT, {"id": account_id}, as_user=user)
    listed = live.gql(
        "query($q: String) "
        "{ accounts(first: 100, filter: {nameContains: $q}) { edges { node { id } } } }",
        {"q": account_id},
        as_user=user,
    )
    ids = [e["node"]["id"] for e in listed["data"]["accounts"]["edges"]]
    if visible:
        assert body["data"]["account"]["id"] == account_id
        assert ids == [account_id]
    else:
        assert body["data"]["account"] is None
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert ids == []


def test_out_of_scope_id_answers_exactly_like_a_missing_one(live: LiveApp, uid: str) -> None:
    mine = factories.account(live.backend, f"{uid}-mine")
    theirs = factories.account(live.backend, f"{uid}-theirs")
    user = factories.member_login(live.backend, uid, "CONTROLLING", {mine: (TODAY - DAY, None)})
    hidden = live.gql(ACCOUNT, {"id": theirs}, as_user=user)
    missing = live.gql(ACCOUNT, {"id": f"{uid}-never-existed"}, as_user=user)
    strip = lambda b: (b["data"], [(e["extensions"]["code"], e["path"]) for e in b["errors"]])  # noqa: E731
    assert strip(hidden) == strip(missing)
    assert hidden["errors"][0]["message"].replace(theirs, "X") == missing["errors"][0][
        "message"
    ].replace(f"{uid}-never-existed", "X")


def test_executive_reads_every_account(live: LiveApp, uid: str) -> None:
    account_id = factories.account(live.backend, f"{uid}-acc")
    assert (
        live.gql(ACCOUNT, {"id": account_id}, as_user="executive")["data"]["account"]["id"]
        == account_id
    )


def test_pagination_walks_every_account_once(live: LiveApp) -> None:
    seen: list[tuple[str, str]] = []
    after = None
    for _ in range(200):
        body = live.gql(
            "query($a: String) "
            "{ accounts(first: 3, after: $a) "
            "{ edges { node { id name } } pageInfo { hasNextPage endCursor } } }",
            {"a": after},
            as_user="executive",
        )
        page = body["data"]["accounts"]
        seen += [(e["node"]["name"], e["node"]["id"]) for e in page["edges"]]
        assert body["extensions"]["dbRoundTrips"] == 1  # one query a page
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    total = live.backend.read(
        "MATCH (a:Account) WHERE coalesce(a.archived, false) = false RETURN count(a) AS n"
    )[0]["n"]
    assert len(seen) == total == len(set(seen))
    assert seen == sorted(seen)  # by name, then id


@pytest.mark.parametrize("first", [0, 101, -1])
def test_page_size_out_of_bounds_names_the_argument(live: LiveApp, first: int) -> None:
    body = live.gql(
        "query($f: Int!) { accounts(first: $f) { edges { cursor } } }",
        {"f": first},
        as_user="executive",
    )
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert "'first'" in body["errors"][0]["message"]


def test_bad_cursor_is_a_validation_error(live: LiveApp) -> None:
    body = live.gql('{ accounts(after: "not-a-cursor") { edges { cursor } } }', as_user="executive")
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
