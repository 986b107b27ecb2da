"""The per-request context: driver, principal, visibility, scope and fresh loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strawberry.types import Info as StrawberryInfo
from strawberry.types.nodes import SelectedField

from auth.policy import Policy
from auth.principal import Principal
from auth.service import AuthSettings, PrincipalCache
from auth.visibility import Visibility
from graph.audit_spool import AuditSpool
from graph.driver import Database, RoundTrips
from graph.scope import Scope
from loaders import Loaders

if TYPE_CHECKING:
    from starlette.requests import Request


@dataclass
class Context:
    request: Request
    db: Database
    policy: Policy
    auth: AuthSettings
    principal: Principal
    visibility: Visibility
    scope: Scope
    loaders: Loaders
    request_id: str
    round_trips: RoundTrips
    principals: PrincipalCache | None = None
    logins: Any = None  # the per-address login limiter (kam.limits.TokenBucket)
    introspection: bool = True
    audit_reads: set[tuple[str, str, str, str]] = field(default_factory=set)
    audit_spool: AuditSpool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Info = StrawberryInfo[Context, None]


def selected_directly(info: Info, names: frozenset[str]) -> dict[str, SelectedField]:
    """The fields among `names` selected directly under the field being resolved (not
    through fragments), by name: the first of each."""
    chosen: dict[str, SelectedField] = {}
    for selection in info.selected_fields[0].selections:
        if isinstance(selection, SelectedField) and selection.name in names:
            chosen.setdefault(selection.name, selection)
    return chosen
