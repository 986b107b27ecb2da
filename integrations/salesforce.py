"""A small client for the Salesforce REST API: OAuth login, SOQL paging, record creation.

Only what the sync needs, over httpx: the username-password or JWT bearer flow, `query` with
`nextRecordsUrl` paging, and `create` for Tasks. An expired session (401) logs in again once;
429 and 503 are retried after `Retry-After` (or a short backoff), a bounded number of times.
Anything else is a `SalesforceError` naming the status and Salesforce's own error code.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import httpx
import jwt
from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 503})


class SalesforceSettings(BaseSettings):
    """How to reach a Salesforce org; each field is the variable `KAM_SALESFORCE_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="KAM_SALESFORCE_", extra="ignore")

    login_url: str = "https://login.salesforce.com"
    api_version: str = "v60.0"
    flow: Literal["password", "jwt"] = "password"
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    username: str = ""
    password: SecretStr = SecretStr("")  # the password followed by the security token
    private_key_file: Path | None = None  # for the JWT bearer flow
    timeout_seconds: float = 30.0
    max_retries: int = 4
    max_backoff_seconds: float = 30.0

    @model_validator(mode="after")
    def _complete(self) -> SalesforceSettings:
        missing = [
            f"KAM_SALESFORCE_{name.upper()}"
            for name, ok in {
                "client_id": bool(self.client_id),
                "username": bool(self.username),
                "password": self.flow != "password" or bool(self.password.get_secret_value()),
                "private_key_file": self.flow != "jwt" or self.private_key_file is not None,
            }.items()
            if not ok
        ]
        if missing:
            raise ValueError(f"Salesforce is not configured: set {', '.join(missing)}")
        return self


class SalesforceError(Exception):
    """A refusal or failure from Salesforce, with its HTTP status and error code."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class SalesforceClient:
    """One logged-in connection to an org. Use as an async context manager."""

    def __init__(
        self, settings: SalesforceSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._http = httpx.AsyncClient(timeout=settings.timeout_seconds, transport=transport)
        self._token: str | None = None
        self.instance_url: str | None = None
        self.logins = 0
        self.retries = 0

    async def __aenter__(self) -> SalesforceClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._http.aclose()

    # -- login --------------------------------------------------------------------------------

    async def login(self) -> None:
        s = self.settings
        if s.flow == "jwt":
            assert s.private_key_file is not None
            try:
                key = s.private_key_file.read_text()
            except OSError as exc:
                raise SalesforceError(
                    f"KAM_SALESFORCE_PRIVATE_KEY_FILE cannot be read: {exc.strerror}"
                ) from None
            assertion = jwt.encode(
                {
                    "iss": s.client_id,
                    "sub": s.username,
                    "aud": s.login_url,
                    "exp": int(time.time()) + 180,
                },
                key,
                algorithm="RS256",
            )
            form = {
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": assertion,
            }
        else:
            form = {
                "grant_type": "password",
                "client_id": s.client_id,
                "client_secret": s.client_secret.get_secret_value(),
                "username": s.username,
                "password": s.password.get_secret_value(),
            }
        response = await self._send("POST", f"{s.login_url}/services/oauth2/token", data=form)
        body = _json(response)
        if not isinstance(body, dict):
            body = {}
        if response.status_code != 200:
            raise SalesforceError(
                f"Salesforce refused the login ({response.status_code} "
                f"{body.get('error', '')}: {body.get('error_description', '')})".strip(),
                response.status_code,
                str(body.get("error") or ""),
            )
        if "access_token" not in body or "instance_url" not in body:
            raise SalesforceError("Salesforce answered the login without a token")
        self._token = str(body["access_token"])
        self.instance_url = str(body["instance_url"]).rstrip("/")
        self.logins += 1

    # -- API ----------------------------------------------------------------------------------

    async def query(
        self, soql: str, *, include_deleted: bool = False
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """The records of a SOQL query, one page (one HTTP answer) at a time; with
        `include_deleted`, through `queryAll`, so deleted rows come too (`IsDeleted`)."""
        endpoint = "queryAll" if include_deleted else "query"
        body = await self._api(
            "GET", f"/services/data/{self.settings.api_version}/{endpoint}", params={"q": soql}
        )
        while True:
            records = body.get("records")
            if not isinstance(records, list):
                raise SalesforceError("Salesforce answered a query without a list of records")
            yield records
            next_url = body.get("nextRecordsUrl")
            if body.get("done", True) or not next_url:
                return
            body = await self._api("GET", str(next_url))

    async def create(self, sobject: str, fields: dict[str, Any]) -> str:
        """Create one record; its Salesforce id."""
        body = await self._api(
            "POST", f"/services/data/{self.settings.api_version}/sobjects/{sobject}", json=fields
        )
        if not body.get("success", True) or "id" not in body:
            raise SalesforceError(f"Salesforce did not create the {sobject}: {body.get('errors')}")
        return str(body["id"])

    async def _api(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if self._token is None:
            await self.login()
        relogged = False
        while True:
            response = await self._send(
                method,
                f"{self.instance_url}{path}",
                headers={"Authorization": f"Bearer {self._token}"},
                **kwargs,
            )
            if response.status_code == 401 and not relogged:
                log.info("salesforce session expired; logging in again")
                relogged = True
                await self.login()
                continue
            if response.status_code >= 400:
                errors = _json(response)
                first = errors[0] if isinstance(errors, list) and errors else {}
                code = first.get("errorCode") if isinstance(first, dict) else None
                raise SalesforceError(
                    f"Salesforce answered {response.status_code} to {method} {path.split('?')[0]}"
                    + (f" ({code})" if code else ""),
                    response.status_code,
                    code,
                )
            body = _json(response)
            if not isinstance(body, dict):
                raise SalesforceError(f"Salesforce answered {method} {path} with no JSON object")
            return body

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request, retried on 429/503 and on a dropped connection, with bounded waits."""
        for attempt in range(self.settings.max_retries + 1):
            try:
                response = await self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if attempt == self.settings.max_retries:
                    raise SalesforceError(
                        f"Salesforce cannot be reached: {type(exc).__name__}"
                    ) from None
                await self._wait(attempt, None)
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.settings.max_retries:
                await self._wait(attempt, response.headers.get("Retry-After"))
                continue
            return response
        raise AssertionError("unreachable")

    async def _wait(self, attempt: int, retry_after: str | None) -> None:
        self.retries += 1
        try:
            delay = float(retry_after) if retry_after is not None else 0.5 * 2**attempt
        except ValueError:
            delay = 0.5 * 2**attempt
        await asyncio.sleep(min(max(delay, 0.0), self.settings.max_backoff_seconds))


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}
