"""The policy file is data, validated on load: unknown roles, sections or access refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from auth.policy import Access, Condition, load_policy
from graph.errors import ConfigError
from graph.model import Role

MINIMAL = """
sections:
  account.profile: {description: "x"}
roles:
  ADMIN: {"*": write}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


def test_shipped_policy_follows_the_design() -> None:
    policy = load_policy()
    # Market potential and financial goals: controlling, account manager, executive only.
    for section in ("account.market_potential", "plan.financial_goals"):
        readers = {r for r in Role if policy.grant(r, section).access >= Access.READ}
        assert readers == {Role.ADMIN, Role.EXECUTIVE, Role.CONTROLLING, Role.ACCOUNT_MANAGER}, (
            section
        )
    assert (
        policy.grant(Role.ACCOUNT_MANAGER, "account.market_potential").when is Condition.OWN_SEGMENT
    )
    assert policy.grant(Role.MARKET_RESEARCH, "contact.reach").access is Access.NONE
    competition = {r for r in Role if policy.grant(r, "competition").access >= Access.READ}
    assert {Role.INTELLIGENCE, Role.MARKETING, Role.ACCOUNT_MANAGER} <= competition
    assert Role.CUSTOMER_SUPPORT not in competition


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MINIMAL + "  WIZARD: {account.profile: read}\n", "unknown role 'WIZARD'"),
        (MINIMAL + "  EXECUTIVE: {account.secrets: read}\n", "unknown section 'account.secrets'"),
        (MINIMAL + "  EXECUTIVE: {account.profile: peek}\n", "access 'peek'"),
        ("sections: {}\nroles: {}\n", "sections"),
        ("sections: [\n", "not valid YAML"),
    ],
)
def test_bad_policy_refuses_naming_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_policy(_write(tmp_path, text))


def test_missing_policy_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="KAM_POLICY_FILE"):
        load_policy(tmp_path / "absent.yaml")
