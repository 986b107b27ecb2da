"""Our own error tree: nothing above `graph/` sees a driver exception."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from neo4j import exceptions as neo4j_errors

P = ParamSpec("P")
T = TypeVar("T")


class ConfigError(Exception):
    """A configuration mistake: one message naming the problem and the setting to change."""


class GraphError(Exception):
    """Base of every error raised by `graph/`; the message is safe to log, not to show."""


class DatabaseUnavailable(GraphError):
    """The database does not answer (down, restarting, unreachable)."""


class StorageUnavailable(DatabaseUnavailable):
    """The database answers but cannot write: its disk is full or read-only."""


class AuthFailed(GraphError):
    """The database refused our credentials."""


class ConstraintViolation(GraphError):
    """A write broke a uniqueness constraint (an id already taken)."""


class QueryFailed(GraphError):
    """The database rejected or failed a query; a defect on our side, never shown to clients."""


class NotFound(GraphError):
    """The thing asked for does not exist, or is out of the caller's scope (they look alike)."""


def translate(exc: Exception) -> GraphError:
    """Map a driver exception onto our tree."""
    if isinstance(exc, GraphError):
        return exc
    if isinstance(exc, neo4j_errors.AuthError):
        return AuthFailed("database authentication failed")
    if isinstance(exc, neo4j_errors.ServiceUnavailable | neo4j_errors.SessionExpired):
        return DatabaseUnavailable(str(exc))
    if isinstance(exc, OSError):
        return DatabaseUnavailable(str(exc))
    if isinstance(exc, neo4j_errors.ConstraintError):
        return ConstraintViolation(str(exc))
    if isinstance(exc, neo4j_errors.DriverError | neo4j_errors.Neo4jError):
        return QueryFailed(f"{type(exc).__name__}: {exc}")
    return QueryFailed(f"{type(exc).__name__}: {exc}")


def translated(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Decorate an async function so driver exceptions leave it as `GraphError`s."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except GraphError:
            raise
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
            raise translate(exc) from exc

    return wrapper
