"""Which need-to-know section each stored property and each derived value belongs to.

One registry, read by every write path (create, update, link, plan patches: `write_denied`)
and by every value computed from other values (`DERIVED`). The policy file says who may
read or write a section; this module says what is in it. Pure data: it imports nothing of
the graph layer, so `graph/` may read it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

# The one account-plan template: field -> section (the closed set of plan properties).
PLAN_FIELDS: Final[dict[str, str]] = {
    "opportunities": "competition",  # (a) competitive environment
    "threats": "competition",
    "decisionProcess": "plan.strategy",  # (b) how decisions are made (people come from the graph)
    "processStatus": "plan.strategy",  # (c) ongoing processes and negotiations
    "leadersView": "plan.strategy",  # (d) how the client's leaders see market, rivals, themselves
    "valuesBeliefs": "plan.strategy",  # (e)
    "capabilities": "plan.strategy",  # (f)
    "currentStrategy": "plan.strategy",  # (g)
    "futureStrategy": "plan.strategy",
    "internalProcesses": "plan.strategy",  # (h)
    "shareOfWalletGoal": "plan.share_of_wallet",
    "shareOfWalletActual": "plan.share_of_wallet",
    "revenueGoal": "plan.financial_goals",
    "marginGoal": "plan.financial_goals",
}
PLAN_SECTIONS: Final = tuple(sorted(set(PLAN_FIELDS.values())))

# Properties of a node kind whose section is not the kind's own: reading or writing one
# needs that section's right too. Every other property is in the kind's section.
PROPERTY_SECTIONS: Final[dict[str, dict[str, str]]] = {
    "ACCOUNT": {"marketPotential": "account.market_potential"},
    "CONTACT": {
        "email": "contact.reach",
        "emailAliases": "contact.reach",
        "phone": "contact.reach",
        "linkedinUrl": "contact.reach",
    },
    "PLAN": PLAN_FIELDS,
}

# A review KPI or change is in the section of what it names. Names are compared in lower
# case, ASCII letters and digits only. A plan field's name is that field's section; a name
# with a goal's word is that goal's ("Revenue (EUR)", "gross margin"); a name with a word of
# the review's own business (meetings, visits, coverage …) is the review's section. Anything
# else (another language, a look-alike letter, an abbreviation) may be a money figure: it is
# in the financial goals' section, so a guess can only hide a KPI, never show one.
GOAL_WORDS: Final[tuple[tuple[str, str], ...]] = (
    ("shareofwallet", "plan.share_of_wallet"),
    ("wallet", "plan.share_of_wallet"),
    ("sow", "plan.share_of_wallet"),
    ("revenue", "plan.financial_goals"),
    ("margin", "plan.financial_goals"),
    ("turnover", "plan.financial_goals"),
    ("sales", "plan.financial_goals"),
    ("profit", "plan.financial_goals"),
    ("ebit", "plan.financial_goals"),
    ("income", "plan.financial_goals"),
)
REVIEW_SECTION: Final = "plan.reviews"
UNRECOGNISED_SECTION: Final = "plan.financial_goals"
REVIEW_WORDS: Final = (
    "meeting",
    "visit",
    "call",
    "contact",
    "coverage",
    "interaction",
    "satisfaction",
    "nps",
    "csat",
    "milestone",
    "project",
    "action",
    "review",
    "cadence",
    "workshop",
    "training",
    "ticket",
    "incident",
    "delivery",
    "quality",
    "complaint",
    "headcount",
)
_PLAN_KEYS: Final = {
    "".join(ch for ch in f.lower() if ch.isalnum()): s for f, s in PLAN_FIELDS.items()
}


def _key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())


def version_property(section: str) -> str:
    """The node property counting the changes of one section (`versionAccountMarketPotential`):
    a node whose properties span several sections shows each caller a version made only of
    the sections they read (`Conflict.currentVersion` never moves with a hidden change)."""
    return "version" + "".join(p.title() for p in section.replace("_", ".").split("."))


def node_version(props: Mapping[str, Any], sections: Iterable[str]) -> int:
    """The version of a node as a caller who reads these sections sees it."""
    return 1 + sum(int(props.get(version_property(s)) or 0) for s in sections)


# Properties a grant's condition reads (`when: own_segment` reads the account's segment).
CONDITION_PROPERTIES: Final[dict[str, frozenset[str]]] = {"ACCOUNT": frozenset({"segment"})}


def kpi_section(name: str) -> str:
    """The section of a review KPI (or of a change a review names), by its name."""
    key = _key(name)
    if key in _PLAN_KEYS:
        return _PLAN_KEYS[key]
    if not name.isascii():
        return UNRECOGNISED_SECTION  # a look-alike letter may hide a goal's word
    goal = next((section for word, section in GOAL_WORDS if word in key), None)
    if goal is not None:
        return goal
    return REVIEW_SECTION if any(word in key for word in REVIEW_WORDS) else UNRECOGNISED_SECTION


def review_sections(kpi_names: Iterable[str], changed_fields: Iterable[str]) -> list[str]:
    """The sections a review with these KPIs and changes to plan fields touches."""
    found = {REVIEW_SECTION, *(kpi_section(n) for n in kpi_names)}
    found |= {kpi_section(f) for f in changed_fields}
    return sorted(found)


def property_sections(kind: str, own_section: str | None, names: Iterable[str]) -> list[str]:
    """The sections a write of these properties of a node kind touches, in a fixed order
    (`own_section` None: a kind all of whose properties have their own, like a plan)."""
    extra = PROPERTY_SECTIONS.get(kind, {})
    found = {extra.get(name, own_section) for name in names}
    if own_section is not None:
        found.add(own_section)
    return sorted(s for s in found if s is not None)


def write_denied(can_write: Callable[[str], bool], sections: Iterable[str]) -> str | None:
    """The first of the sections a write touches that the caller may not write, or None: the
    one gate every write path (create, update, link, plan patch, review) goes through."""
    for section in sections:
        if not can_write(section):
            return section
    return None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# Input fields and enum values that name a restricted thing: a caller whose roles may not
# read the section does not see them in introspection (the schema they can see). A sort by
# such a value also needs an unconditional read of its section (resolvers/accounts.py):
# otherwise the order, and the cursor, would leak values the caller may not see.
INPUT_FIELD_SECTIONS: Final[dict[str, dict[str, str]]] = {
    "PlanPatch": {_camel(name): section for name, section in PLAN_FIELDS.items()},
}
ENUM_VALUE_SECTIONS: Final[dict[str, dict[str, str]]] = {
    "AccountSort": {"MARKET_POTENTIAL": "account.market_potential"},
}


@dataclass(frozen=True)
class Derived:
    """A value computed from others and the sections it reads: it is computed from the ones
    the caller may read only (`readable_inputs`)."""

    reads: tuple[str, ...]
    note: str


# Every derived field of the API, by `Type.field`. A test probes each: it changes only an
# input in a section a role may not read, and checks that role's answer does not move.
DERIVED: Final[Mapping[str, Derived]] = {
    "ProjectRisk.reasons": Derived(
        ("projects", "network.influence", "interactions"),
        "OVERDUE_MILESTONE from projects; NO_CHAMPION and BLOCKER from the buying centre "
        "(network.influence); NO_ACTIVITY from interactions (else the project's own changes)",
    ),
    "ProjectRisk.lastActivity": Derived(
        ("projects", "interactions"),
        "the project's last change, and the last interaction with its buying centre only "
        "for those who read interactions",
    ),
    "Review.kpis": Derived(
        (REVIEW_SECTION, "plan.financial_goals", "plan.share_of_wallet"),
        "a KPI mirroring a plan goal is shown only with that goal's section",
    ),
    "Review.changes": Derived(
        (REVIEW_SECTION, *PLAN_SECTIONS),
        "a change to a plan field is shown only with that field's section",
    ),
    "Plan.version": Derived(
        PLAN_SECTIONS,
        "counts the changes of the sections you may read",
    ),
    "Plan.updatedAt": Derived(
        PLAN_SECTIONS,
        "the last change of a section you may read",
    ),
    "PlanCompleteness.score": Derived(
        PLAN_SECTIONS, "the share of the fields you may read that are filled"
    ),
    "AccountComparison.planCompleteness": Derived(
        PLAN_SECTIONS, "the share of the fields you may read that are filled"
    ),
    "Conflict.currentVersion": Derived(
        ("account.profile", "account.market_potential"),
        "for a node whose properties span sections (an account, a contact): the changes of "
        "the sections you read",
    ),
    "Account.updatedAt": Derived(
        ("account.profile",),
        "moves only when a profile field changes (market potential keeps its own time)",
    ),
}


def readable_inputs(can_read: Callable[[str], bool], key: str) -> frozenset[str]:
    """The sections a derived value may be computed from for this caller."""
    return frozenset(s for s in DERIVED[key].reads if can_read(s))


def visible_kpis(can_read: Callable[[str], bool], kpis: Iterable[Any]) -> list[Any]:
    """The KPIs of a review whose section the caller may read (each a mapping with `name`)."""
    return [k for k in kpis if can_read(kpi_section(str(k["name"])))]
