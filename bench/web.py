"""The web app in a real browser: navigation to a complete page, and clicks that need no server.

Run: `python -m bench.web [--runs N] [--url URL --password P] [--json]`. Without `--url` it
starts `kam demo` on a free loopback port with a fresh data directory and stops it after.
Times are read in the page (`performance.now()` from the navigation's start) once the page
shows what it is waiting for: the account page with every section loaded, or the org chart of
the largest demo account (Nordwind, 1,052 people in 51 units) drawn by the layout.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from graph.embedded import free_port
from tests.web.browser import ARGS, CHROMIUM

ACCOUNT = "acc-nordwind"
# The account page is complete when no section is still loading and the last ones are there.
ACCOUNT_DONE = 'main:not(:has(.loading)) [data-section="coverage"] .score'
ORG_DONE = ".graph[data-drawn=true]"
# Time from a click to the next frame painted after it, measured in the page.
CLICK_TO_PAINT = """async (selector) => {
  const el = document.querySelector(selector);
  const started = performance.now();
  el.click();
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - started;
}"""


@contextmanager
def demo_app() -> Iterator[tuple[str, str]]:
    """`kam demo` on a free port and a fresh data directory; yields (url, password)."""
    password = secrets.token_urlsafe(12)
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "KAM_PORT": str(port),
            "KAM_DATA_DIR": data,
            "KAM_DEMO_PASSWORD": password,
        }
        kam = Path(sys.executable).with_name("kam")
        proc = subprocess.Popen(  # noqa: S603 - our own command line
            [str(kam), "demo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None:
                    raise SystemExit("kam demo stopped before it was ready")
                time.sleep(0.5)
            yield url, password
        finally:
            proc.terminate()
            proc.wait(30)


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("header.topbar")


def navigation_ms(page: Page, url: str, route: str, done: str) -> float:
    """A fresh load of `route` until `done` matches, in ms from the navigation's start."""
    page.goto("about:blank")
    page.goto(f"{url}/#{route}", wait_until="commit")
    page.wait_for_selector(done, timeout=60_000)
    return float(page.evaluate("() => performance.now()"))


def measure(url: str, password: str, runs: int) -> dict[str, dict[str, float]]:
    samples: dict[str, list[float]] = {
        "account page complete": [],
        "org chart of the largest account drawn": [],
        "influence overlay on/off (no server)": [],
        "open a unit in the org tree (no server)": [],
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, url, "account_manager", password)
        navigation_ms(page, url, f"/account/{ACCOUNT}", ACCOUNT_DONE)  # warm the caches once
        for _ in range(runs):
            samples["account page complete"].append(
                navigation_ms(page, url, f"/account/{ACCOUNT}", ACCOUNT_DONE)
            )
            samples["org chart of the largest account drawn"].append(
                navigation_ms(page, url, f"/account/{ACCOUNT}/org", ORG_DONE)
            )
            page.wait_for_load_state("networkidle")
            samples["influence overlay on/off (no server)"].append(
                float(page.evaluate(CLICK_TO_PAINT, ".toolbar input[type=checkbox]"))
            )
            samples["open a unit in the org tree (no server)"].append(
                float(page.evaluate(CLICK_TO_PAINT, '[role=tree] [aria-expanded="false"]'))
            )
        browser.close()
    return {
        name: {"median_ms": statistics.median(v), "max_ms": max(v), "runs": len(v)}
        for name, v in samples.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", help="a running app with the demo data (else one is started)")
    parser.add_argument("--password", help="the demo users' password, with --url")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    if args.url:
        report = measure(args.url.rstrip("/"), args.password or "", args.runs)
    else:
        with demo_app() as (url, password):
            report = measure(url, password, args.runs)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, figures in report.items():
            print(
                f"{name:45} median {figures['median_ms']:7.0f} ms   max {figures['max_ms']:7.0f} ms"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
