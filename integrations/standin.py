"""A stand-in Salesforce org: the REST endpoints the sync uses, on loopback, with faults on demand.

It speaks the same shapes as Salesforce: `POST /services/oauth2/token` (password and JWT bearer
grants), `GET /services/data/<v>/query?q=` with `nextRecordsUrl` paging, and
`POST /services/data/<v>/sobjects/Task`. It understands just the SOQL the sync sends
(`SELECT … FROM <Object> [WHERE SystemModstamp >= <time> | WHERE Id IN (…)] [ORDER BY …]`).

Faults, for tests: sessions that expire (401 INVALID_SESSION_ID), throttling (429 or 503 with
`Retry-After`), a page that keeps failing (500), and records that break the schema. The demo
uses it in-process (no port) to show a synced account (integrations/standin_sample.py).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

API = "v60.0"
SOQL = re.compile(
    r"^SELECT\s+(?P<fields>(?:\([^()]*\)|[^()])+?)\s+FROM\s+(?P<object>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?(?:\s+ORDER BY\s+(?P<order>.+))?$",
    re.IGNORECASE | re.DOTALL,
)


@dataclass
class Faults:
    expire_every: int = 0  # a session dies after this many API calls (0: never)
    throttle: list[int] = field(default_factory=list)  # statuses for the next calls, in order
    fail_page: tuple[str, int] | None = None  # (object, page number from 1): always 500


@dataclass
class StandinOrg:
    """The org's records by object, and what happened to it (for assertions)."""

    # The stand-in org's own made-up login, known to the demo and the tests: no real secret.
    client_id: str = "kam-demo-client"
    client_secret: str = "demo-secret"  # noqa: S105
    username: str = "integration@example.com"
    password: str = "demo-password"  # noqa: S105
    jwt_key: str | None = None  # public key (PEM) accepted for the JWT bearer flow
    page_size: int = 200
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    tokens: dict[str, int] = field(default_factory=dict)  # token -> calls made with it
    cursors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    clock: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def stamp(self) -> str:
        """A fresh SystemModstamp, later than every earlier one."""
        self.clock += timedelta(seconds=1)
        return self.clock.strftime("%Y-%m-%dT%H:%M:%S.000+0000")

    def put(self, obj: str, **fields: Any) -> dict[str, Any]:
        """Add or edit a record (as an edit in Salesforce: its SystemModstamp moves)."""
        rows = self.records.setdefault(obj, [])
        existing = next((r for r in rows if r["Id"] == fields["Id"]), None)
        if existing is None:
            existing = {"attributes": {"type": obj}}
            rows.append(existing)
        existing.update(fields)
        existing["SystemModstamp"] = self.stamp()
        return existing


def app(org: StandinOrg) -> Starlette:
    def error(
        status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> JSONResponse:
        return JSONResponse([{"errorCode": code, "message": message}], status, headers=headers)

    async def token(request: Request) -> JSONResponse:
        org.calls.append("token")
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        grant = form.get("grant_type")
        ok = False
        if grant == "password":
            ok = (
                form.get("client_id") == org.client_id
                and form.get("client_secret") == org.client_secret
                and form.get("username") == org.username
                and form.get("password") == org.password
            )
        elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer" and org.jwt_key:
            import jwt

            try:
                claims = jwt.decode(
                    str(form.get("assertion")),
                    org.jwt_key,
                    algorithms=["RS256"],
                    audience=str(request.base_url).rstrip("/"),
                    options={"verify_aud": False},
                )
                ok = claims.get("iss") == org.client_id and claims.get("sub") == org.username
            except jwt.PyJWTError:
                ok = False
        if not ok:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "authentication failure"}, 400
            )
        issued = secrets.token_urlsafe(16)
        org.tokens[issued] = 0
        return JSONResponse(
            {
                "access_token": issued,
                "instance_url": str(request.base_url).rstrip("/"),
                "token_type": "Bearer",
            }
        )

    def check(request: Request) -> JSONResponse | None:
        if org.faults.throttle:
            status = org.faults.throttle.pop(0)
            return error(status, "REQUEST_LIMIT_EXCEEDED", "slow down", {"Retry-After": "0"})
        auth = request.headers.get("authorization", "")
        issued = auth.removeprefix("Bearer ")
        if issued not in org.tokens:
            return error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        org.tokens[issued] += 1
        if org.faults.expire_every and org.tokens[issued] > org.faults.expire_every:
            del org.tokens[issued]
            return error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        return None

    def page(obj: str, rows: list[dict[str, Any]], number: int) -> JSONResponse:
        if org.faults.fail_page == (obj, number):
            return error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred")
        chunk, rest = rows[: org.page_size], rows[org.page_size :]
        body: dict[str, Any] = {"totalSize": len(rows), "done": not rest, "records": chunk}
        if rest:
            cursor = f"01g{secrets.token_hex(6)}-{obj}-{number + 1}"
            org.cursors[cursor] = rest
            body["nextRecordsUrl"] = f"/services/data/{API}/query/{cursor}"
        return JSONResponse(body)

    async def query(request: Request) -> JSONResponse:
        every = request.url.path.endswith("/queryAll")  # deleted rows too, as IsDeleted
        org.calls.append("queryAll" if every else "query")
        refused = check(request)
        if refused:
            return refused
        found = SOQL.match(request.query_params.get("q", "").strip())
        if not found:
            return error(400, "MALFORMED_QUERY", "unexpected token")
        obj = found["object"]
        rows = [r for r in org.records.get(obj, []) if every or not r.get("IsDeleted")]
        where = (found["where"] or "").strip()
        if m := re.fullmatch(r"SystemModstamp\s*>=\s*(\S+)", where):
            since = datetime.fromisoformat(m[1].replace("Z", "+00:00"))
            rows = [r for r in rows if _when(r) >= since]
        elif m := re.fullmatch(r"Id\s+IN\s*\((.*)\)", where, re.IGNORECASE):
            ids = set(re.findall(r"'([A-Za-z0-9]+)'", m[1]))
            rows = [r for r in rows if r.get("Id") in ids]
        elif where:
            return error(400, "MALFORMED_QUERY", "unsupported WHERE")
        rows.sort(key=lambda r: (_when(r), str(r.get("Id"))))
        return page(obj, rows, 1)

    async def more(request: Request) -> JSONResponse:
        org.calls.append("more")
        refused = check(request)
        if refused:
            return refused
        cursor = request.path_params["cursor"]
        if cursor not in org.cursors:
            return error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        _, obj, number = cursor.rsplit("-", 2)
        response = page(obj, org.cursors[cursor], int(number))
        if response.status_code == 200:
            del org.cursors[cursor]
        return response

    async def create(request: Request) -> JSONResponse:
        org.calls.append("create")
        refused = check(request)
        if refused:
            return refused
        obj = request.path_params["sobject"]
        fields = await request.json()
        new_id = "00T" + secrets.token_hex(6).upper()[:12]
        org.put(obj, Id=new_id, **fields)
        return JSONResponse({"id": new_id, "success": True, "errors": []}, 201)

    return Starlette(
        routes=[
            Route("/services/oauth2/token", token, methods=["POST"]),
            Route(f"/services/data/{API}/query", query),
            Route(f"/services/data/{API}/queryAll", query),
            Route(f"/services/data/{API}/query/{{cursor}}", more),
            Route(f"/services/data/{API}/sobjects/{{sobject}}", create, methods=["POST"]),
        ]
    )


def _when(record: dict[str, Any]) -> datetime:
    try:
        at = datetime.fromisoformat(str(record.get("SystemModstamp")).replace("+0000", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return at if at.tzinfo else at.replace(tzinfo=UTC)
