"""Profile changes of client contacts over GraphQL: the endpoint a profile source (or a
webhook relaying one) calls. The domain rules live in `graph/profiles.py`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from graph import profiles
from resolvers.actor import actor_of
from resolvers.context import Info
from resolvers.problems import (
    ConflictProblem,
    ForbiddenProblem,
    NotFoundProblem,
    ValidationProblem,
    attempt,
    rejected,
)
from resolvers.sections import AUTHENTICATED, meta, sectioned


@strawberry.input(
    description="A change seen on a contact's profile; give contactId or linkedinUrl."
)
class ProfileChangeInput:
    contact_id: strawberry.ID | None = None
    linkedin_url: str | None = strawberry.field(
        default=None, description="Finds the contact when the source knows no id of ours."
    )
    title: str | None = None
    company: str | None = None
    url: str | None = strawberry.field(default=None, description="The new profile address.")
    at: date | None = strawberry.field(
        default=None, description="When it changed (today if not given)."
    )
    source: str = "manual"


@sectioned(AUTHENTICATED)
@strawberry.type(description="What a profile change meant.")
class ProfileChangePayload:
    contact_id: strawberry.ID
    contact_name: str
    changes: list[strawberry.scalars.JSON] = strawberry.field(
        description="The history entries written: {at, source, by, field, from, to}; empty when "
        "nothing changed."
    )
    left_account_id: strawberry.ID | None = strawberry.field(
        description="The account the contact left, if the new company is not the client's."
    )
    key_person_left: bool = strawberry.field(
        description="A decision maker, influencer, champion or blocker left: a new coverage gap."
    )
    joined_account_id: strawberry.ID | None = strawberry.field(
        description="Another key account the contact joined: a path in when we know them."
    )
    known_by: list[str] = strawberry.field(description="Our people who know the contact.")


ProfileChangeResult = Annotated[
    ProfileChangePayload | ValidationProblem | NotFoundProblem | ConflictProblem | ForbiddenProblem,
    strawberry.union("ProfileChangeResult"),
]


@strawberry.type
class ProfileMutations:
    @strawberry.mutation(
        metadata=meta("contact.profile"),
        description="Record a change of a contact's title, company or profile URL, keep it in "
        "the contact's history, and raise what it means (a key person left; a known person "
        "joined another key account).",
    )
    async def record_profile_change(
        self, info: Info, input: ProfileChangeInput
    ) -> ProfileChangeResult:
        if (input.contact_id is None) == (input.linkedin_url is None):
            return rejected("give exactly one of 'contactId' and 'linkedinUrl'", "contactId")
        if len(input.source) > 60:
            return rejected("'source' must have at most 60 characters", "source")
        change = profiles.ProfileChange(
            contact_id=str(input.contact_id) if input.contact_id else None,
            linkedin_url=input.linkedin_url,
            title=input.title,
            company=input.company,
            url=input.url,
            at=input.at,
            source=input.source,
        )
        result = await attempt(
            profiles.record_change(info.context.db, actor_of(info), info.context.scope, change)
        )
        if not isinstance(result, profiles.ProfileOutcome):
            return result
        return ProfileChangePayload(
            contact_id=strawberry.ID(result.contact_id),
            contact_name=result.contact_name,
            changes=result.changes,  # type: ignore[arg-type]
            left_account_id=strawberry.ID(result.left_account_id)
            if result.left_account_id
            else None,
            key_person_left=result.key_person_left,
            joined_account_id=strawberry.ID(result.joined_account_id)
            if result.joined_account_id
            else None,
            known_by=result.known_by,
        )
