"""Which schema fields are checked, and the check itself (docs/ARCHITECTURE.md §3.3).

Each field of the schema declares its need-to-know section once, where it is defined
(`resolvers/sections.py`: `tag`, `meta`, `@sectioned`). At start-up the schema hands this
module a plain description of every field (`FieldDecl`), and `field_checks` decides, from the
policy alone, what each one checks on every call:

- nothing: a public field, a field every role reads unconditionally, or one reachable only
  through fields that already checked the same unconditional section;
- a login (`LOGIN`): a root field open to every logged-in caller;
- a `Check` of its section: a read (or, on a mutation, a write) right, on the row it belongs to.

The schema wraps the resolvers accordingly (`resolvers/guards.py`), which raise the typed
errors; whether a caller passes is decided here, by `Check.admits`, and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from auth.policy import Policy
from graph.errors import ConfigError
from graph.model import Role

# Fields anyone may see: login itself, and the Relay structure around tagged nodes.
PUBLIC: Final = "public"
# Fields any logged-in caller may reach; what they then see is checked field by field.
AUTHENTICATED: Final = "authenticated"


@dataclass(frozen=True)
class FieldDecl:
    """A schema field as the policy sees it."""

    type_name: str
    name: str
    section: str | None  # None: untagged, refused at start-up
    targets: tuple[str, ...]  # the object types it leads to (a union's members)
    non_null: bool
    root: bool  # a field of the query or mutation type
    mutation: bool  # a field of the mutation type


@dataclass(frozen=True, slots=True)
class Check:
    """What a checked field asks before it resolves."""

    section: str
    type_name: str
    write: bool
    audited: bool

    def admits(self, ctx: Any, source: Any) -> bool:
        """Whether the caller may read (write) the section on `source`: logged in, and the
        policy says so. Each audited read and each refusal is noted for the audit trail."""
        if not ctx.principal.is_authenticated:
            return False
        section = self.section
        allowed: bool = (
            ctx.visibility.can_write(section, source)
            if self.write
            else ctx.visibility.can_read(section, source)
        )
        if not allowed or (self.audited and not self.write):
            target = str(getattr(source, "id", "") or "")
            ctx.audit_reads.add((section, self.type_name, target, "OK" if allowed else "FORBIDDEN"))
        return allowed


LOGIN: Final = "login"  # a root field that only needs a logged-in caller


def field_checks(fields: list[FieldDecl], policy: Policy) -> dict[tuple[str, str], Check | str]:
    """What each field checks, by (type name, field name): a `Check`, `LOGIN`, or absent for
    nothing. A field without a section, naming one the policy lacks, or restricted but
    non-null (a refusal must be able to null it) stops the start with a `ConfigError`."""
    incoming = _incoming_sections(fields)
    conditional = {s for s in policy.sections if any(policy.grant(r, s).when for r in Role)}
    checks: dict[tuple[str, str], Check | str] = {}
    for field in fields:
        where = f"{field.type_name}.{field.name}"
        section = field.section
        if section is None:
            raise ConfigError(f"schema field {where} has no need-to-know section tag")
        if section == PUBLIC:
            continue
        if section == AUTHENTICATED:
            if field.root:
                checks[(field.type_name, field.name)] = LOGIN
            continue
        if section not in policy.sections:
            raise ConfigError(
                f"schema field {where} names section '{section}', "
                f"which the policy {policy.source} does not define"
            )
        if not field.root:
            if policy.universally_readable(section):
                continue
            if incoming.get(field.type_name) == {section} and section not in conditional:
                continue  # only reachable through fields that already checked this section
            if field.non_null:
                raise ConfigError(
                    f"schema field {where} is restricted ({section}) so it must be nullable"
                )
        checks[(field.type_name, field.name)] = Check(
            section, field.type_name, write=field.mutation, audited=section in policy.audited
        )
    return checks


def _incoming_sections(fields: list[FieldDecl]) -> dict[str, set[str]]:
    """For each object type, the sections of the fields that lead to it. A PUBLIC structure
    field (a Relay edge, a connection) passes on the sections that lead to its own type."""
    incoming: dict[str, set[str]] = {}
    changed = True
    while changed:
        changed = False
        for field in fields:
            if not field.targets:
                continue
            section = field.section or PUBLIC
            if section == PUBLIC and not field.root:
                found = incoming.get(field.type_name, set())
            else:
                found = {section}
            for target in field.targets:
                before = incoming.setdefault(target, set())
                if not found <= before:
                    before |= found
                    changed = True
    return incoming
