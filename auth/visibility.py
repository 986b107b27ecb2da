"""What one caller may read and write, decided once per request and section."""

from __future__ import annotations

from typing import Any

from auth.policy import Access, Condition, Grant, Policy
from auth.principal import Principal


class Visibility:
    """The policy applied to one principal; grants are computed once per section and request."""

    __slots__ = ("_cache", "policy", "principal")

    def __init__(self, policy: Policy, principal: Principal) -> None:
        self.policy = policy
        self.principal = principal
        self._cache: dict[str, Grant] = {}

    def grant(self, section: str) -> Grant:
        grant = self._cache.get(section)
        if grant is None:
            grant = self.policy.best(self.principal.roles, section)
            self._cache[section] = grant
        return grant

    def may_see_section(self, section: str) -> bool:
        """True when the section is readable at least under a condition (for introspection)."""
        return self.grant(section).access >= Access.READ

    def can(self, section: str, access: Access, row: Any = None) -> bool:
        """True when the caller holds `access` on the section for this row."""
        grant = self.grant(section)
        if grant.access < access:
            return False
        if grant.when is Condition.OWN_SEGMENT:
            return getattr(row, "segment", None) in self.principal.segments
        return True

    def can_read_everywhere(self, section: str) -> bool:
        """True when the caller reads the section on every row (no condition attached)."""
        grant = self.grant(section)
        return grant.access >= Access.READ and grant.when is None

    def can_read(self, section: str, row: Any = None) -> bool:
        return self.can(section, Access.READ, row)

    def can_write(self, section: str, row: Any = None) -> bool:
        return self.can(section, Access.WRITE, row)

    def conditioned_section(self) -> str | None:
        """A section the caller reaches only on rows of their own segment, if any: such a
        caller may not change a row's segment, or they could widen their own reach."""
        for section in sorted(self.policy.sections):
            grant = self.grant(section)
            if grant.access >= Access.READ and grant.when is Condition.OWN_SEGMENT:
                return section
        return None

    def writable_sections(self) -> list[str]:
        """The sections the caller may change on some rows (a condition may narrow them)."""
        return sorted(s for s in self.policy.sections if self.grant(s).access >= Access.WRITE)
