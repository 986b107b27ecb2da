"""What lives for the app's lifetime: the `Runtime` (one driver, the policy, the auth settings
and the per-process buckets), how the app's one driver connects (`open_database`), where its
read-audit journal lives, and the watch that restarts a dead embedded database (`supervise`)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from auth.policy import Policy
from auth.service import AuthSettings, PrincipalCache
from auth.throttle import LoginThrottle
from graph.audit_spool import AuditSpool
from graph.driver import Database
from graph.embedded import Connection, EmbeddedServer
from kam.limits import TokenBucket
from kam.settings import Settings

# The app's log: one logger for what the app does, whichever module does it.
log = logging.getLogger("kam.app")


@dataclass
class Runtime:
    """What lives for the app's lifetime: one driver, the policy, the schema."""

    settings: Settings
    db: Database
    policy: Policy
    auth: AuthSettings
    embedded: EmbeddedServer | None = None
    principals: PrincipalCache = field(default_factory=lambda: PrincipalCache(0))
    logins: TokenBucket = field(default_factory=lambda: TokenBucket(10))
    login_throttle: LoginThrottle | None = None
    connection_uri: str = ""
    audit_spool: AuditSpool | None = None

    async def close(self) -> None:
        if self.audit_spool is not None:
            await self.audit_spool.close()
        await self.db.close()
        if self.embedded is not None:
            self.embedded.stop()


def auth_settings(settings: Settings) -> AuthSettings:
    return AuthSettings(
        secret=settings.signing_secret(),
        access_minutes=settings.access_token_minutes,
        refresh_days=settings.refresh_token_days,
        max_failures=settings.login_max_failures,
        lock_minutes=settings.login_lock_minutes,
        principal_cache_seconds=settings.principal_cache_seconds,
    )


def audit_journal_dir(settings: Settings) -> Path:
    """Journals of one database: a data directory may serve apps on several databases."""
    target = f"{settings.db_uri or 'embedded'}/{settings.embedded_db_name}"
    return settings.data_dir / "audit-journal" / hashlib.sha256(target.encode()).hexdigest()[:12]


async def open_database(settings: Settings, connection: Connection | None) -> Database:
    """Connect the app's one driver to the configured database or the embedded one."""
    name: str | None
    if connection is not None:
        uri, user, password, name = (
            connection.uri,
            connection.user,
            connection.password,
            connection.database,
        )
    else:
        assert settings.db_uri is not None
        uri, user = settings.db_uri, settings.db_user
        password, name = settings.db_password.get_secret_value(), settings.db_name
    return await Database.connect(
        uri,
        user,
        password,
        name,
        pool_size=settings.db_pool_size,
        max_in_flight=settings.db_max_in_flight,
        connect_timeout=settings.db_connect_timeout,
        tx_timeout=settings.request_timeout_seconds,
    )


async def schema_to_disk(embedded: EmbeddedServer, db: Database) -> Connection:
    """After migrations changed the embedded database's schema: stop it cleanly and start it
    again, so the change is on disk. ArcadeDB writes pages to disk lazily, and its recovery
    cannot replay a lost schema change that declared a property's type (its name's record no
    longer fits the page left on disk): a disk error soon after would leave a database that
    does not open (tests/test_storage.py). The driver follows it to its ports."""
    connection = await asyncio.to_thread(embedded.restart_cleanly)
    await db.reconnect(connection.uri, connection.user, connection.password)
    return connection


async def supervise(embedded: EmbeddedServer, runtime: Runtime, every: float = 0.5) -> None:
    """Start the embedded database again when it dies; the driver reconnects by itself."""
    while True:
        await asyncio.sleep(every)
        if not embedded.died():
            continue
        log.error("the embedded database died; starting it again")
        try:
            connection = await asyncio.to_thread(embedded.restart)
        except Exception:
            log.exception("the embedded database did not start again; retrying")
            continue
        if connection.uri != runtime.connection_uri:
            log.warning("the embedded database came back on %s; reconnecting", connection.uri)
            await runtime.db.reconnect(connection.uri, connection.user, connection.password)
            runtime.connection_uri = connection.uri
        log.info("the embedded database is back")
