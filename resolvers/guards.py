"""The checks `auth/guards.py` chose, wrapped around the resolvers at start-up (see
`resolvers.schema.apply_policy`): here a refusal becomes the typed error the client sees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, NamedTuple

from auth.guards import Check
from resolvers.errors import Forbidden, Unauthenticated

Resolver = Callable[..., Any]

LOG_IN_FIRST: Final = "log in first: send 'Authorization: Bearer <token>'"


LOGIN_GUARD: Final = "kam_login"  # on a resolver wrapped by `login_required`: True


def login_required(resolve: Resolver) -> Resolver:
    def guarded(source: Any, info: Any, **kwargs: Any) -> Any:
        if not info.context.principal.is_authenticated:
            raise Unauthenticated(LOG_IN_FIRST)
        return resolve(source, info, **kwargs)

    setattr(guarded, LOGIN_GUARD, True)
    return guarded


GUARD: Final = "kam_guard"  # on a guarded resolver: its `Guarded`


class Guarded(NamedTuple):
    """A resolver and the check before it (`GUARD` on the wrapper names this)."""

    check: Check
    inner: Resolver


def guard(resolve: Resolver, check: Check) -> Resolver:
    verb = "change" if check.write else "read"
    section = check.section

    def guarded(source: Any, info: Any, **kwargs: Any) -> Any:
        ctx = info.context
        if not check.admits(ctx, source):
            if not ctx.principal.is_authenticated:
                raise Unauthenticated(LOG_IN_FIRST)
            raise Forbidden(f"your role may not {verb} {section}", section=section)
        return resolve(source, info, **kwargs)

    setattr(guarded, GUARD, Guarded(check, resolve))
    return guarded
