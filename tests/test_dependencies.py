"""The installed libraries are the ones pyproject.toml declares, in the ranges it declares.

pip checks the ranges at install time only; a later `pip install -U strawberry-graphql` leaves
a version the code was never run on. resolvers/ reaches into internals of strawberry and
graphql-core (docs/ARCHITECTURE.md §9), so a version outside the tested range must stop the
suite by name, not fail somewhere deep in execution."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# Libraries whose internals the code uses: each must have an upper bound.
BOUNDED = ("strawberry-graphql", "graphql-core", "cross-web")


def _declared() -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    lines = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return [Requirement(line) for line in lines]


def test_every_declared_dependency_is_installed_within_its_range() -> None:
    problems = []
    for requirement in _declared():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            problems.append(f"{requirement.name} is not installed (declared {requirement})")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            problems.append(
                f"{requirement.name} {installed} is installed, outside the declared range "
                f"'{requirement.specifier}'; install a version in it, or run the suite on the "
                "new one and move the bound in pyproject.toml"
            )
    if problems:
        pytest.fail("\n".join(problems))


def test_the_libraries_we_reach_into_have_upper_bounds() -> None:
    declared = {r.name: r for r in _declared()}
    for name in BOUNDED:
        assert name in declared, f"{name} is used but not declared in pyproject.toml"
        specifier = declared[name].specifier
        assert any(s.operator in ("<", "<=", "==", "~=") for s in specifier), (
            f"{name} is declared as '{specifier}' with no upper bound"
        )
