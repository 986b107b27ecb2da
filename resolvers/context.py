"""The per-request context: driver, principal, visibility, scope and fresh loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, value_from_ast_untyped
from strawberry.types import Info as StrawberryInfo

from auth.policy import Policy
from auth.principal import Principal
from auth.service import AuthSettings, PrincipalCache
from auth.throttle import LoginThrottle
from auth.visibility import Visibility
from graph.audit_spool import AuditSpool
from graph.driver import Database, RoundTrips
from graph.scope import Scope
from loaders import Loaders
from resolvers.adapter.execution import field_nodes

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
    login_throttle: LoginThrottle | None = None  # failed logins (auth/throttle.py)
    introspection: bool = True
    audit_reads: set[tuple[str, str, str, str]] = field(default_factory=set)
    audit_spool: AuditSpool | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # `selects_only` answers, by the field's syntax nodes (alive for the request) and question:
    # a list of accounts asks the same question once per account.
    selections: dict[tuple[Any, ...], bool] = field(default_factory=dict)


Info = StrawberryInfo[Context, None]


@dataclass(frozen=True)
class Selected:
    """A field as written in the query: its name and its arguments' values."""

    name: str
    arguments: dict[str, Any]


def selected_directly(
    info: Info, names: frozenset[str], under: tuple[str, ...] = ()
) -> dict[str, Selected]:
    """The fields among `names` selected directly under the field being resolved (not
    through fragments), or under the path `under` below it (each step the first field of that
    name), by name: the first of each. Read off the query's syntax tree: strawberry's
    `selected_fields` converts the whole selection below, which costs more than a page's rows."""
    selections = field_nodes(info)[0].selection_set
    for step in under:
        if selections is None:
            return {}
        found = next(
            (s for s in selections.selections if isinstance(s, FieldNode) and s.name.value == step),
            None,
        )
        selections = found.selection_set if found is not None else None
    if selections is None:
        return {}
    chosen: dict[str, Selected] = {}
    values = info.variable_values
    for node in selections.selections:
        if not isinstance(node, FieldNode):
            continue
        name = node.name.value
        if name in names and name not in chosen:
            chosen[name] = Selected(
                name,
                {
                    a.name.value: value_from_ast_untyped(a.value, values)
                    for a in node.arguments or ()
                },
            )
    return chosen


def _fields_under(nodes: list[FieldNode], name: str) -> list[FieldNode] | None:
    """The fields called `name` (under any alias) in the selections of `nodes`; None when a
    fragment there could select more than can be seen here."""
    found: list[FieldNode] = []
    for node in nodes:
        for selection in node.selection_set.selections if node.selection_set else ():
            if not isinstance(selection, FieldNode):
                return None
            if selection.name.value == name:
                found.append(selection)
    return found


def selects_only(info: Info, path: tuple[str, ...], allowed: frozenset[str]) -> bool:
    """True when every field at `path` below the field being resolved (under any alias, in
    any of its merged occurrences) selects fields among `allowed` and nothing else. Any
    fragment on the way answers False: what it selects is not looked into."""
    nodes = field_nodes(info)
    key = (*map(id, nodes), path, allowed)
    known = info.context.selections.get(key)
    if known is None:
        known = info.context.selections[key] = _selects_only(nodes, path, allowed)
    return known


def _selects_only(
    field_nodes: list[FieldNode], path: tuple[str, ...], allowed: frozenset[str]
) -> bool:
    nodes: list[FieldNode] | None = list(field_nodes)
    for step in path:
        nodes = _fields_under(nodes, step) if nodes is not None else None
    if nodes is None:
        return False
    return all(
        isinstance(selection, FieldNode) and selection.name.value in allowed
        for node in nodes
        for selection in (node.selection_set.selections if node.selection_set else ())
    )
