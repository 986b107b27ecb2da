"""One generated key account: its unit tree over the four levels, its people, reporting
lines, influence web, projects with buying centres, needs, competitors and plan figures."""

from __future__ import annotations

import random
from typing import Any

from graph.dataset import Dataset
from graph.model import Label, Rel, UnitLevel
from graph.seed_world import (
    BUYING,
    CAPABILITIES,
    COMPETITORS,
    CULTURAL,
    FIRST,
    FUNCTIONAL_AREAS,
    LAST,
    PARTNERS,
    REGIONS,
    TITLES,
)

# What an account's projects are about: a project is named by the account's first word and one.
PROJECT_TOPICS = (
    "Line retrofit",
    "Frame contract renewal",
    "Digital service pilot",
    "New plant supply",
)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def reference_data(ds: Dataset) -> dict[str, list[str]]:
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
                "geo-" + slug(nation),
                name=nation,
                level="NATIONAL",
                kind="GEOGRAPHIC",
            )
            ds.rel(Rel.PARENT_OF, Label.GEO_DIVISION, rid, Label.GEO_DIVISION, nid)
            countries[nation] = nid
            for state in nations[nation][:2]:  # state-level divisions where we sell by state
                sid = ds.node(
                    Label.GEO_DIVISION,
                    "geo-" + slug(nation) + "-" + slug(state),
                    name=state,
                    level="STATE",
                    kind="GEOGRAPHIC",
                )
                ds.rel(Rel.PARENT_OF, Label.GEO_DIVISION, nid, Label.GEO_DIVISION, sid)
    for gid, (name, members) in CULTURAL.items():
        ds.node(Label.GEO_DIVISION, gid, name=name, level="REGIONAL", kind="CULTURAL")
        for nation in members:
            ds.rel(Rel.PARENT_OF, Label.GEO_DIVISION, gid, Label.GEO_DIVISION, countries[nation])
    comps = [ds.node(Label.COMPETITOR, "comp-" + slug(c), name=c) for c in COMPETITORS]
    return {"areas": list(areas.values()), "competitors": comps}


def slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def generate_account(
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

    def unit(
        key: str, title: str, level: UnitLevel, place: str, parent: str | None, **where: Any
    ) -> str:
        """A unit of the account named `name title`, under `parent`."""
        u = ds.node(
            Label.CLIENT_UNIT,
            f"{acc_id}-u-{key}",
            name=f"{name} {title}",
            level=level.value,
            **where,
        )
        ds.rel(Rel.HAS_UNIT, Label.ACCOUNT, acc_id, Label.CLIENT_UNIT, u)
        if parent is not None:
            ds.rel(Rel.PARENT_OF, Label.CLIENT_UNIT, parent, Label.CLIENT_UNIT, u)
        units.append((u, level, place))
        return u

    g = unit("global", "HQ", UnitLevel.GLOBAL, "Global", None, country=None, region=None)
    for region, nations in REGIONS.items():
        if contact_budget is not None and rng.random() < 0.3:
            continue
        r = unit(slug(region), region, UnitLevel.REGIONAL, region, g, region=region)
        for nation, states in nations.items():
            if rng.random() > 0.35 + 0.65 * scale:
                continue
            n = unit(
                slug(nation), nation, UnitLevel.NATIONAL, nation, r, country=nation, region=region
            )
            for state in states:
                unit(
                    f"{slug(nation)}-{slug(state)}",
                    state,
                    UnitLevel.STATE,
                    state,
                    n,
                    country=nation,
                    region=region,
                )
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
            person = person_name(rng)
            title = (
                TITLES[level][i % len(TITLES[level])]
                if i < len(TITLES[level])
                else rng.choice(["Engineer", "Analyst", "Manager", "Specialist", "Coordinator"])
            )
            email = person.lower().replace(" ", ".") + f".{i}@{slug(name)[:16]}.example"
            ds.node(
                Label.CONTACT,
                cid,
                name=person,
                title=title,
                email=email,
                phone=(
                    f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}"
                ),
                linkedinUrl=f"https://www.linkedin.com/in/{slug(person)}-{cid[-6:]}",
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
            name=f"{name.split()[0]} {PROJECT_TOPICS[k]}",
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
