"""The web app: static files served from the installed package at `/`, under a strict CSP."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

STATIC = Path(__file__).resolve().parent / "static"

# No inline script or style, no eval: the app's modules import each other by relative path
# (no import map), and cytoscape finds its stylesheet declared as a <link> (no <style>).
APP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
CSP_HEADERS = {"content-security-policy": APP_CSP, "cache-control": "no-cache"}


class AppFiles(StaticFiles):
    """The app's files, each with the app's CSP and revalidated on every load (ETag)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_csp(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.encode(), v.encode()) for k, v in CSP_HEADERS.items()]
                message["headers"] = headers
            await send(message)

        await super().__call__(scope, receive, with_csp)


async def index(_request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers=CSP_HEADERS)


def routes() -> list[BaseRoute]:
    """`/` is the app's page; `/static/...` its modules, styles and vendored libraries."""
    return [
        Route("/", index, methods=["GET", "HEAD"]),
        Mount("/static", app=AppFiles(directory=STATIC), name="static"),
    ]
