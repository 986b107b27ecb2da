"""The deterministic demo and benchmark dataset generator.

Size S is the demo: four multinational accounts over all four unit levels (two with 500+
contacts), influence webs, buying centres, a matrix of team members, functional areas,
geographic and cultural divisions, competitors, partners and needs only partners can meet,
with coverage gaps left on purpose. M and L add generated accounts of the same shape.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.batch import merge_nodes, merge_rels
from graph.driver import Database
from graph.model import Label, Rel, Role, UnitLevel

SEED = 20261124
TODAY = datetime.now(UTC).date()

FUNCTIONAL_AREAS = [
    "Marketing",
    "Finance",
    "Product Development",
    "Production",
    "Competitive Intelligence",
    "Market Research",
    "Controlling",
    "Customer Support",
    "Operations",
]
CAPABILITIES = {
    "cap-analytics": ("Market analytics", "Market Research"),
    "cap-co-marketing": ("Co-marketing campaigns", "Marketing"),
    "cap-custom-product": ("Custom product variants", "Product Development"),
    "cap-capacity": ("Guaranteed production capacity", "Production"),
    "cap-cost-review": ("Joint cost reviews", "Controlling"),
    "cap-247-support": ("24/7 support desk", "Customer Support"),
    "cap-logistics": ("Vendor-managed inventory", "Operations"),
    "cap-ci-briefing": ("Competitor briefings", "Competitive Intelligence"),
    "cap-iot": ("IoT retrofit of installed base", None),
    "cap-esg-audit": ("ESG supply-chain audit", None),
    "cap-local-install": ("On-site installation in remote states", None),
}
PARTNERS = {
    "partner-sensiq": ("SensIQ Systems", ["cap-iot"]),
    "partner-greenledger": ("GreenLedger Audit", ["cap-esg-audit"]),
    "partner-fieldforce": ("FieldForce Services", ["cap-local-install", "cap-247-support"]),
    "partner-datapeak": ("DataPeak Analytics", ["cap-analytics", "cap-iot"]),
}
COMPETITORS = ["Vantor", "Crestline", "Oberon Supply", "Maxima Group", "Tessaly", "Kindred Works"]
REGIONS = {
    "EMEA": {
        "Germany": ["Bavaria", "Hesse", "Saxony", "Baden-Wuerttemberg", "North Rhine-Westphalia"],
        "France": ["Ile-de-France", "Occitanie", "Auvergne-Rhone-Alpes"],
        "United Kingdom": ["England", "Scotland", "Wales"],
        "Sweden": ["Stockholm", "Skane"],
    },
    "Americas": {
        "United States": [
            "California",
            "Texas",
            "New York",
            "Illinois",
            "Florida",
            "Georgia",
            "Ohio",
            "Washington",
        ],
        "Brazil": ["Sao Paulo", "Parana", "Minas Gerais"],
        "Canada": ["Ontario", "Quebec", "British Columbia"],
    },
    "APAC": {
        "Japan": ["Kanto", "Kansai", "Chubu"],
        "Australia": ["New South Wales", "Victoria", "Queensland"],
        "India": ["Maharashtra", "Karnataka", "Tamil Nadu", "Gujarat"],
    },
}
CULTURAL = {
    "geo-dach": ("DACH and Nordics", ["Germany", "Sweden"]),
    "geo-anglo": ("Anglosphere", ["United Kingdom", "United States", "Canada", "Australia"]),
}
DEMO_ACCOUNTS = [
    ("acc-nordwind", "Nordwind Industrial Group", "Industrial", "Machinery", "A", 1.0),
    ("acc-aurora", "Aurora Foods Global", "Consumer", "Food & Beverage", "A", 1.0),
    ("acc-helios", "Helios Energy", "Energy", "Utilities", "B", 0.45),
    ("acc-kestrel", "Kestrel Pharma", "Healthcare", "Pharmaceuticals", "B", 0.4),
]
SEGMENTS = ["Industrial", "Consumer", "Energy", "Healthcare", "Retail", "Technology"]
FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elif",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kira",
    "Liam",
    "Maya",
    "Nils",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Albers",
    "Brandt",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Meyer",
    "Nakamura",
    "Olsen",
    "Patel",
    "Quint",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Urban",
    "Vogel",
    "Weber",
    "Young",
    "Zimmer",
]
TITLES = {
    UnitLevel.GLOBAL: [
        "CEO",
        "CFO",
        "Chief Procurement Officer",
        "COO",
        "VP Strategy",
        "Head of R&D",
    ],
    UnitLevel.REGIONAL: ["Regional President", "Regional Procurement Director", "Regional CFO"],
    UnitLevel.NATIONAL: [
        "Country Manager",
        "Purchasing Manager",
        "Plant Director",
        "Finance Manager",
    ],
    UnitLevel.STATE: ["Site Manager", "Buyer", "Maintenance Lead", "Operations Lead"],
}
BUYING = ["DECISION_MAKER", "INFLUENCER", "CHAMPION", "BLOCKER", "GATEKEEPER", "USER"]
TEAM_ROLES = [r.value for r in Role if r not in (Role.ADMIN, Role.EXECUTIVE, Role.ACCOUNT_MANAGER)]


@dataclass(frozen=True)
class SizeSpec:
    generated_accounts: int
    contacts_per_generated: int


SIZES = {"S": SizeSpec(0, 0), "M": SizeSpec(196, 95), "L": SizeSpec(1996, 99)}


@dataclass
class Dataset:
    nodes: dict[Label, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    rels: dict[tuple[Rel, Label, Label], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def node(self, label: Label, id_: str, **props: Any) -> str:
        self.nodes[label].append({"id": id_, "props": props})
        return id_

    def rel(self, rel: Rel, source: Label, src: str, target: Label, dst: str, **props: Any) -> None:
        self.rels[(rel, source, target)].append({"from": src, "to": dst, "props": props})

    def count(self) -> tuple[int, int]:
        """Nodes and relationships as written: one per id, one per (type, from, to)."""
        return (
            sum(len({r["id"] for r in v}) for v in self.nodes.values()),
            sum(len({(r["from"], r["to"]) for r in v}) for v in self.rels.values()),
        )


@dataclass(frozen=True)
class SeedStats:
    nodes: int
    relationships: int
    seconds: float

    def summary(self) -> str:
        return f"{self.nodes} nodes, {self.relationships} relationships"


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _reference(ds: Dataset) -> dict[str, list[str]]:
    """Functional areas, divisions, capabilities, partners and competitors shared by all."""
    areas = {}
    for name in FUNCTIONAL_AREAS:
        areas[name] = ds.node(
            Label.FUNCTIONAL_AREA, "area-" + name.lower().replace(" ", "-"), name=name
        )
    for cap_id, (name, area) in CAPABILITIES.items():
        ds.node(Label.CAPABILITY, cap_id, name=name)
        if area:
            ds.rel(Rel.OFFERS, Label.FUNCTIONAL_AREA, areas[area], Label.CAPABILITY, cap_id)
    for pid, (name, caps) in PARTNERS.items():
        ds.node(Label.PARTNER, pid, name=name)
        for cap in caps:
            ds.rel(Rel.OFFERS, Label.PARTNER, pid, Label.CAPABILITY, cap)
    ds.node(
        Label.GEO_DIVISION,
        "geo-global",
        name="Global",
        level=UnitLevel.GLOBAL.value,
        kind="GEOGRAPHIC",
    )
    countries: dict[str, str] = {}
    for region, nations in REGIONS.items():
        rid = ds.node(
            Label.GEO_DIVISION,
            "geo-" + region.lower(),
            name=region,
            level="REGIONAL",
            kind="GEOGRAPHIC",
        )
        ds.rel(Rel.PARENT_OF, Label.GEO_DIVISION, "geo-global", Label.GEO_DIVISION, rid)
        for nation in nations:
            nid = ds.node(
                Label.GEO_DIVISION,
                "geo-" + _slug(nation),
                name=nation,
                level="NATIONAL",
                kind="GEOGRAPHIC",
            )
            ds.rel(Rel.PARENT_OF, Label.GEO_DIVISION, rid, Label.GEO_DIVISION, nid)
            countries[nation] = nid
            for state in nations[nation][:2]:  # state-level divisions where we sell by state
                sid = ds.node(
                    Label.GEO_DIVISION,
                    "geo-" + _slug(nation) + "-" + _slug(state),
                    name=state,
                    level="STATE",
                    kind="GEOGRAPHIC",
                )
                ds.rel(Rel.PARENT_OF, Label.GEO_DIVISION, nid, Label.GEO_DIVISION, sid)
    for gid, (name, members) in CULTURAL.items():
        ds.node(Label.GEO_DIVISION, gid, name=name, level="REGIONAL", kind="CULTURAL")
        for nation in members:
            ds.rel(Rel.PARENT_OF, Label.GEO_DIVISION, gid, Label.GEO_DIVISION, countries[nation])
    comps = [ds.node(Label.COMPETITOR, "comp-" + _slug(c), name=c) for c in COMPETITORS]
    return {"areas": list(areas.values()), "competitors": comps}


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def _account(
    ds: Dataset,
    rng: random.Random,
    acc_id: str,
    name: str,
    segment: str,
    industry: str,
    tier: str,
    scale: float,
    competitors: list[str],
    contact_budget: int | None = None,
) -> dict[str, Any]:
    """One client group: units on all four levels, contacts, influence, projects, needs."""
    ds.node(
        Label.ACCOUNT,
        acc_id,
        name=name,
        segment=segment,
        industry=industry,
        tier=tier,
        status="ACTIVE",
        marketPotential=float(round(rng.uniform(5, 80) * scale, 1) * 1_000_000),
    )
    units: list[tuple[str, UnitLevel, str]] = []
    g = ds.node(
        Label.CLIENT_UNIT,
        f"{acc_id}-u-global",
        name=f"{name} HQ",
        level="GLOBAL",
        country=None,
        region=None,
    )
    ds.rel(Rel.HAS_UNIT, Label.ACCOUNT, acc_id, Label.CLIENT_UNIT, g)
    units.append((g, UnitLevel.GLOBAL, "Global"))
    for region, nations in REGIONS.items():
        if contact_budget is not None and rng.random() < 0.3:
            continue
        r = ds.node(
            Label.CLIENT_UNIT,
            f"{acc_id}-u-{_slug(region)}",
            name=f"{name} {region}",
            level="REGIONAL",
            region=region,
        )
        ds.rel(Rel.HAS_UNIT, Label.ACCOUNT, acc_id, Label.CLIENT_UNIT, r)
        ds.rel(Rel.PARENT_OF, Label.CLIENT_UNIT, g, Label.CLIENT_UNIT, r)
        units.append((r, UnitLevel.REGIONAL, region))
        for nation, states in nations.items():
            if rng.random() > 0.35 + 0.65 * scale:
                continue
            n = ds.node(
                Label.CLIENT_UNIT,
                f"{acc_id}-u-{_slug(nation)}",
                name=f"{name} {nation}",
                level="NATIONAL",
                country=nation,
                region=region,
            )
            ds.rel(Rel.HAS_UNIT, Label.ACCOUNT, acc_id, Label.CLIENT_UNIT, n)
            ds.rel(Rel.PARENT_OF, Label.CLIENT_UNIT, r, Label.CLIENT_UNIT, n)
            units.append((n, UnitLevel.NATIONAL, nation))
            for state in states:
                s = ds.node(
                    Label.CLIENT_UNIT,
                    f"{acc_id}-u-{_slug(nation)}-{_slug(state)}",
                    name=f"{name} {state}",
                    level="STATE",
                    country=nation,
                    region=region,
                )
                ds.rel(Rel.HAS_UNIT, Label.ACCOUNT, acc_id, Label.CLIENT_UNIT, s)
                ds.rel(Rel.PARENT_OF, Label.CLIENT_UNIT, n, Label.CLIENT_UNIT, s)
                units.append((s, UnitLevel.STATE, state))
    per_level = {
        UnitLevel.GLOBAL: 40,
        UnitLevel.REGIONAL: 24,
        UnitLevel.NATIONAL: 20,
        UnitLevel.STATE: 20,
    }
    if contact_budget is not None:
        per_level = {
            lvl: max(1, contact_budget * w // 100)
            for lvl, w in {
                UnitLevel.GLOBAL: 16,
                UnitLevel.REGIONAL: 9,
                UnitLevel.NATIONAL: 6,
                UnitLevel.STATE: 5,
            }.items()
        }
    contacts: list[str] = []
    heads: dict[str, str] = {}
    parent_of = {
        r["to"]: r["from"]
        for r in ds.rels[(Rel.PARENT_OF, Label.CLIENT_UNIT, Label.CLIENT_UNIT)][-len(units) :]
    }
    n_contacts = 0
    for unit_id, level, place in units:
        count = max(2, int(per_level[level] * (scale if contact_budget is None else 1.0)))
        if contact_budget is not None and n_contacts + count > contact_budget:
            count = max(1, contact_budget - n_contacts)
        unit_contacts = []
        for i in range(count):
            cid = f"{unit_id}-c{i:03d}"
            person = _name(rng)
            title = (
                TITLES[level][i % len(TITLES[level])]
                if i < len(TITLES[level])
                else rng.choice(["Engineer", "Analyst", "Manager", "Specialist", "Coordinator"])
            )
            email = person.lower().replace(" ", ".") + f".{i}@{_slug(name)[:16]}.example"
            ds.node(
                Label.CONTACT,
                cid,
                name=person,
                title=title,
                email=email,
                phone=f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}",
                linkedinUrl=f"https://www.linkedin.com/in/{_slug(person)}-{cid[-6:]}",
                buyingRole=BUYING[i % 3] if i < 3 else "USER",
                location=place,
            )
            ds.rel(Rel.WORKS_IN, Label.CONTACT, cid, Label.CLIENT_UNIT, unit_id)
            unit_contacts.append(cid)
        n_contacts += count
        head = unit_contacts[0]
        heads[unit_id] = head
        for cid in unit_contacts[1:]:
            ds.rel(Rel.REPORTS_TO, Label.CONTACT, cid, Label.CONTACT, head, kind="SOLID")
        contacts.extend(unit_contacts)
    for unit_id, head in heads.items():
        parent = parent_of.get(unit_id)
        if parent in heads:
            ds.rel(Rel.REPORTS_TO, Label.CONTACT, head, Label.CONTACT, heads[parent], kind="SOLID")
    # Dotted-line reporting: some national heads also report to the global procurement chief.
    global_contacts = [c for c in contacts if c.startswith(f"{acc_id}-u-global-")]
    for unit_id, level, _ in units:
        if level is UnitLevel.NATIONAL and rng.random() < 0.3 and len(global_contacts) > 2:
            ds.rel(
                Rel.REPORTS_TO,
                Label.CONTACT,
                heads[unit_id],
                Label.CONTACT,
                global_contacts[2],
                kind="DOTTED",
            )
    # Influence web: mostly within a unit's neighbourhood, some long ties to the top.
    for i, cid in enumerate(contacts):
        for _ in range(3 if i % 2 else 2):
            other = contacts[min(len(contacts) - 1, max(0, i + rng.randint(-12, 12)))]
            if other != cid:
                ds.rel(
                    Rel.INFLUENCES,
                    Label.CONTACT,
                    cid,
                    Label.CONTACT,
                    other,
                    strength=round(rng.uniform(0.2, 0.95), 2),
                )
        if rng.random() < 0.05 and global_contacts:
            ds.rel(
                Rel.INFLUENCES,
                Label.CONTACT,
                cid,
                Label.CONTACT,
                rng.choice(global_contacts),
                strength=round(rng.uniform(0.3, 0.9), 2),
            )
    # Projects and buying centres.
    projects = []
    for k, kind in enumerate(
        ["ATTACK", "DEFEND", "PROGRESSIVE", "ATTACK"][: 4 if contact_budget is None else 2]
    ):
        pid = ds.node(
            Label.PROJECT,
            f"{acc_id}-p{k}",
            name=f"{name.split()[0]} {['Line retrofit', 'Frame contract renewal', 'Digital service pilot', 'New plant supply'][k]}",
            kind=kind,
            status="OPEN",
            stage=rng.choice(["QUALIFY", "PROPOSE", "NEGOTIATE"]),
            value=float(rng.randint(2, 60) * 100_000),
            nextStep="Workshop with the buying centre",
        )
        ds.rel(Rel.HAS_PROJECT, Label.ACCOUNT, acc_id, Label.PROJECT, pid)
        centre = rng.sample(contacts[: max(8, len(contacts) // 3)], min(6, len(contacts)))
        for j, cid in enumerate(centre):
            role = [
                "DECISION_MAKER",
                "INFLUENCER",
                "CHAMPION",
                "INFLUENCER",
                "BLOCKER",
                "GATEKEEPER",
            ][j]
            if k == 1 and role == "CHAMPION":
                role = "USER"  # a project with no champion, for coverage gaps and risk
            ds.rel(Rel.DECIDES, Label.CONTACT, cid, Label.PROJECT, pid, role=role)
        projects.append(pid)
    if projects and contact_budget is None:
        ds.rel(Rel.WITH_PARTNER, Label.PROJECT, projects[2], Label.PARTNER, "partner-sensiq")
    for comp in rng.sample(competitors, 3):
        ds.rel(
            Rel.COMPETES_AT,
            Label.COMPETITOR,
            comp,
            Label.ACCOUNT,
            acc_id,
            share=round(rng.uniform(0.05, 0.4), 2),
            position=rng.choice(["LEADER", "CHALLENGER", "NICHE"]),
        )
    caps = list(CAPABILITIES)
    for k in range(3 if contact_budget is None else 1):
        nid = ds.node(
            Label.NEED,
            f"{acc_id}-n{k}",
            name=f"Need {k + 1} of {name}",
            description="Raised in the last review",
        )
        ds.rel(Rel.HAS_NEED, Label.ACCOUNT, acc_id, Label.NEED, nid)
        ds.rel(
            Rel.REQUIRES,
            Label.NEED,
            nid,
            Label.CAPABILITY,
            caps[(k * 4 + len(acc_id)) % len(caps)] if k < 2 else "cap-esg-audit",
        )
    return {"units": units, "contacts": contacts, "heads": heads, "projects": projects}


def build(size: str = "S") -> Dataset:
    """The dataset of a size: S (the demo), M or L."""
    spec = SIZES[size]
    rng = random.Random(SEED)
    ds = Dataset()
    ref = _reference(ds)
    accounts: dict[str, dict[str, Any]] = {}
    segments: dict[str, str] = {}
    for acc_id, name, segment, industry, tier, scale in DEMO_ACCOUNTS:
        accounts[acc_id] = _account(
            ds, rng, acc_id, name, segment, industry, tier, scale, ref["competitors"]
        )
        segments[acc_id] = segment
    for n in range(spec.generated_accounts):
        acc_id = f"acc-g{n:05d}"
        segment = SEGMENTS[n % len(SEGMENTS)]
        accounts[acc_id] = _account(
            ds,
            rng,
            acc_id,
            f"Client {n:05d} Holding",
            segment,
            segment + " goods",
            "ABC"[n % 3],
            0.3,
            ref["competitors"],
            contact_budget=spec.contacts_per_generated,
        )
        segments[acc_id] = segment
    _team(ds, rng, accounts, segments, ref["areas"])
    _interactions(ds, rng, accounts)
    return ds


def _team(
    ds: Dataset,
    rng: random.Random,
    accounts: dict[str, dict[str, Any]],
    segments: dict[str, str],
    areas: list[str],
) -> None:
    """Our matrix: one account manager per account, functional people across many accounts."""
    since = TODAY - timedelta(days=400)
    demo_ids = [a[0] for a in DEMO_ACCOUNTS]
    area_for = {
        r: a
        for r, a in zip(
            TEAM_ROLES,
            [
                "area-marketing",
                "area-competitive-intelligence",
                "area-market-research",
                "area-controlling",
                "area-customer-support",
                "area-product-development",
                "area-marketing",
            ],
            strict=False,
        )
    }
    area_for[Role.CATEGORY_MANAGER.value] = "area-marketing"
    for acc_id in accounts:
        mid = ds.node(
            Label.TEAM_MEMBER,
            f"tm-am-{acc_id}",
            name=_name(rng),
            title="Key Account Manager",
            function="Sales",
            segments=[segments[acc_id]],
        )
        ds.rel(
            Rel.ON_TEAM,
            Label.TEAM_MEMBER,
            mid,
            Label.ACCOUNT,
            acc_id,
            role="ACCOUNT_MANAGER",
            **{"from": since, "until": None},
        )
        info = accounts[acc_id]
        ds.rel(Rel.MIRRORS, Label.TEAM_MEMBER, mid, Label.CLIENT_UNIT, info["units"][0][0])
        ds.rel(Rel.COVERS, Label.TEAM_MEMBER, mid, Label.GEO_DIVISION, "geo-global")
        for cid in info["contacts"][:: 7 if acc_id in demo_ids else 11][:40]:
            ds.rel(
                Rel.KNOWS,
                Label.TEAM_MEMBER,
                mid,
                Label.CONTACT,
                cid,
                strength=round(rng.uniform(0.4, 1.0), 2),
                since=since,
            )
        if acc_id in demo_ids:
            # Regional account managers mirror some regional units; the rest stay uncovered.
            regionals = [u for u in info["units"] if u[1] is UnitLevel.REGIONAL]
            for unit_id, _, region in regionals[:2]:
                rid = ds.node(
                    Label.TEAM_MEMBER,
                    f"tm-ram-{unit_id}",
                    name=_name(rng),
                    title=f"Regional Account Manager {region}",
                    function="Sales",
                    segments=[segments[acc_id]],
                )
                ds.rel(
                    Rel.ON_TEAM,
                    Label.TEAM_MEMBER,
                    rid,
                    Label.ACCOUNT,
                    acc_id,
                    role="ACCOUNT_MANAGER",
                    **{"from": since, "until": None},
                )
                ds.rel(Rel.MIRRORS, Label.TEAM_MEMBER, rid, Label.CLIENT_UNIT, unit_id)
                ds.rel(
                    Rel.COVERS, Label.TEAM_MEMBER, rid, Label.GEO_DIVISION, "geo-" + region.lower()
                )
                ds.rel(
                    Rel.KNOWS,
                    Label.TEAM_MEMBER,
                    rid,
                    Label.CONTACT,
                    info["heads"][unit_id],
                    strength=0.8,
                    since=since,
                )
    # Functional specialists: each sits on several accounts (the matrix).
    all_ids = list(accounts)
    for k, role in enumerate(TEAM_ROLES * 2):
        mid = ds.node(
            Label.TEAM_MEMBER,
            f"tm-{role.lower()}-{k}",
            name=_name(rng),
            title=role.replace("_", " ").title(),
            function=role,
            segments=[],
        )
        ds.rel(
            Rel.IN_AREA,
            Label.TEAM_MEMBER,
            mid,
            Label.FUNCTIONAL_AREA,
            area_for.get(role, rng.choice(areas)),
        )
        ds.rel(
            Rel.COVERS,
            Label.TEAM_MEMBER,
            mid,
            Label.GEO_DIVISION,
            rng.choice(["geo-emea", "geo-americas", "geo-apac", "geo-dach"]),
        )
        on = demo_ids[: 3 if k < len(TEAM_ROLES) else 2] if k < len(TEAM_ROLES) else demo_ids[2:]
        on = on + rng.sample(all_ids, min(len(all_ids), 20))[:20]
        for acc_id in dict.fromkeys(on):
            ds.rel(
                Rel.ON_TEAM,
                Label.TEAM_MEMBER,
                mid,
                Label.ACCOUNT,
                acc_id,
                role=role,
                **{"from": since, "until": None},
            )
            for cid in rng.sample(
                accounts[acc_id]["contacts"], min(3, len(accounts[acc_id]["contacts"]))
            ):
                ds.rel(
                    Rel.KNOWS,
                    Label.TEAM_MEMBER,
                    mid,
                    Label.CONTACT,
                    cid,
                    strength=round(rng.uniform(0.2, 0.9), 2),
                    since=since,
                )
    # A specialist whose time on an account ended: out of scope since then.
    ds.rel(
        Rel.ON_TEAM,
        Label.TEAM_MEMBER,
        "tm-intelligence-1",
        Label.ACCOUNT,
        "acc-kestrel",
        role="INTELLIGENCE",
        **{"from": since, "until": TODAY - timedelta(days=30)},
    )


def _interactions(ds: Dataset, rng: random.Random, accounts: dict[str, dict[str, Any]]) -> None:
    """Contact moments: recent ones on some relationships, old ones on others, none on the rest."""
    account_of = {c: acc for acc, info in accounts.items() for c in info["contacts"]}
    now = datetime.now(UTC).replace(microsecond=0)
    knows = ds.rels[(Rel.KNOWS, Label.TEAM_MEMBER, Label.CONTACT)]
    for n, row in enumerate(knows):
        if n % 3 == 2:
            continue  # no interaction at all: a stale relationship
        member, contact = row["from"], row["to"]
        days = rng.randint(3, 45) if n % 3 == 0 else rng.randint(120, 400)
        iid = ds.node(
            Label.INTERACTION,
            f"int-{n:06d}",
            at=now - timedelta(days=days),
            channel=rng.choice(["MEETING", "CALL", "VIDEO", "EMAIL", "EVENT"]),
            summary=rng.choice(
                [
                    "Reviewed the frame contract and next year's volumes",
                    "Discussed the retrofit pilot and its business case",
                    "Introduced our new service offering",
                    "Escalation on delivery times, agreed on a recovery plan",
                    "Quarterly business review",
                ]
            ),
        )
        ds.rel(Rel.ABOUT, Label.INTERACTION, iid, Label.ACCOUNT, account_of[contact])
        ds.rel(Rel.WITH, Label.INTERACTION, iid, Label.CONTACT, contact)
        ds.rel(Rel.BY, Label.INTERACTION, iid, Label.TEAM_MEMBER, member)


# Which team member each demo login is: functional logins sit on the first demo accounts.
DEMO_LOGIN_MEMBER = {
    Role.ACCOUNT_MANAGER: "tm-am-acc-nordwind",
    **{Role(r): f"tm-{r.lower()}-{k}" for k, r in enumerate(TEAM_ROLES)},
}


async def load(
    db: Database, ds: Dataset, progress: Callable[[str, int], None] | None = None
) -> SeedStats:
    """Write a dataset in UNWIND batches: nodes first, then relationships (idempotent). Labels
    with no nodes before the load are written with CREATE (see `graph.batch`)."""
    started = datetime.now(UTC)

    def step(name: str) -> Callable[[int], None] | None:
        return (lambda n: progress(name, n)) if progress else None

    empty = {label for label in ds.nodes if not await _has_nodes(db, label)}
    for label, rows in ds.nodes.items():
        await merge_nodes(db, label, _dedupe(rows), step(label.value), into_empty=label in empty)
    for (rel, source, target), rows in ds.rels.items():
        await merge_rels(
            db,
            rel,
            source,
            target,
            rows,
            step(rel.value),
            into_empty=source in empty and target in empty,
        )
    nodes, rels = ds.count()
    return SeedStats(nodes, rels, (datetime.now(UTC) - started).total_seconds())


async def _has_nodes(db: Database, label: Label) -> bool:
    rows = await db.read("MATCH (n:" + Label(label).value + ") RETURN count(n) AS n", {})
    return bool(rows and rows[0]["n"])


def _dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen[row["id"]] = row
    return list(seen.values())


async def seed_demo(
    db: Database, password: str, size: str = "S", progress: Callable[[str, int], None] | None = None
) -> SeedStats:
    """Load the dataset and one login per role (username = the role in lower case)."""
    from auth.passwords import hash_password_async
    from graph.users import upsert_user

    stats = await load(db, build(size), progress)
    hashed = await hash_password_async(password)
    now = datetime.now(UTC)
    for role in Role:
        await upsert_user(
            db,
            f"user-{role.value.lower()}",
            role.value.lower(),
            hashed,
            [role.value],
            DEMO_LOGIN_MEMBER.get(role),
            now,
        )
    if size == "S":
        await seed_plans(db)
    return stats


PLAN_CONTENT = {
    "opportunities": ["Retrofit of the installed base", "Service contracts for new plants"],
    "threats": [
        "Low-cost challenger at national level",
        "Central procurement pushing for one supplier",
    ],
    "decisionProcess": "Global procurement sets frame contracts; national plant directors choose within them.",
    "processStatus": "Frame contract renewal in negotiation; pilot for digital services agreed in principle.",
    "leadersView": "They see the market consolidating and want fewer, strategic suppliers.",
    "valuesBeliefs": "Safety first, long-term partnerships, measurable sustainability.",
    "capabilities": "Strong engineering; weak in field service outside Europe.",
    "currentStrategy": "Defend the frame contract, grow service share.",
    "futureStrategy": "Become their partner for plant digitalisation.",
    "internalProcesses": "Quarterly account team review; monthly call with controlling.",
    "shareOfWalletGoal": 0.3,
    "shareOfWalletActual": 0.22,
    "revenueGoal": 12_000_000.0,
    "marginGoal": 0.18,
}


async def seed_plans(db: Database) -> int:
    """Demo plans with several revisions and reviews: a diff to read and a review due."""
    from auth.registry import PLAN_SECTIONS
    from graph.followup import record_review
    from graph.plans import plan_id, plans_by_ids, start_plan, update_plan
    from graph.scope import Scope
    from graph.writes import Actor

    actor = Actor("user-account_manager", "account_manager", "seed")
    everything = Scope(all_accounts=True, member_id=None, today=TODAY)
    now = datetime.now(UTC)
    made = 0
    for acc_id, *_ in DEMO_ACCOUNTS:
        current = plan_id(acc_id, str(TODAY.year))
        if await db.read("MATCH (p:Plan {id: $id}) RETURN p.id AS id", {"id": current}):
            continue
        last, _ = await start_plan(db, actor, everything, acc_id, str(TODAY.year - 1), None)
        await update_plan(
            db,
            actor,
            everything,
            last,
            PLAN_SECTIONS,
            1,
            {k: PLAN_CONTENT[k] for k in list(PLAN_CONTENT)[:8]},
            None,
        )
        plan, _ = await start_plan(db, actor, everything, acc_id, str(TODAY.year), None)
        await update_plan(db, actor, everything, plan, PLAN_SECTIONS, 1, PLAN_CONTENT, None)
        await record_review(
            db,
            actor,
            everything,
            plan,
            "MONTHLY",
            now - timedelta(days=45),
            "Pilot scope agreed; pricing open.",
            [{"name": "shareOfWallet", "actual": 0.2, "goal": 0.3}],
            [],
            [],
            None,
        )
        await record_review(
            db,
            actor,
            everything,
            plan,
            "QUARTERLY",
            now - timedelta(days=10),
            "Challenger won two national tenders.",
            [
                {"name": "shareOfWallet", "actual": 0.22, "goal": 0.3},
                {"name": "revenue", "actual": 2.9e6, "goal": 3.0e6},
            ],
            [
                {
                    "field": "currentStrategy",
                    "change": "Add a national price tier",
                    "reason": "Challenger wins on price",
                }
            ],
            [
                {
                    "title": "Prepare national price tier",
                    "ownerId": f"tm-am-{acc_id}",
                    "due": TODAY + timedelta(days=21),
                }
            ],
            None,
        )
        await update_plan(
            db,
            actor,
            everything,
            plan,
            PLAN_SECTIONS,
            (await plans_by_ids(db, everything, [plan]))[plan].version_for(PLAN_SECTIONS),
            {
                "currentStrategy": "Defend the frame contract with a national price tier, grow service share.",
                "shareOfWalletActual": 0.24,
            },
            None,
        )
        made += 1
    return made
