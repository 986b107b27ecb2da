"""Salesforce records as we read them (validated), the buying-role mapping, and the merge
of a synced field with an edit made here (`merge_fields` against the values Salesforce gave
last time, `synced_base`: the KAM team's edit wins)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

SOURCE: Final = "salesforce"
SF_ID = re.compile(r"^[A-Za-z0-9]{15,18}$")
LEVELS: Final = ["GLOBAL", "REGIONAL", "NATIONAL", "STATE"]
ROLES: Final = {
    "decision maker": "DECISION_MAKER",
    "economic decision maker": "DECISION_MAKER",
    "economic buyer": "DECISION_MAKER",
    "executive sponsor": "CHAMPION",
    "influencer": "INFLUENCER",
    "technical buyer": "INFLUENCER",
    "evaluator": "INFLUENCER",
    "business user": "USER",
    "other": "USER",
}


def role_of(sf_role: str | None) -> str:
    """Our buying role for a Salesforce contact role (unknown ones count as USER)."""
    return ROLES.get((sf_role or "").strip().lower(), "USER")


class SfRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    Id: str = Field(pattern=SF_ID.pattern)
    SystemModstamp: datetime

    @field_validator("SystemModstamp")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return v if v.tzinfo else v.replace(tzinfo=UTC)


class SfAccount(SfRecord):
    Name: str = Field(min_length=1, max_length=255)
    ParentId: str | None = Field(default=None, pattern=SF_ID.pattern)
    Industry: str | None = Field(default=None, max_length=255)
    BillingCountry: str | None = Field(default=None, max_length=80)


class SfContact(SfRecord):
    AccountId: str | None = Field(default=None, pattern=SF_ID.pattern)
    FirstName: str | None = Field(default=None, max_length=80)
    LastName: str = Field(min_length=1, max_length=80)
    Title: str | None = Field(default=None, max_length=128)
    Email: str | None = Field(default=None, max_length=254)
    Phone: str | None = Field(default=None, max_length=40)
    ReportsToId: str | None = Field(default=None, pattern=SF_ID.pattern)


class SfOpportunity(SfRecord):
    AccountId: str | None = Field(default=None, pattern=SF_ID.pattern)
    Name: str = Field(min_length=1, max_length=120)
    StageName: str = Field(min_length=1, max_length=255)
    Amount: float | None = Field(default=None, ge=0, le=1e15)
    CloseDate: date | None = None
    IsClosed: bool = False
    IsWon: bool = False
    Type: str | None = Field(default=None, max_length=255)


class SfContactRole(SfRecord):
    OpportunityId: str = Field(pattern=SF_ID.pattern)
    ContactId: str = Field(pattern=SF_ID.pattern)
    Role: str | None = Field(default=None, max_length=80)
    IsPrimary: bool = False


# -- field merge ------------------------------------------------------------------------------


def merge_fields(
    node_id: str,
    current: Mapping[str, Any] | None,
    base: Mapping[str, Any],
    theirs: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """What to write, the new base, and the conflicts, for one node's synced fields.

    A field whose value here differs from the base was edited here and is kept; if Salesforce
    changed it too (to something else), that is a conflict, reported once."""
    if current is None:
        return dict(theirs), dict(theirs), []
    write: dict[str, Any] = {}
    new_base = dict(base)
    conflicts: list[dict[str, Any]] = []
    for name, remote in theirs.items():
        local = current.get(name)
        known = name in base
        edited_here = known and local != base[name]
        if not edited_here:
            write[name] = remote
        elif remote != base[name] and remote != local:
            conflicts.append(
                {
                    "id": f"{node_id}:{name}:{_stamp(remote)}",
                    "nodeId": node_id,
                    "field": name,
                    "kept": _plain(local),
                    "theirs": _plain(remote),
                }
            )
        new_base[name] = remote
    return write, new_base, conflicts


def synced_base(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """The values Salesforce gave last time (`sfBase`), as stored on a synced node."""
    if not props or not props.get("sfBase"):
        return {}
    try:
        loaded = json.loads(props["sfBase"])
    except (TypeError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _stamp(value: Any) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(_plain(value)))[:60]


def sync_issue(obj: str, record_id: Any, reason: str) -> dict[str, Any]:
    rid = str(record_id) if isinstance(record_id, str) and SF_ID.match(record_id) else None
    return {
        "id": f"{obj}:{rid or 'unknown'}:{_stamp(reason)}",
        "object": obj,
        "recordId": rid,
        "reason": reason[:300],
    }
