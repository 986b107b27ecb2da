"""The one settings class: every knob of the app, read from `KAM_*` environment variables."""

from __future__ import annotations

import secrets
from enum import StrEnum
from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.embedded import write_private
from graph.errors import ConfigError

__all__ = ["ConfigError", "Environment", "Settings"]

# A secret of this value (or none) is refused in production: it is public in this file.
DEFAULT_TOKEN_SECRET = "change-me-development-only"  # noqa: S105 - refused in production
MIN_SECRET_LENGTH = 32
# The embedded server's database when KAM_DB_NAME is unset.
EMBEDDED_DB_NAME = "kam"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("kam-graph", appauthor=False))


class Settings(BaseSettings):
    """Settings of the app; each field is the environment variable `KAM_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="KAM_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    # Database: with no URI the embedded ArcadeDB server is started as a child process.
    db_uri: str | None = None
    db_user: str = "neo4j"
    db_password: SecretStr = SecretStr("")
    # Unset: the embedded server's own `kam`, or an external server's default database (Neo4j
    # Community has only that one).
    db_name: str | None = None
    db_pool_size: int = Field(default=32, ge=1, le=512)
    db_max_in_flight: int = Field(default=32, ge=1, le=512)
    db_connect_timeout: float = Field(default=30.0, gt=0)
    data_dir: Path = Field(default_factory=default_data_dir)
    embedded_heap: str = Field(default="1g", pattern=r"^[0-9]+[mMgG]$")
    # HTTP
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # Auth
    token_secret: SecretStr = SecretStr(DEFAULT_TOKEN_SECRET)
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=7, ge=1, le=90)
    # Failed logins of one username from one address before each further attempt waits
    # (1, 2, 4 ... s, at most `login_lock_minutes`); and of any usernames from one address.
    login_max_failures: int = Field(default=5, ge=1)
    login_lock_minutes: int = Field(default=15, ge=1)
    login_failures_per_address: int = Field(default=30, ge=1)
    # How long a process trusts a session it has checked (0: ask the graph on every request).
    principal_cache_seconds: float = Field(default=2.0, ge=0, le=60)
    policy_file: Path | None = None
    demo_password: SecretStr | None = None
    # Diagnostics: round trips per request in the GraphQL response extensions. They depend on
    # the data (an existing id costs a trip a missing one does not), so they are an existence
    # oracle: off by default, for development only (production never sends them).
    expose_metrics: bool = False
    # Audit entries of restricted reads: journalled and stored off the request path (False),
    # or stored before the answer is sent (True: slower, one fsynced commit per request).
    audit_reads_sync: bool = False
    # Python's cycle collector: after start-up, what is loaded is frozen out of its scans and a
    # collection of young objects waits for this many new ones (Python's default, 700, makes
    # a page of results pay for several collections). 0 keeps Python's settings.
    gc_young_threshold: int = Field(default=20_000, ge=0, le=10_000_000)
    # Activity capture (`kam capture`): how many first lines of a mail body (or a meeting's
    # description) go into an interaction's summary, after its subject (unless
    # `capture_subjects` is off); 0 keeps bodies out entirely: they are not even read.
    capture_body_lines: int = Field(default=3, ge=0, le=20)
    capture_subjects: bool = True
    # Limits (each refused one past it, with an error that names the limit).
    max_query_depth: int = Field(default=10, ge=1, le=100)
    max_aliases: int = Field(default=15, ge=0, le=1000)
    max_tokens: int = Field(default=1000, ge=10, le=100_000)
    # Fields a document asks for with its fragments spread where they are used.
    max_fields: int = Field(default=2000, ge=10, le=1_000_000)
    max_body_bytes: int = Field(default=100_000, ge=1_000, le=10_000_000)
    max_cost: int = Field(default=5000, ge=1, le=10_000_000)
    request_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    # Heavy fields (kam/cost.py, HEAVY_FIELDS) one caller may run at once, and may queue.
    heavy_per_caller: int = Field(default=2, ge=1, le=1000)
    heavy_waiting_per_caller: int = Field(default=32, ge=0, le=100_000)
    rate_limit_per_minute: int = Field(default=600, ge=1, description="per logged-in user")
    rate_limit_per_minute_address: int = Field(default=1200, ge=1, description="per client address")
    login_attempts_per_minute: int = Field(default=10, ge=1, description="per client address")
    cors_origins: list[str] = Field(default_factory=list)
    trusted_proxies: str = Field(
        default="", description="addresses whose X-Forwarded-* headers count"
    )

    @field_validator("db_uri")
    @classmethod
    def _uri_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        schemes = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
        if not value.startswith(schemes):
            raise ValueError(f"must start with one of {', '.join(schemes)}")
        return value

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def exposes_metrics(self) -> bool:
        """Round trips go to clients only when asked for, and never in production."""
        return self.expose_metrics and not self.is_production

    @property
    def embedded(self) -> bool:
        return self.db_uri is None

    @property
    def embedded_db_name(self) -> str:
        return self.db_name or EMBEDDED_DB_NAME

    def check_for_start(self) -> None:
        """Refuse to run with settings that are unsafe in production."""
        if not self.is_production:
            return
        secret = self.token_secret.get_secret_value()
        if secret in ("", DEFAULT_TOKEN_SECRET) or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                "KAM_TOKEN_SECRET is unset or the development default: in production set it "
                f"to a random string of at least {MIN_SECRET_LENGTH} characters "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )

    def signing_secret(self) -> str:
        """The token secret; in development a random one kept in the data directory."""
        secret = self.token_secret.get_secret_value()
        if self.is_production or secret != DEFAULT_TOKEN_SECRET:
            return secret
        path = self.data_dir / "token-secret"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        write_private(path, value)
        return value
