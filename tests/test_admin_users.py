"""Login administration through the API: add, deactivate, reset, over HTTP to the real app."""

from __future__ import annotations

from typing import Any

from tests import factories
from tests.conftest import LiveApp

USER = "user { id username roles active teamMemberId }"
ADD = (
    "mutation($i: AddUserInput!) { addUser(input: $i) { __typename "
    f"... on UserPayload {{ {USER} }} ... on ValidationProblem {{ field message }} "
    "... on Conflict { message } ... on NotFound { message } } }"
)
DEACTIVATE = (
    "mutation($u: ID!) { deactivateUser(input: {userId: $u}) { __typename "
    f"... on UserPayload {{ {USER} }} ... on ValidationProblem {{ field message }} "
    "... on NotFound { message } } }"
)
RESET = (
    "mutation($u: ID!, $p: String!) { resetPassword(input: {userId: $u, password: $p}) { "
    f"__typename ... on UserPayload {{ {USER} }} ... on ValidationProblem {{ field message }} "
    "... on NotFound { message } } }"
)
USERS = "{ users { id username roles active teamMemberId } }"
AUDIT = (
    "query($t: String) "
    "{ auditLog(filter: {targetId: $t}) { edges { node { section action username } } } }"
)


def _add(live: LiveApp, **fields: Any) -> dict[str, Any]:
    body = live.gql(ADD, {"i": fields}, as_user="admin")
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["addUser"]
    return result


def _me(live: LiveApp, token: str) -> dict[str, Any]:
    return live.gql("{ me { username roles } }", token=token)


def test_add_a_user_who_then_signs_in(live: LiveApp, uid: str) -> None:
    member = factories.member_login(live.backend, uid, "MARKETING")
    member_id = f"{uid}-tm-marketing"
    added = _add(
        live,
        username=f"{uid}-new",
        roles=["controlling", "MARKETING"],
        password="a long secret",
        teamMemberId=member_id,
    )
    assert added["__typename"] == "UserPayload", added
    user = added["user"]
    assert user["username"] == f"{uid}-new"
    assert user["roles"] == ["CONTROLLING", "MARKETING"]
    assert user["active"] is True and user["teamMemberId"] == member_id
    listed = {u["username"]: u for u in live.gql(USERS, as_user="admin")["data"]["users"]}
    assert listed[f"{uid}-new"] == user and member in listed
    login = live.login(f"{uid}-new", "a long secret")["data"]["login"]
    me = _me(live, login["token"])["data"]["me"]
    assert me["username"] == f"{uid}-new" and sorted(me["roles"]) == ["CONTROLLING", "MARKETING"]
    audit = live.gql(AUDIT, {"t": user["id"]}, as_user="admin")["data"]["auditLog"]["edges"]
    assert {"section": "admin.users", "action": "WRITE", "username": "admin"} in [
        e["node"] for e in audit
    ]


def test_bad_input_names_the_field_and_changes_nothing(live: LiveApp, uid: str) -> None:
    cases = [
        ({"username": f"{uid}-a", "roles": ["WIZARD"], "password": "long enough"}, "input.roles"),
        ({"username": f"{uid}-b", "roles": [], "password": "long enough"}, "input.roles"),
        ({"username": f"{uid}-c", "roles": ["MARKETING"], "password": "short"}, "input.password"),
        (
            {"username": "has space", "roles": ["MARKETING"], "password": "long enough"},
            "input.username",
        ),
    ]
    for fields, field in cases:
        result = _add(live, **fields)
        assert result["__typename"] == "ValidationProblem", result
        assert result["field"] == field, result
    missing = _add(
        live,
        username=f"{uid}-d",
        roles=["MARKETING"],
        password="long enough",
        teamMemberId=f"{uid}-nobody",
    )
    assert missing["__typename"] == "NotFound", missing
    names = {u["username"] for u in live.gql(USERS, as_user="admin")["data"]["users"]}
    assert not {f"{uid}-{x}" for x in "abcd"} & names
    assert (
        _add(live, username=f"{uid}-e", roles=["MARKETING"], password="long enough")["__typename"]
        == "UserPayload"
    )
    taken = _add(live, username=f"{uid}-e", roles=["ADMIN"], password="other password")
    assert taken["__typename"] == "Conflict" and "taken" in taken["message"], taken
    assert live.login(f"{uid}-e", "long enough")["data"]["login"]["token"]  # unchanged


def test_deactivation_ends_the_sessions_and_refuses_new_ones(live: LiveApp, uid: str) -> None:
    username = factories.member_login(live.backend, uid, "CONTROLLING")
    token = live.login(username, factories.PASSWORD)["data"]["login"]["token"]
    assert _me(live, token)["data"]["me"]["username"] == username
    user_id = f"user-{username}"
    done = live.gql(DEACTIVATE, {"u": user_id}, as_user="admin")["data"]["deactivateUser"]
    assert done["__typename"] == "UserPayload" and done["user"]["active"] is False, done
    assert not (_me(live, token).get("data") or {}).get("me")
    assert not (live.login(username, factories.PASSWORD).get("data") or {}).get("login")
    gone = live.gql(DEACTIVATE, {"u": f"{uid}-nobody"}, as_user="admin")["data"]
    assert gone["deactivateUser"]["__typename"] == "NotFound"
    me = live.gql("{ me { userId } }", as_user="admin")["data"]["me"]["userId"]
    self_off = live.gql(DEACTIVATE, {"u": me}, as_user="admin")["data"]["deactivateUser"]
    assert self_off["__typename"] == "ValidationProblem" and self_off["field"] == "input.userId"


def test_reset_sets_the_admins_password_and_ends_the_sessions(live: LiveApp, uid: str) -> None:
    username = factories.member_login(live.backend, uid, "MARKETING")
    token = live.login(username, factories.PASSWORD)["data"]["login"]["token"]
    user_id = f"user-{username}"
    short = live.gql(RESET, {"u": user_id, "p": "tiny"}, as_user="admin")["data"]
    assert short["resetPassword"]["field"] == "input.password"
    assert _me(live, token)["data"]["me"]["username"] == username  # nothing changed
    done = live.gql(RESET, {"u": user_id, "p": "brand new secret"}, as_user="admin")
    assert done["data"]["resetPassword"]["__typename"] == "UserPayload", done
    assert "hash" not in str(done).lower() and "brand new secret" not in str(done)
    assert not (_me(live, token).get("data") or {}).get("me")
    assert not (live.login(username, factories.PASSWORD).get("data") or {}).get("login")
    assert live.login(username, "brand new secret")["data"]["login"]["token"]


def test_only_an_admin_may_and_others_do_not_see_the_mutations(live: LiveApp, uid: str) -> None:
    for role in ("EXECUTIVE", "ACCOUNT_MANAGER"):
        user = factories.member_login(live.backend, uid, role)
        body = live.gql(
            ADD,
            {"i": {"username": f"{uid}-x", "roles": ["ADMIN"], "password": "long enough"}},
            as_user=user,
        )
        assert not (body.get("data") or {}).get("addUser"), body
        fields = live.gql('{ __type(name: "Mutation") { fields { name } } }', as_user=user)
        names = {f["name"] for f in fields["data"]["__type"]["fields"]}
        assert not {"addUser", "deactivateUser", "resetPassword"} & names
    names = {u["username"] for u in live.gql(USERS, as_user="admin")["data"]["users"]}
    assert f"{uid}-x" not in names
