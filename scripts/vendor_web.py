"""Copy the web app's third-party files from npm packages into the repository, with a manifest.

Run by hand when a version changes: `python scripts/vendor_web.py` (needs `npm` on PATH).
It packs each package with `npm pack NAME@VERSION` in a temporary folder, copies the one file
the app loads (and the package's licence text), applies the recorded patch, and writes
MANIFEST.json beside the files. tests/test_web_vendor.py checks the files against it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVED = ROOT / "kam" / "web" / "static" / "vendor"
TEST_ONLY = ROOT / "tests" / "web" / "vendor"

# (folder, package, version, licence, file in the package, name here, licence file, patch)
# A patch turns a bare import specifier into a relative path: browsers resolve bare names
# only through an import map, which the app's CSP would have to allow by hash.
FILES: list[tuple[Path, str, str, str, str, str, str, tuple[str, str] | None]] = [
    (
        SERVED,
        "preact",
        "10.28.2",
        "MIT",
        "dist/preact.module.js",
        "preact.module.js",
        "LICENSE",
        None,
    ),
    (
        SERVED,
        "preact",
        "10.28.2",
        "MIT",
        "hooks/dist/hooks.module.js",
        "preact-hooks.module.js",
        "LICENSE",
        ('from"preact"', 'from"./preact.module.js"'),
    ),
    (SERVED, "htm", "3.1.1", "Apache-2.0", "dist/htm.module.js", "htm.module.js", "LICENSE", None),
    (
        SERVED,
        "cytoscape",
        "3.35.0",
        "MIT",
        "dist/cytoscape.esm.min.mjs",
        "cytoscape.esm.min.js",
        "LICENSE",
        None,
    ),
    # Its ES module build bundles @dagrejs/dagre (MIT), whose licence is kept beside it.
    (
        SERVED,
        "cytoscape-dagre",
        "4.0.1",
        "MIT",
        "dist/cytoscape-dagre.min.mjs",
        "cytoscape-dagre.min.js",
        "LICENSE",
        None,
    ),
    (SERVED, "@dagrejs/dagre", "3.1.3", "MIT", "", "", "LICENSE", None),
    (
        SERVED,
        "chart.js",
        "4.6.1",
        "MIT",
        "dist/chart.umd.min.js",
        "chart.umd.min.js",
        "LICENSE.md",
        None,
    ),
    (TEST_ONLY, "axe-core", "4.14.1", "MPL-2.0", "axe.min.js", "axe.min.js", "LICENSE", None),
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unpack(package: str, version: str, work: Path) -> Path:
    """The package's files, from the registry through npm's own client."""
    # Fixed names and versions from FILES above, through npm on PATH as a developer runs it.
    command = ["npm", "pack", f"{package}@{version}", "--silent"]
    done = subprocess.run(command, cwd=work, check=True, capture_output=True, text=True)  # noqa: S603
    out = done.stdout.split()[-1]
    target = work / out.removesuffix(".tgz")
    with tarfile.open(work / out) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def main() -> None:
    manifests: dict[Path, list[dict[str, object]]] = {SERVED: [], TEST_ONLY: []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for folder, package, version, licence, source, name, licence_file, patch in FILES:
            pkg = unpack(package, version, work)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "licenses").mkdir(exist_ok=True)
            licence_name = f"licenses/{package.replace('/', '__').lstrip('@')}.txt"
            shutil.copyfile(pkg / licence_file, folder / licence_name)
            if not source:
                continue
            text = (pkg / source).read_text(encoding="utf-8")
            entry: dict[str, object] = {
                "name": package,
                "version": version,
                "licence": licence,
                "licenceFile": licence_name,
                "source": source,
                "file": name,
                "upstreamSha256": sha256(pkg / source),
            }
            if patch is not None:
                assert text.count(patch[0]) == 1, f"{package}: the patch no longer applies"
                text = text.replace(*patch)
                entry["patch"] = f"{patch[0]} -> {patch[1]}"
            (folder / name).write_text(text, encoding="utf-8")
            entry["sha256"] = sha256(folder / name)
            manifests[folder].append(entry)
    for folder, entries in manifests.items():
        licences = sorted(p.name for p in (folder / "licenses").iterdir())
        body = {"files": entries, "licences": [f"licenses/{n}" for n in licences]}
        (folder / "MANIFEST.json").write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
