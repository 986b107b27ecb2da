"""Who makes a write, as the audit trail and the idempotency record keep it (graph/writes.py):
the caller's user, name, first role and request id."""

from __future__ import annotations

from graph.writes import Actor
from resolvers.context import Info


def actor_of(info: Info) -> Actor:
    """The caller of this request as the actor of a write."""
    p = info.context.principal
    return Actor(
        user_id=p.user_id,
        username=p.username,
        request_id=info.context.request_id,
        role=sorted(p.roles)[0].value if p.roles else None,
    )
