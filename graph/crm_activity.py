"""Salesforce activities into the interaction history: Tasks and Events, through the capture core.

Each closed Task and each Event becomes an `Interaction` about the account of its contacts
(`WhoId`, and `TaskRelations`/`EventRelations` where the org has shared activities), `BY` the
team member whose Salesforce user (`salesforceUserId`) or address matches its owner (or an
invited user). Keyed by the Salesforce id, so a second sync changes nothing; a deleted row
(read through `queryAll`, `IsDeleted`) archives what an earlier sync stored. An activity with
no synced contact is not stored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph.capture import write_batch
from graph.capture_items import Activity, normalise_email
from graph.capture_match import Directory
from graph.driver import Transaction
from graph.writes import Actor

SF_ID: Final = r"^[A-Za-z0-9]{15,18}$"
CONTACT_PREFIX: Final = "003"
USER_PREFIX: Final = "005"
CHANNELS: Final = {"call": "CALL", "email": "EMAIL", "meeting": "MEETING", "video": "VIDEO"}
ACTOR: Final = Actor(user_id=None, username="sync:salesforce", request_id="sync")


class _Owner(BaseModel):
    model_config = ConfigDict(extra="ignore")
    Email: str | None = None


class _Relation(BaseModel):
    model_config = ConfigDict(extra="ignore")
    RelationId: str = Field(pattern=SF_ID)
    IsWhat: bool = False


class _Relations(BaseModel):
    model_config = ConfigDict(extra="ignore")
    records: list[_Relation] = Field(default_factory=list, max_length=1000)


class SfActivity(BaseModel):
    """What Tasks and Events share."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    Id: str = Field(pattern=SF_ID)
    SystemModstamp: datetime
    WhoId: str | None = Field(default=None, pattern=SF_ID)
    WhatId: str | None = Field(default=None, pattern=SF_ID)
    OwnerId: str | None = Field(default=None, pattern=SF_ID)
    Owner: _Owner | None = None
    Subject: str | None = Field(default=None, max_length=255)
    Type: str | None = Field(default=None, max_length=255)
    ActivityDate: date | None = None
    IsDeleted: bool = False

    @field_validator("SystemModstamp")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return v if v.tzinfo else v.replace(tzinfo=UTC)

    def when(self) -> datetime | None:
        return datetime.combine(self.ActivityDate, time(0), UTC) if self.ActivityDate else None

    def relations(self) -> list[_Relation]:
        return []

    def channel(self) -> str:
        return CHANNELS.get((self.Type or "").strip().lower(), "OTHER")

    def open(self) -> bool:
        return False


class SfTask(SfActivity):
    TaskSubtype: str | None = Field(default=None, max_length=40)
    CompletedDateTime: datetime | None = None
    IsClosed: bool = False
    TaskRelations: _Relations | None = None

    def when(self) -> datetime | None:
        return self.CompletedDateTime or super().when()

    def relations(self) -> list[_Relation]:
        return self.TaskRelations.records if self.TaskRelations else []

    def channel(self) -> str:
        subtype = CHANNELS.get((self.TaskSubtype or "").strip().lower())
        return subtype or super().channel()

    def open(self) -> bool:
        return not self.IsClosed  # a to-do, not a contact moment (yet)


class SfEvent(SfActivity):
    StartDateTime: datetime | None = None
    IsAllDayEvent: bool = False
    EventRelations: _Relations | None = None

    def when(self) -> datetime | None:
        return self.StartDateTime or super().when()

    def relations(self) -> list[_Relation]:
        return self.EventRelations.records if self.EventRelations else []

    def channel(self) -> str:
        return CHANNELS.get((self.Type or "").strip().lower(), "MEETING")


# Field lists are ours (no input); the child subqueries read shared activities' relations.
TASK_FIELDS: Final = (
    "Id, WhoId, WhatId, OwnerId, Owner.Email, Subject, Type, ActivityDate, IsDeleted, "
    "SystemModstamp, TaskSubtype, CompletedDateTime, IsClosed, "
    "(SELECT RelationId, IsWhat FROM TaskRelations)"
)
EVENT_FIELDS: Final = (
    "Id, WhoId, WhatId, OwnerId, Owner.Email, Subject, Type, ActivityDate, IsDeleted, "
    "SystemModstamp, StartDateTime, IsAllDayEvent, "
    "(SELECT RelationId, IsWhat FROM EventRelations)"
)


def to_activity(record: SfActivity, directory: Directory) -> Activity | None:
    """The activity a record stands for, or None (an open task, or no date)."""
    at = record.when()
    if not record.IsDeleted and (record.open() or at is None):
        return None
    people = [r.RelationId for r in record.relations() if not r.IsWhat]
    if record.WhoId:
        people.append(record.WhoId)
    users = [p for p in people if p.startswith(USER_PREFIX)]
    if record.OwnerId:
        users.append(record.OwnerId)
    owner_email = normalise_email(record.Owner.Email if record.Owner else None)
    return Activity(
        source="salesforce",
        source_id=record.Id,
        at=at or record.SystemModstamp,
        channel=record.channel(),
        subject=record.Subject,
        position=f"{type(record).__name__[2:]} {record.Id}",
        member_emails=(owner_email,) if owner_email else (),
        member_ids=tuple(sorted({directory.sf_users[u] for u in users if u in directory.sf_users})),
        contact_ids=tuple(sorted({f"sf-{p}" for p in people if p.startswith(CONTACT_PREFIX)})),
        source_version=record.SystemModstamp.timestamp(),
        cancelled=record.IsDeleted,
    )


async def apply_activities(
    tx: Transaction,
    records: list[SfActivity],
    issues: list[dict[str, Any]],
    conflicts: list[dict[str, Any]],
    now: datetime,
) -> int:
    """One page of Tasks or Events into interactions; returns how many were written."""
    directory = await Directory.load(tx.run, contacts=False)
    activities = [a for r in records if (a := to_activity(r, directory)) is not None]
    if not activities:
        return 0
    report = await write_batch(tx, directory, activities, ACTOR, now)
    return report.captured + report.cancelled
