"""Driving Debian's chromium through playwright: launch, sign in, watch CSP and GraphQL answers."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = ROOT / "tests" / "web" / "vendor" / "axe.min.js"
CHROMIUM = os.environ.get("KAM_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Reports every CSP violation to the test through a binding (no eval, no inline script).
CSP_WATCH = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__kamCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def launch(playwright: Playwright) -> Browser:
    """Debian's chromium; a missing browser fails the test with how to install it."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(
            f"no chromium at {CHROMIUM}: install it with `apt-get install -y chromium` "
            "(or point KAM_CHROMIUM at one); the browser tests never download a browser",
            pytrace=False,
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def one_browser() -> Iterator[Browser]:
    """A browser for a test module: `browser = pytest.fixture(scope="module")(one_browser)`."""
    with sync_playwright() as playwright:
        b = launch(playwright)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Watched:
    """A signed-in page, with the CSP violations, page errors and GraphQL answers it saw."""

    page: Page
    base: str
    role: str
    csp: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)

    def go(self, route: str) -> None:
        self.page.goto(f"{self.base}/#{route}")

    def shot(self, name: str) -> None:
        folder = ARTIFACTS / self.role
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    def main_text(self) -> str:
        return self.page.locator("body").inner_text()

    def network_text(self) -> str:
        return "\n".join(self.answers)

    def assert_clean(self) -> None:
        assert self.csp == [], f"CSP violations: {self.csp}"
        assert self.errors == [], f"page errors: {self.errors}"


def watch(context: BrowserContext, base: str, role: str) -> Watched:
    page = context.new_page()
    w = Watched(page, base, role)
    page.expose_function("__kamCsp", lambda text: w.csp.append(text))
    page.add_init_script(CSP_WATCH)
    page.on("pageerror", lambda e: w.errors.append(str(e)))
    page.on(
        "console",
        lambda m: w.csp.append(m.text) if "Content Security Policy" in m.text else None,
    )

    def answer(response: Any) -> None:
        if response.url.endswith("/graphql") and response.request.method == "POST":
            try:
                w.answers.append(json.dumps(response.json()))
            except Exception as exc:  # a body that is gone (navigation) still counts
                w.answers.append(f"<unreadable {exc}>")

    page.on("response", answer)
    return w


def sign_in(w: Watched, username: str, password: str) -> None:
    w.page.goto(f"{w.base}/")
    w.page.get_by_label("Username").fill(username)
    w.page.get_by_label("Password").fill(password)
    w.page.get_by_role("button", name="Sign in").click()
    expect(w.page.locator("header.topbar")).to_be_visible()


@contextmanager
def signed_in(
    browser: Browser,
    base: str,
    role: str,
    username: str,
    password: str,
    *,
    width: int = 1280,
    bypass_csp: bool = False,
) -> Iterator[Watched]:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, bypass_csp=bypass_csp, accept_downloads=True
    )
    try:
        w = watch(context, base, role)
        sign_in(w, username, password)
        yield w
    finally:
        context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now.

    axe is injected as a script, which the app's CSP forbids: only the context of this
    check is opened with bypass_csp (the CSP itself is checked in the other contexts)."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
