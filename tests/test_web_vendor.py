"""The vendored third-party files of the web app match their manifest, byte for byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = [ROOT / "kam" / "web" / "static" / "vendor", ROOT / "tests" / "web" / "vendor"]


def manifest(folder: Path) -> dict[str, list[dict[str, str]]]:
    body: dict[str, list[dict[str, str]]] = json.loads((folder / "MANIFEST.json").read_text())
    return body


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.parent.name)
def test_every_file_matches_the_manifest(folder: Path) -> None:
    body = manifest(folder)
    listed = {e["file"] for e in body["files"]} | set(body["licences"]) | {"MANIFEST.json"}
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert present == listed, f"files not in the manifest or missing: {present ^ listed}"
    for entry in body["files"]:
        data = (folder / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]
        assert entry["name"] and entry["version"] and entry["licence"], entry
        assert entry["licenceFile"] in body["licences"], entry
        if "patch" not in entry:
            assert entry["upstreamSha256"] == entry["sha256"], f"{entry['file']} changed unrecorded"


def test_axe_is_not_served() -> None:
    """axe-core is for the tests only: nothing the app serves names or carries it."""
    served = ROOT / "kam" / "web" / "static"
    assert not list(served.rglob("axe*"))


def test_served_modules_import_only_relative_paths() -> None:
    """A bare import specifier would need an import map, which the CSP would have to allow."""
    import re

    static = ROOT / "kam" / "web" / "static"
    for path in [*static.rglob("*.js")]:
        text = path.read_text(encoding="utf-8")
        # `from "x"` and `import("x")` / `import "x"` outside a string ('from' as a word in
        # quotes, as in a list of field names, is not an import).
        pattern = r"""(?<!['"\w])(?:from|import)\s*\(?\s*["']([^"']+)["']"""
        for spec in re.findall(pattern, text):
            assert spec.startswith(("./", "../", "/")), f"{path.name} imports {spec!r}"
