"""Settings: production refuses a default secret; bad values name their setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from graph.errors import ConfigError
from kam.runtime import open_database
from kam.settings import DEFAULT_TOKEN_SECRET, EMBEDDED_DB_NAME, Environment, Settings
from tests.conftest import Backend


def test_production_refuses_the_default_secret() -> None:
    settings = Settings(env=Environment.PRODUCTION, token_secret=SecretStr(DEFAULT_TOKEN_SECRET))
    with pytest.raises(ConfigError, match="KAM_TOKEN_SECRET"):
        settings.check_for_start()


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ConfigError, match="KAM_TOKEN_SECRET"):
        Settings(env=Environment.PRODUCTION, token_secret=SecretStr("short")).check_for_start()


def test_production_accepts_a_real_secret() -> None:
    Settings(env=Environment.PRODUCTION, token_secret=SecretStr("x" * 48)).check_for_start()


def test_env_prefix_and_embedded_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAM_DB_NAME", "other")
    monkeypatch.delenv("KAM_DB_URI", raising=False)
    settings = Settings()
    assert settings.db_name == "other"
    assert settings.embedded


def test_bad_uri_scheme_is_refused() -> None:
    with pytest.raises(ValidationError, match="must start with one of"):
        Settings(db_uri="http://localhost:7474")


def test_an_unset_db_name_is_the_embedded_kam_or_the_servers_default(
    monkeypatch: pytest.MonkeyPatch, backend: Backend, tmp_path: Path
) -> None:
    monkeypatch.delenv("KAM_DB_NAME", raising=False)
    conn = backend.connection
    settings = Settings(
        db_uri=conn.uri, db_user=conn.user, db_password=SecretStr(conn.password), data_dir=tmp_path
    )
    assert settings.db_name is None
    assert settings.embedded_db_name == EMBEDDED_DB_NAME == "kam"
    # On an external server the driver is asked for no database: the server's default. The
    # embedded server's only database is its default, so the seeded demo data is there.
    db = backend.run(open_database(settings, None))
    try:
        assert db.database is None
        rows = backend.run(db.read("MATCH (a:Account) RETURN count(a) > 0 AS seeded"))
        assert rows == [{"seeded": True}]
    finally:
        backend.run(db.close())
