"""The guards wrapped around restricted fields at start-up: a login for every root field,
and the section's read (or write) right for a field some role may not read (see
`resolvers.schema.apply_policy`). Each audited read and each refusal is noted for the audit
trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, NamedTuple

from resolvers.errors import Forbidden, Unauthenticated

Resolver = Callable[..., Any]


def login_required(resolve: Resolver) -> Resolver:
    def guarded(source: Any, info: Any, **kwargs: Any) -> Any:
        if not info.context.principal.is_authenticated:
            raise Unauthenticated("log in first: send 'Authorization: Bearer <token>'")
        return resolve(source, info, **kwargs)

    return guarded


GUARD: Final = "kam_guard"  # on a guarded resolver: a `Guard`


class Guard(NamedTuple):
    """What a guarded field checks before it resolves (see `guard`)."""

    section: str
    type_name: str
    write: bool
    audited: bool
    inner: Resolver  # the resolver it guards

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


def guard(
    resolve: Resolver, section: str, type_name: str, *, write: bool, audited: bool
) -> Resolver:
    checks = Guard(section, type_name, write, audited, resolve)

    def guarded(source: Any, info: Any, **kwargs: Any) -> Any:
        ctx = info.context
        if not checks.admits(ctx, source):
            if not ctx.principal.is_authenticated:
                raise Unauthenticated("log in first: send 'Authorization: Bearer <token>'")
            raise Forbidden(
                f"your role may not {'change' if write else 'read'} {section}", section=section
            )
        return resolve(source, info, **kwargs)

    setattr(guarded, GUARD, checks)
    return guarded
