"""Settings: production refuses a default secret; bad values name their setting."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from graph.errors import ConfigError
from kam.settings import DEFAULT_TOKEN_SECRET, Environment, Settings


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
