"""Logins under attack: failures slow down the address that fails, never the account for
everyone; a refresh token used twice ends its whole session; a team member archived loses
access at once. All through HTTP, from several loopback addresses (127.0.0.x)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from tests import factories
from tests.conftest import LiveApp, start_app

LOGIN = (
    "mutation($u: String!, $p: String!) "
    "{ login(username: $u, password: $p) { token refreshToken } }"
)
REFRESH = "mutation($r: String!) { refresh(refreshToken: $r) { token refreshToken } }"
ME = "{ me { username } }"


@pytest.fixture(scope="module")
def guarded(live: LiveApp) -> Iterator[str]:
    """An app of its own (its own counts): 3 free failures per username and address, 8 per
    address, waits up to 15 minutes."""
    settings = live.settings.model_copy(
        update={"login_max_failures": 3, "login_failures_per_address": 8, "login_lock_minutes": 15}
    )
    server, thread, url = start_app(settings, live.backend.connection)
    yield url
    server.should_exit = True
    thread.join(15)


_clients: dict[str, httpx.Client] = {}


def login_from(url: str, address: str, username: str, password: str) -> dict[str, Any]:
    """A login sent from `address` (a loopback address of its own, one connection each)."""
    if address not in _clients:
        transport = httpx.HTTPTransport(local_address=address)
        _clients[address] = httpx.Client(transport=transport, timeout=30)
    body: dict[str, Any] = (
        _clients[address]
        .post(f"{url}/graphql", json={"query": LOGIN, "variables": {"u": username, "p": password}})
        .json()
    )
    return body


def code(body: dict[str, Any]) -> str:
    return str(body["errors"][0]["extensions"]["code"]) if body.get("errors") else "OK"


def test_failures_from_one_address_do_not_lock_the_account_for_everyone(
    live: LiveApp, guarded: str, uid: str
) -> None:
    """Ten wrong passwords from one address: the real user logs in from another at once,
    while the failing address waits, even with the right password."""
    username = factories.member_login(live.backend, uid, "MARKETING")
    codes = [code(login_from(guarded, "127.0.0.2", username, "wrong-pass-1")) for _ in range(10)]
    assert codes[:4] == ["UNAUTHENTICATED"] * 3 + ["RATE_LIMITED"]
    assert codes.count("RATE_LIMITED") >= 5, codes  # a wait may pass between slow attempts
    assert login_from(guarded, "127.0.0.1", username, factories.PASSWORD)["data"]["login"]["token"]
    held = login_from(guarded, "127.0.0.2", username, factories.PASSWORD)
    assert code(held) == "RATE_LIMITED" and held["data"] is None
    assert held["errors"][0]["extensions"]["retryAfter"] >= 1
    assert "this username from your address" in held["errors"][0]["message"]


def test_each_failure_past_the_free_ones_doubles_the_wait(
    live: LiveApp, guarded: str, uid: str
) -> None:
    username = factories.member_login(live.backend, uid, "MARKETING")
    waits = []
    for _ in range(3):
        assert code(login_from(guarded, "127.0.0.3", username, "wrong-pass-1")) == "UNAUTHENTICATED"
    for _ in range(2):
        held = login_from(guarded, "127.0.0.3", username, "wrong-pass-1")
        assert code(held) == "RATE_LIMITED"
        waits.append(held["errors"][0]["extensions"]["retryAfter"])
        time.sleep(waits[-1] + 0.2)
        assert code(login_from(guarded, "127.0.0.3", username, "wrong-pass-1")) == "UNAUTHENTICATED"
    held = login_from(guarded, "127.0.0.3", username, factories.PASSWORD)  # right, but early
    assert code(held) == "RATE_LIMITED"
    waits.append(held["errors"][0]["extensions"]["retryAfter"])
    assert waits == [1, 2, 4]
    # Waited out, the right password gets in, and that username starts afresh there.
    time.sleep(4.2)
    assert code(login_from(guarded, "127.0.0.3", username, factories.PASSWORD)) == "OK"
    assert code(login_from(guarded, "127.0.0.3", username, "wrong-pass-1")) == "UNAUTHENTICATED"


def test_known_and_unknown_usernames_are_throttled_alike(
    live: LiveApp, guarded: str, uid: str
) -> None:
    known = factories.member_login(live.backend, uid, "MARKETING")
    answers = {}
    for username, address in ((known, "127.0.0.4"), (uid + "-nobody", "127.0.0.5")):
        answers[username] = [
            (code(b), b["errors"][0]["message"], b["errors"][0]["extensions"].get("retryAfter"))
            for b in (login_from(guarded, address, username, "wrong-pass-1") for _ in range(5))
        ]
    assert answers[known] == answers[uid + "-nobody"]
    assert [a[0] for a in answers[known]] == ["UNAUTHENTICATED"] * 3 + ["RATE_LIMITED"] * 2


def test_many_usernames_from_one_address_slow_that_address_only(
    live: LiveApp, guarded: str, uid: str
) -> None:
    """Password spraying: one failure each for many usernames from one address."""
    username = factories.member_login(live.backend, uid, "MARKETING")
    tried = [login_from(guarded, "127.0.0.6", f"{uid}-guess-{i}", "Winter2026!") for i in range(9)]
    assert [code(b) for b in tried] == ["UNAUTHENTICATED"] * 8 + ["RATE_LIMITED"]
    assert "your address" in tried[-1]["errors"][0]["message"]
    assert code(login_from(guarded, "127.0.0.6", username, factories.PASSWORD)) == "RATE_LIMITED"
    assert code(login_from(guarded, "127.0.0.7", username, factories.PASSWORD)) == "OK"


def test_a_replayed_refresh_token_ends_its_whole_session(live: LiveApp, uid: str) -> None:
    """login -> refresh (A -> B) -> refresh (B -> C) -> A again: refused, and B, C and the
    access tokens issued from them stop working (OAuth 2.0 Security BCP, 4.14)."""
    username = factories.member_login(live.backend, uid, "MARKETING")
    a = live.gql(LOGIN, {"u": username, "p": factories.PASSWORD})["data"]["login"]
    b = live.gql(REFRESH, {"r": a["refreshToken"]})["data"]["refresh"]
    c = live.gql(REFRESH, {"r": b["refreshToken"]})["data"]["refresh"]
    assert live.gql(ME, token=c["token"])["data"]["me"]["username"] == username
    replay = live.gql(REFRESH, {"r": a["refreshToken"]})
    assert replay["data"] is None and code(replay) == "UNAUTHENTICATED"
    assert code(live.gql(REFRESH, {"r": c["refreshToken"]})) == "UNAUTHENTICATED"
    for pair in (a, b, c):
        assert live.post(ME, token=pair["token"]).status_code == 401
    # A new login is a new session, untouched.
    fresh = live.gql(LOGIN, {"u": username, "p": factories.PASSWORD})["data"]["login"]
    assert live.gql(ME, token=fresh["token"])["data"]["me"]["username"] == username


def test_a_forged_refresh_token_ends_nothing(live: LiveApp, uid: str) -> None:
    """Only a token we signed for that session counts as a replay: a session id with any
    other ending is refused, and the session goes on."""
    username = factories.member_login(live.backend, uid, "MARKETING")
    pair = live.gql(LOGIN, {"u": username, "p": factories.PASSWORD})["data"]["login"]
    session = pair["refreshToken"].split(".")[0]
    for forged in (f"{session}.0.AAAA", f"{session}.1", f"{session}.x.y", session, ""):
        assert code(live.gql(REFRESH, {"r": forged})) == "UNAUTHENTICATED", forged
    assert live.gql(REFRESH, {"r": pair["refreshToken"]})["data"]["refresh"]["token"]


ARCHIVE = """mutation($kind: NodeKind!, $id: ID!) { %s(kind: $kind, id: $id) {
  __typename ... on NodePayload { id } } }"""


def test_archiving_a_team_member_ends_their_access(live: LiveApp, uid: str) -> None:
    account = factories.account(live.backend, f"{uid}-acc")
    username = factories.member_login(
        live.backend, uid, "MARKETING", accounts={account: (date(2020, 1, 1), None)}
    )
    member = f"{uid}-tm-marketing"
    token = live.gql(LOGIN, {"u": username, "p": factories.PASSWORD})["data"]["login"]["token"]
    reach = "query($id: ID!) { account(id: $id) { name } }"
    assert live.gql(reach, {"id": account}, token=token)["data"]["account"]["name"]
    archived = live.gql(
        ARCHIVE % "archiveNode", {"kind": "TEAM_MEMBER", "id": member}, as_user="admin"
    )
    assert archived["data"]["archiveNode"] == {"__typename": "NodePayload", "id": member}
    # At once: their token no longer works, and no new login is let in.
    assert live.post(reach, {"id": account}, token=token).status_code == 401
    again = live.gql(LOGIN, {"u": username, "p": factories.PASSWORD})
    assert again["data"] is None and again["errors"][0]["message"] == "wrong username or password"
    # Restored, they may log in again, and reach the account through their open window.
    live.gql(ARCHIVE % "restoreNode", {"kind": "TEAM_MEMBER", "id": member}, as_user="admin")
    token = live.gql(LOGIN, {"u": username, "p": factories.PASSWORD})["data"]["login"]["token"]
    assert live.gql(reach, {"id": account}, token=token)["data"]["account"]["name"]
