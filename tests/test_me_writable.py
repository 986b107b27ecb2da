"""`me { writableSections }` says which sections the caller's roles may change, per the policy."""

from __future__ import annotations

import pytest

from auth.policy import Access, load_policy
from graph.model import Role
from tests.conftest import LiveApp


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_writable_sections_follow_the_policy(live: LiveApp, role: Role) -> None:
    policy = load_policy(live.settings.policy_file)
    expected = sorted(s for s in policy.sections if policy.grant(role, s).access == Access.WRITE)
    body = live.gql("{ me { writableSections } }", as_user=role.value.lower())
    assert "errors" not in body, body
    assert body["data"]["me"]["writableSections"] == expected


def test_examples_from_the_policy(live: LiveApp) -> None:
    def writable(user: str) -> list[str]:
        return live.gql("{ me { writableSections } }", as_user=user)["data"]["me"][
            "writableSections"
        ]

    assert "plan.strategy" not in writable("marketing")
    assert "interactions" in writable("marketing")
    assert writable("controlling") == [
        "plan.financial_goals",
        "plan.reviews",
        "plan.share_of_wallet",
    ]
    assert "team.matrix" in writable("executive")
    assert "team.matrix" not in writable("account_manager")
