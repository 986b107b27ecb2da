"""The closed set of node and link kinds the API writes: for each node kind its label, its
need-to-know section and how it hangs off an account (for row scope); for each link kind its
type, its two ends and its section (graph/entities.py composes Cypher from these alone)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from graph.model import Label, Rel


class NodeKindName(StrEnum):
    ACCOUNT = "ACCOUNT"
    CLIENT_UNIT = "CLIENT_UNIT"
    CONTACT = "CONTACT"
    PROJECT = "PROJECT"
    NEED = "NEED"
    TEAM_MEMBER = "TEAM_MEMBER"
    FUNCTIONAL_AREA = "FUNCTIONAL_AREA"
    GEO_DIVISION = "GEO_DIVISION"
    COMPETITOR = "COMPETITOR"
    PARTNER = "PARTNER"
    CAPABILITY = "CAPABILITY"
    PLAN = "PLAN"
    REVIEW = "REVIEW"
    ACTION = "ACTION"
    INTERACTION = "INTERACTION"


# Kinds with their own create mutation (startPlan, recordReview, logInteraction); the generic
# engine updates, archives and restores them.
CREATED_ELSEWHERE: Final = {
    "PLAN": "startPlan",
    "REVIEW": "recordReview",
    "ACTION": "recordReview (actions)",
    "INTERACTION": "logInteraction",
}


class LinkKindName(StrEnum):
    UNIT_PARENT_OF = "UNIT_PARENT_OF"
    WORKS_IN = "WORKS_IN"
    REPORTS_TO = "REPORTS_TO"
    INFLUENCES = "INFLUENCES"
    DECIDES = "DECIDES"
    ON_TEAM = "ON_TEAM"
    MIRRORS = "MIRRORS"
    IN_AREA = "IN_AREA"
    COVERS = "COVERS"
    DIVISION_PARENT_OF = "DIVISION_PARENT_OF"
    KNOWS = "KNOWS"
    COMPETES_AT = "COMPETES_AT"
    REQUIRES = "REQUIRES"
    AREA_OFFERS = "AREA_OFFERS"
    PARTNER_OFFERS = "PARTNER_OFFERS"
    WITH_PARTNER = "WITH_PARTNER"
    OWNED_BY = "OWNED_BY"


@dataclass(frozen=True)
class NodeKind:
    label: Label
    section: str
    prefix: str
    # How the node reaches its account `a` from `n` (None: not account-scoped), and how a new
    # one is attached to its parent on create: (relationship, parent label, parent -> node?).
    to_account: str | None
    parent: tuple[Rel, Label, bool] | None = None


NODE_KINDS: Final[dict[str, NodeKind]] = {
    "ACCOUNT": NodeKind(Label.ACCOUNT, "account.profile", "acc", ""),
    "CLIENT_UNIT": NodeKind(
        Label.CLIENT_UNIT,
        "org.structure",
        "unit",
        "(n)<-[:HAS_UNIT]-(a:Account)",
        (Rel.HAS_UNIT, Label.ACCOUNT, True),
    ),
    "CONTACT": NodeKind(
        Label.CONTACT,
        "contact.profile",
        "con",
        "(n)-[:WORKS_IN]->(:ClientUnit)<-[:HAS_UNIT]-(a:Account)",
        (Rel.WORKS_IN, Label.CLIENT_UNIT, False),
    ),
    "PROJECT": NodeKind(
        Label.PROJECT,
        "projects",
        "prj",
        "(n)<-[:HAS_PROJECT]-(a:Account)",
        (Rel.HAS_PROJECT, Label.ACCOUNT, True),
    ),
    "NEED": NodeKind(
        Label.NEED,
        "partners",
        "need",
        "(n)<-[:HAS_NEED]-(a:Account)",
        (Rel.HAS_NEED, Label.ACCOUNT, True),
    ),
    "TEAM_MEMBER": NodeKind(Label.TEAM_MEMBER, "team.matrix", "tm", None),
    "FUNCTIONAL_AREA": NodeKind(Label.FUNCTIONAL_AREA, "team.matrix", "area", None),
    "GEO_DIVISION": NodeKind(Label.GEO_DIVISION, "team.matrix", "geo", None),
    "COMPETITOR": NodeKind(Label.COMPETITOR, "competition", "comp", None),
    "PARTNER": NodeKind(Label.PARTNER, "partners", "partner", None),
    "CAPABILITY": NodeKind(Label.CAPABILITY, "partners", "cap", None),
    "PLAN": NodeKind(Label.PLAN, "plan.strategy", "plan", "(n)<-[:HAS_PLAN]-(a:Account)"),
    "REVIEW": NodeKind(
        Label.REVIEW,
        "plan.reviews",
        "review",
        "(n)<-[:REVIEWED_IN]-(:Plan)<-[:HAS_PLAN]-(a:Account)",
    ),
    "ACTION": NodeKind(
        Label.ACTION,
        "plan.reviews",
        "action",
        "(n)<-[:HAS_ACTION]-(:Review)<-[:REVIEWED_IN]-(:Plan)<-[:HAS_PLAN]-(a:Account)",
    ),
    "INTERACTION": NodeKind(Label.INTERACTION, "interactions", "int", "(n)-[:ABOUT]->(a:Account)"),
}


@dataclass(frozen=True)
class LinkKind:
    rel: Rel
    source: str  # node kind
    target: str
    section: str


LINK_KINDS: Final[dict[str, LinkKind]] = {
    "UNIT_PARENT_OF": LinkKind(Rel.PARENT_OF, "CLIENT_UNIT", "CLIENT_UNIT", "org.structure"),
    "WORKS_IN": LinkKind(Rel.WORKS_IN, "CONTACT", "CLIENT_UNIT", "contact.profile"),
    "REPORTS_TO": LinkKind(Rel.REPORTS_TO, "CONTACT", "CONTACT", "contact.profile"),
    "INFLUENCES": LinkKind(Rel.INFLUENCES, "CONTACT", "CONTACT", "network.influence"),
    "DECIDES": LinkKind(Rel.DECIDES, "CONTACT", "PROJECT", "network.influence"),
    "ON_TEAM": LinkKind(Rel.ON_TEAM, "TEAM_MEMBER", "ACCOUNT", "team.matrix"),
    "MIRRORS": LinkKind(Rel.MIRRORS, "TEAM_MEMBER", "CLIENT_UNIT", "team.matrix"),
    "IN_AREA": LinkKind(Rel.IN_AREA, "TEAM_MEMBER", "FUNCTIONAL_AREA", "team.matrix"),
    "COVERS": LinkKind(Rel.COVERS, "TEAM_MEMBER", "GEO_DIVISION", "team.matrix"),
    "DIVISION_PARENT_OF": LinkKind(Rel.PARENT_OF, "GEO_DIVISION", "GEO_DIVISION", "team.matrix"),
    "KNOWS": LinkKind(Rel.KNOWS, "TEAM_MEMBER", "CONTACT", "network.influence"),
    "COMPETES_AT": LinkKind(Rel.COMPETES_AT, "COMPETITOR", "ACCOUNT", "competition"),
    "REQUIRES": LinkKind(Rel.REQUIRES, "NEED", "CAPABILITY", "partners"),
    "AREA_OFFERS": LinkKind(Rel.OFFERS, "FUNCTIONAL_AREA", "CAPABILITY", "partners"),
    "PARTNER_OFFERS": LinkKind(Rel.OFFERS, "PARTNER", "CAPABILITY", "partners"),
    "WITH_PARTNER": LinkKind(Rel.WITH_PARTNER, "PROJECT", "PARTNER", "partners"),
    "OWNED_BY": LinkKind(Rel.OWNED_BY, "ACTION", "TEAM_MEMBER", "plan.reviews"),
}
# A contact works in one unit, an action has one owner: linking anew moves it.
SINGLE_TARGET: Final = frozenset({"OWNED_BY", "WORKS_IN"})
