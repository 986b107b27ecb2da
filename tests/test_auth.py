"""Logins: argon2id, short tokens, revocable refresh, logout, deactivation and lock-out."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from auth.passwords import hash_password
from graph.users import deactivate_user
from tests import factories
from tests.conftest import LiveApp

ME = "{ me { username roles teamMemberId } }"


def test_login_and_me(live: LiveApp) -> None:
    body = live.gql(ME, as_user="account_manager")
    assert body["data"]["me"] == {
        "username": "account_manager",
        "roles": ["ACCOUNT_MANAGER"],
        "teamMemberId": "tm-am-acc-nordwind",
    }


def test_argon2id_parameters() -> None:
    assert hash_password("x" * 10).startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_unknown_user_and_wrong_password_look_the_same(live: LiveApp, uid: str) -> None:
    username = factories.member_login(live.backend, uid, "MARKETING")
    timings = {}
    errors = {}
    for name, (user, pw) in {
        "unknown": (uid + "-nobody", "whatever-1"),
        "wrong": (username, "wrong-pass-1"),
    }.items():
        started = time.perf_counter()
        body = live.login(user, pw)
        timings[name] = time.perf_counter() - started
        errors[name] = (
            body["data"],
            body["errors"][0]["message"],
            body["errors"][0]["extensions"]["code"],
        )
    assert (
        errors["unknown"]
        == errors["wrong"]
        == (None, "wrong username or password", "UNAUTHENTICATED")
    )
    # Both verify an argon2 hash: neither answers in a fraction of the other's time.
    assert timings["unknown"] > 0.25 * timings["wrong"]


def test_repeated_failures_slow_that_username_from_that_address(live: LiveApp, uid: str) -> None:
    username = factories.member_login(live.backend, uid, "MARKETING")
    for _ in range(live.settings.login_max_failures):
        assert (
            live.login(username, "wrong-pass-1")["errors"][0]["extensions"]["code"]
            == "UNAUTHENTICATED"
        )
    held = live.login(username, factories.PASSWORD)  # the right password, too soon
    assert held["data"] is None
    assert held["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert held["errors"][0]["extensions"]["retryAfter"] >= 1


def test_logout_ends_the_token(live: LiveApp, uid: str) -> None:
    username = factories.member_login(live.backend, uid, "MARKETING")
    token = live.login(username, factories.PASSWORD)["data"]["login"]["token"]
    assert live.gql(ME, token=token)["data"]["me"]["username"] == username
    assert live.gql("mutation { logout }", token=token)["data"] == {"logout": True}
    response = live.post(ME, token=token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_refresh_rotates_and_old_refresh_is_refused(live: LiveApp, uid: str) -> None:
    username = factories.member_login(live.backend, uid, "MARKETING")
    first = live.login(username, factories.PASSWORD)["data"]["login"]
    q = "mutation($r: String!) { refresh(refreshToken: $r) { token refreshToken } }"
    second = live.gql(q, {"r": first["refreshToken"]})["data"]["refresh"]
    assert second["refreshToken"] != first["refreshToken"]
    assert live.gql(ME, token=second["token"])["data"]["me"]["username"] == username
    reused = live.gql(q, {"r": first["refreshToken"]})
    assert reused["data"] is None and reused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_deactivation_ends_tokens(live: LiveApp, uid: str) -> None:
    username = factories.member_login(live.backend, uid, "MARKETING")
    token = live.login(username, factories.PASSWORD)["data"]["login"]["token"]
    live.backend.run(deactivate_user(live.backend.db, username, datetime.now(UTC)))
    # Made outside the app (as by the CLI): it holds within the principal cache's few seconds.
    time.sleep(live.settings.principal_cache_seconds + 0.2)
    assert live.post(ME, token=token).status_code == 401
    assert live.login(username, factories.PASSWORD)["data"] is None


def test_forged_and_malformed_tokens_are_refused(live: LiveApp) -> None:
    token = live.token("executive")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert live.post(ME, token=forged).status_code == 401
    response = live.post(ME, token=None)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_verified_token_is_remembered_only_until_it_expires_and_a_forgery_never_is() -> None:
    from datetime import timedelta

    import pytest

    from auth.service import PrincipalCache
    from auth.tokens import TokenError, issue_access_token

    secret = "s" * 40
    cache = PrincipalCache(2.0)
    soon = datetime.now(UTC) - timedelta(seconds=58.8)  # expires about a second from now
    token, _ = issue_access_token(secret, "user-1", "session-1", 1, soon)
    first = cache.claims(secret, token)
    assert first.user_id == "user-1" and cache.claims(secret, token) is first
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(TokenError):
        cache.claims(secret, forged)
    with pytest.raises(TokenError):
        cache.claims("another-secret-" * 3, token)
    time.sleep(max(0.0, first.expires_at.timestamp() - time.time()) + 0.3)
    with pytest.raises(TokenError):
        cache.claims(secret, token)  # expired: verified again, and refused
    # With the cache off (0 seconds), nothing is remembered.
    off = PrincipalCache(0)
    fresh, _ = issue_access_token(secret, "user-2", "session-2", 5)
    assert off.claims(secret, fresh) is not off.claims(secret, fresh)
