"""The need-to-know policy: role x section -> none / read / write, loaded and validated from
data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph.errors import ConfigError
from graph.model import Role

SHIPPED_POLICY = Path(__file__).with_name("policy.yaml")
WILDCARD = "*"


class Access(IntEnum):
    NONE = 0
    READ = 1
    WRITE = 2


class Condition(StrEnum):
    """A condition on a grant, checked against the row at hand."""

    OWN_SEGMENT = "own_segment"


class _SectionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str
    audited: bool = False


class _GrantSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    access: str
    when: Condition | None = None


class _PolicySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sections: dict[str, _SectionSpec] = Field(min_length=1)
    roles: dict[str, dict[str, str | _GrantSpec]]


@dataclass(frozen=True)
class Grant:
    access: Access
    when: Condition | None = None


NO_GRANT = Grant(Access.NONE)


@dataclass(frozen=True)
class Policy:
    """The loaded policy. `grant(role, section)` is the single source of every decision."""

    sections: dict[str, str]
    audited: frozenset[str]
    grants: dict[Role, dict[str, Grant]]
    source: str

    def grant(self, role: Role, section: str) -> Grant:
        return self.grants.get(role, {}).get(section, NO_GRANT)

    def best(self, roles: frozenset[Role], section: str) -> Grant:
        """The strongest grant any of the roles holds; an unconditional one wins a tie."""
        best = NO_GRANT
        for role in roles:
            grant = self.grant(role, section)
            if grant.access > best.access or (
                grant.access == best.access and best.when is not None and grant.when is None
            ):
                best = grant
        return best

    def universally_readable(self, section: str) -> bool:
        """True when every role reads the section unconditionally (no guard is needed)."""
        return all(
            (g := self.grant(role, section)).access >= Access.READ and g.when is None
            for role in Role
        )


def _parse_access(value: str, where: str) -> Access:
    try:
        return Access[value.upper()]
    except KeyError:
        raise ConfigError(
            f"policy: {where} has access '{value}'; use none, read or write"
        ) from None


def load_policy(path: Path | None = None) -> Policy:
    """Load and validate a policy file; any unknown role or section refuses the start."""
    path = path or SHIPPED_POLICY
    try:
        raw: Any = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ConfigError(
            f"policy file {path} cannot be read ({exc.strerror}): check KAM_POLICY_FILE"
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"policy file {path} is not valid YAML: {exc}") from exc
    try:
        spec = _PolicySpec.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"policy file {path}: {where}: {first['msg']}") from None
    grants: dict[Role, dict[str, Grant]] = {}
    for role_name, entries in spec.roles.items():
        try:
            role = Role(role_name)
        except ValueError:
            raise ConfigError(
                f"policy file {path}: unknown role '{role_name}' (known: {', '.join(Role)})"
            ) from None
        table: dict[str, Grant] = {}
        wildcard = entries.get(WILDCARD)
        if wildcard is not None:
            grant = _to_grant(wildcard, f"{role_name}.*")
            table = dict.fromkeys(spec.sections, grant)
        for section, value in entries.items():
            if section == WILDCARD:
                continue
            if section not in spec.sections:
                raise ConfigError(
                    f"policy file {path}: role {role_name} names unknown section '{section}'"
                )
            table[section] = _to_grant(value, f"{role_name}.{section}")
        grants[role] = table
    return Policy(
        sections={name: s.description for name, s in spec.sections.items()},
        audited=frozenset(name for name, s in spec.sections.items() if s.audited),
        grants=grants,
        source=str(path),
    )


def _to_grant(value: str | _GrantSpec, where: str) -> Grant:
    if isinstance(value, str):
        return Grant(_parse_access(value, where))
    return Grant(_parse_access(value.access, where), value.when)
