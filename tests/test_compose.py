"""docker-compose.yml (the production path) stays in step with the app's settings."""

from __future__ import annotations

from pathlib import Path

import yaml

from kam.settings import Settings


def test_compose_app_uses_neo4j_with_known_settings(repo_root: Path) -> None:
    compose = yaml.safe_load((repo_root / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["neo4j"]["image"].startswith("neo4j:5")
    assert "healthcheck" in services["neo4j"]
    assert any(v.endswith(":/data") for v in services["neo4j"]["volumes"])
    app = services["app"]
    assert app["depends_on"]["neo4j"]["condition"] == "service_healthy"
    env = app["environment"]
    known = {"KAM_" + name.upper() for name in Settings.model_fields}
    assert set(env) <= known, f"unknown settings in compose: {set(env) - known}"
    assert env["KAM_DB_URI"].startswith("neo4j://neo4j:")
    assert env["KAM_ENV"] == "production"
    assert "${KAM_TOKEN_SECRET:?" in env["KAM_TOKEN_SECRET"]
    assert (repo_root / "Dockerfile").exists()
