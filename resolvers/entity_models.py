"""The properties each node and link kind accepts, as pydantic models: an unknown or invalid
property is refused, naming it, before anything is written (used by resolvers/entities.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=2000)]
Share = Annotated[float, Field(ge=0, le=1)]
# An address as activity capture matches it (graph/capture.py): lower case.
Email = Annotated[
    str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254), AfterValidator(str.lower)
]


class _Props(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    REQUIRED: frozenset[str] = frozenset({"name"})


class AccountProps(_Props):
    name: Name | None = None
    segment: Name | None = None
    industry: Name | None = None
    tier: Literal["A", "B", "C"] | None = None
    status: Literal["ACTIVE", "PROSPECT", "DORMANT"] | None = None
    marketPotential: Annotated[float, Field(ge=0, le=1e13)] | None = None


class UnitProps(_Props):
    REQUIRED: frozenset[str] = frozenset({"name", "level"})
    name: Name | None = None
    level: Literal["GLOBAL", "REGIONAL", "NATIONAL", "STATE"] | None = None
    country: Name | None = None
    region: Name | None = None


class ContactProps(_Props):
    name: Name | None = None
    title: Name | None = None
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)] | None = (
        None
    )
    phone: Annotated[str, Field(pattern=r"^\+?[0-9 ()./-]{4,30}$")] | None = None
    linkedinUrl: (
        Annotated[
            str, Field(pattern=r"^https://([a-z]{2,3}\.)?linkedin\.com/in/[A-Za-z0-9_%-]+/?$")
        ]
        | None
    ) = None
    buyingRole: (
        Literal["DECISION_MAKER", "INFLUENCER", "CHAMPION", "BLOCKER", "GATEKEEPER", "USER"] | None
    ) = None
    location: Name | None = None
    emailAliases: list[Email] | None = Field(default=None, max_length=20)


class ProjectProps(_Props):
    REQUIRED: frozenset[str] = frozenset({"name", "kind"})
    name: Name | None = None
    kind: Literal["ATTACK", "DEFEND", "PROGRESSIVE"] | None = None
    status: Literal["OPEN", "WON", "LOST", "ON_HOLD"] | None = None
    stage: Name | None = None
    value: Annotated[float, Field(ge=0, le=1e13)] | None = None
    nextStep: Text | None = None


class NeedProps(_Props):
    name: Name | None = None
    description: Text | None = None


class MemberProps(_Props):
    name: Name | None = None
    title: Name | None = None
    function: Name | None = None
    segments: list[Name] | None = Field(default=None, max_length=20)
    email: Email | None = None
    emailAliases: list[Email] | None = Field(default=None, max_length=20)


class NamedProps(_Props):
    name: Name | None = None


class DivisionProps(_Props):
    name: Name | None = None
    level: Literal["GLOBAL", "REGIONAL", "NATIONAL", "STATE"] | None = None
    kind: Literal["GEOGRAPHIC", "CULTURAL", "MARKET"] | None = None


class PlanProps(_Props):
    REQUIRED: frozenset[str] = frozenset()
    status: Literal["ACTIVE", "CLOSED"] | None = None


class ReviewProps(_Props):
    REQUIRED: frozenset[str] = frozenset()
    findings: Annotated[str, Field(min_length=1, max_length=10000)] | None = None


class ActionProps(_Props):
    REQUIRED: frozenset[str] = frozenset()
    title: Name | None = None
    due: date | None = None


class InteractionProps(_Props):
    REQUIRED: frozenset[str] = frozenset()
    channel: Literal["MEETING", "CALL", "VIDEO", "EMAIL", "EVENT", "OTHER"] | None = None
    summary: Annotated[str, Field(min_length=1, max_length=5000)] | None = None


NODE_MODELS: dict[str, type[_Props]] = {
    "ACCOUNT": AccountProps,
    "CLIENT_UNIT": UnitProps,
    "CONTACT": ContactProps,
    "PROJECT": ProjectProps,
    "NEED": NeedProps,
    "TEAM_MEMBER": MemberProps,
    "FUNCTIONAL_AREA": NamedProps,
    "GEO_DIVISION": DivisionProps,
    "COMPETITOR": NamedProps,
    "PARTNER": NamedProps,
    "CAPABILITY": NamedProps,
    "PLAN": PlanProps,
    "REVIEW": ReviewProps,
    "ACTION": ActionProps,
    "INTERACTION": InteractionProps,
}


class _Link(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InfluenceProps(_Link):
    strength: Share
    note: Text | None = None


class DecidesProps(_Link):
    role: Literal["DECISION_MAKER", "INFLUENCER", "CHAMPION", "BLOCKER", "GATEKEEPER", "USER"]


class ReportsProps(_Link):
    kind: Literal["SOLID", "DOTTED", "MATRIX"] = "SOLID"


class OnTeamProps(_Link):
    role: Literal[
        "ACCOUNT_MANAGER",
        "CATEGORY_MANAGER",
        "INTELLIGENCE",
        "MARKET_RESEARCH",
        "CONTROLLING",
        "CUSTOMER_SUPPORT",
        "PRODUCT_DEVELOPMENT",
        "MARKETING",
    ]
    start: date = Field(alias="from")
    until: date | None = None

    @model_validator(mode="after")
    def _window(self) -> OnTeamProps:
        if self.until is not None and self.until < self.start:
            raise ValueError("'until' must not be before 'from'")
        return self


class KnowsProps(_Link):
    strength: Share
    since: date | None = None


class CompetesProps(_Link):
    share: Share
    position: Literal["LEADER", "CHALLENGER", "NICHE", "FOLLOWER"] | None = None


LINK_MODELS: dict[str, type[_Link]] = {
    "INFLUENCES": InfluenceProps,
    "DECIDES": DecidesProps,
    "REPORTS_TO": ReportsProps,
    "ON_TEAM": OnTeamProps,
    "KNOWS": KnowsProps,
    "COMPETES_AT": CompetesProps,
}
