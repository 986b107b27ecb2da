"""schema.graphql is the exported SDL and every field carries a need-to-know section."""

from __future__ import annotations

from pathlib import Path

import pytest

from auth.policy import load_policy
from graph.errors import ConfigError
from resolvers.schema import apply_policy, build_schema, export_sdl, field_section, schema_fields
from resolvers.sections import AUTHENTICATED, PUBLIC


def test_schema_file_matches_code(repo_root: Path) -> None:
    assert (repo_root / "schema.graphql").read_text() == export_sdl(), (
        "schema.graphql drifted from the code: run 'kam schema export'"
    )


def test_every_field_has_a_known_section() -> None:
    policy = load_policy()
    for type_name, name, field in schema_fields(build_schema()):
        section = field_section(field)
        assert section is not None, f"{type_name}.{name} has no section tag"
        assert section in (PUBLIC, AUTHENTICATED) or section in policy.sections, (
            f"{type_name}.{name}: {section}"
        )


def test_a_policy_missing_a_tagged_section_refuses_to_build(tmp_path: Path) -> None:
    text = (Path(__file__).parent.parent / "auth" / "policy.yaml").read_text()
    text = text.replace(
        '  account.market_potential: {description: "Market potential of the '
        'account", audited: true}\n',
        "",
    )
    text = "\n".join(line for line in text.splitlines() if "account.market_potential" not in line)
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"account\.market_potential"):
        apply_policy(build_schema(), load_policy(path))
