"""The production path stays in step with the app: docker-compose.yml, the Dockerfile, the
README and the wheel the image installs (no Docker engine here: the files are read, the wheel
is built and installed into a fresh virtual environment)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from integrations.salesforce import SalesforceSettings
from kam.settings import Settings

KNOWN = {"KAM_" + name.upper() for name in Settings.model_fields}
SALESFORCE = {"KAM_SALESFORCE_" + name.upper() for name in SalesforceSettings.model_fields}
# The neo4j image's own variables that are not neo4j.conf settings (its docker-entrypoint.sh);
# any other NEO4J_* variable becomes a setting, and Neo4j refuses an unknown one.
NEO4J_IMAGE_CONTROLS = {"NEO4J_AUTH", "NEO4J_AUTH_PATH", "NEO4J_PLUGINS", "NEO4J_DEBUG"}


@pytest.fixture(scope="module")
def compose(repo_root: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((repo_root / "docker-compose.yml").read_text())
    return loaded


def test_compose_app_uses_neo4j_with_known_settings(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert any(v.endswith(":/data") for v in services["neo4j"]["volumes"])
    app = services["app"]
    assert app["depends_on"]["neo4j"]["condition"] == "service_healthy"
    env = app["environment"]
    assert set(env) <= KNOWN, f"unknown settings in compose: {set(env) - KNOWN}"
    assert env["KAM_DB_URI"].startswith("neo4j://neo4j:")
    assert env["KAM_ENV"] == "production"
    assert "${KAM_TOKEN_SECRET:?" in env["KAM_TOKEN_SECRET"]
    # Unset: the server's default database (Community has no other).
    assert "KAM_DB_NAME" not in env
    # The audit journal outlives the container.
    data_dir = env["KAM_DATA_DIR"]
    assert any(v.endswith(":" + data_dir) for v in app["volumes"]), app["volumes"]


def test_the_neo4j_image_is_5_26_or_later(compose: dict[str, Any]) -> None:
    image = compose["services"]["neo4j"]["image"]
    found = re.fullmatch(r"neo4j:(\d+)\.(\d+)(?:\.\d+)?(?:-community|-enterprise)?", image)
    assert found, f"pin a version: {image}"
    # `CALL (x) { … }` subqueries need 5.23; 5.26 is the long-term support release.
    assert (int(found[1]), int(found[2])) >= (5, 26), image
    assert int(found[1]) == 5, "the statements are checked as Cypher 5"


def test_the_neo4j_health_check_logs_in_with_a_variable_the_service_has(
    compose: dict[str, Any],
) -> None:
    neo4j = compose["services"]["neo4j"]
    env = neo4j["environment"]
    test = " ".join(neo4j["healthcheck"]["test"][1:])
    assert "cypher-shell" in test and "-u neo4j" in test and "-p " in test, test
    used = set(re.findall(r"\$\$\{?([A-Za-z_][A-Za-z0-9_]*)", test))
    assert used, "the health check must log in with the service's password"
    assert used <= set(env), f"not in the neo4j service's environment: {used - set(env)}"
    # Every other NEO4J_* variable is a neo4j.conf setting (lower case after the prefix).
    for name in env:
        assert name in NEO4J_IMAGE_CONTROLS or re.fullmatch(r"NEO4J_[a-z][a-z0-9_]*", name), (
            f"{name} would become the neo4j.conf setting {name[6:]!r}, which Neo4j refuses"
        )
    # The app logs in with the same password the server was given.
    password = re.search(r"\$\{(\w+)", env["NEO4J_AUTH"])
    assert password and password[1] in compose["services"]["app"]["environment"]["KAM_DB_PASSWORD"]


def test_the_dockerfile_installs_the_project_from_pyproject(repo_root: Path) -> None:
    dockerfile = (repo_root / "Dockerfile").read_text()
    steps = [line.split()[0] for line in dockerfile.splitlines() if line and line[0].isupper()]
    copies = [line for line in dockerfile.splitlines() if line.startswith("COPY")]
    assert copies == ["COPY . ."], f"copy the project, not a list of folders: {copies}"
    assert re.search(r"pip install [^\n]*\s\.(\s|$)", dockerfile), "pip install . expected"
    assert steps[-1] == "CMD" and '"kam", "serve"' in dockerfile
    lines = (repo_root / ".dockerignore").read_text().splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    for package in [*_wheel_packages(repo_root), "pyproject.toml", "README.md"]:
        assert package not in ignored, f".dockerignore leaves out {package}"


def _wheel_packages(repo_root: Path) -> list[str]:
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())
    packages: list[str] = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    return packages


def test_every_package_of_the_repository_is_in_the_wheel(repo_root: Path) -> None:
    # tests/ and bench/ run from a checkout; everything else the app imports ships.
    found = {
        p.parent.name
        for p in repo_root.glob("*/__init__.py")
        if p.parent.name not in ("tests", "bench")
    }
    assert found == set(_wheel_packages(repo_root))


def test_the_wheel_installs_and_imports_every_module_and_command(
    repo_root: Path, tmp_path: Path
) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "wheel",
         repo_root],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheel").glob("kam_graph-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "auth/policy.yaml" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", wheel],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    # The project's own code from the fresh venv only; its dependencies from this one (their
    # folder carries no project package: the project is installed here in editable mode).
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "KAM_DATA_DIR": str(tmp_path / "data"),
    }
    probe = subprocess.run(
        [python, "-c", IMPORT_EVERYTHING, *_wheel_packages(repo_root)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stdout + probe.stderr
    lines = probe.stdout.splitlines()
    assert any(line.startswith("module graph.driver ") for line in lines), lines
    assert all(str(venv) in line.split(" ", 2)[2] for line in lines if line.startswith("module"))
    commands = [line.split(" ", 1)[1] for line in lines if line.startswith("command")]
    assert {"serve", "demo", "migrate", "db start", "seed demo", "sync salesforce"} <= set(
        commands
    ), commands
    script = subprocess.run(
        [venv / "bin" / "kam", "--help"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert script.returncode == 0 and "serve" in script.stdout, script.stdout + script.stderr


# Run in the fresh venv: import every module of the given packages, then ask every command of
# the CLI for its --help. Prints `module NAME FILE` and `command PATH` lines.
IMPORT_EVERYTHING = """
import importlib, importlib.util, pkgutil, sys
import typer.main
from typer.testing import CliRunner

for package in sys.argv[1:]:
    root = importlib.import_module(package)
    print("module", package, root.__file__)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if info.name.endswith(".__main__"):  # runs the CLI when imported: found is enough
            print("module", info.name, importlib.util.find_spec(info.name).origin)
            continue
        module = importlib.import_module(info.name)
        print("module", info.name, module.__file__)

from kam.cli import app
runner = CliRunner()

def walk(command, path):
    result = runner.invoke(app, [*path, "--help"])
    if result.exit_code != 0:
        raise SystemExit(f"kam {' '.join(path)} --help failed: {result.output}")
    if path:
        print("command", " ".join(path))
    for name, sub in getattr(command, "commands", {}).items():
        walk(sub, [*path, name])

walk(typer.main.get_command(app), [])
"""


def test_the_readme_names_only_real_settings_and_the_compose_image(
    repo_root: Path, compose: dict[str, Any]
) -> None:
    readme = (repo_root / "README.md").read_text()
    # Names of the test run's own switches, not app settings.
    tooling = {"KAM_CYPHER_GATE", "KAM_CYPHER_GATE_PACKAGES", "KAM_CYPHER_GATE_DUMP"}
    named = set(re.findall(r"\bKAM_[A-Z0-9_]*[A-Z0-9]\b", readme)) - tooling
    unknown = named - KNOWN - SALESFORCE
    assert not unknown, f"README names settings that do not exist: {unknown}"
    production = readme.split("## Running in production", 1)
    assert len(production) == 2, "README has no 'Running in production' section"
    section = production[1].split("\n## ", 1)[0]
    assert compose["services"]["neo4j"]["image"] in section
    assert "neo4j-admin database dump" in section
    for setting in compose["services"]["app"]["environment"]:
        assert setting in readme, f"{setting} (compose) is not described in the README"
