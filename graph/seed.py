"""The deterministic demo and benchmark dataset generator.

Size S is the demo: four multinational accounts over all four unit levels (two with 500+
contacts), influence webs, buying centres, a matrix of team members, functional areas,
geographic and cultural divisions, competitors, partners and needs only partners can meet,
with coverage gaps left on purpose. M and L add generated accounts of the same shape.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.dataset import Dataset, SeedStats, load
from graph.driver import Database
from graph.model import Label, Rel, Role, UnitLevel
from graph.seed_accounts import generate_account, person_name, reference_data
from graph.seed_world import (
    DEMO_ACCOUNTS,
    SEED,
    SEGMENTS,
    TEAM_ROLES,
    TODAY,
)

__all__ = ["SIZES", "Dataset", "SeedStats", "build", "load", "seed_demo", "seed_plans"]


@dataclass(frozen=True)
class SizeSpec:
    generated_accounts: int
    contacts_per_generated: int


SIZES = {"S": SizeSpec(0, 0), "M": SizeSpec(196, 95), "L": SizeSpec(1996, 99)}


def build(size: str = "S") -> Dataset:
    """The dataset of a size: S (the demo), M or L."""
    spec = SIZES[size]
    rng = random.Random(SEED)
    ds = Dataset()
    ref = reference_data(ds)
    accounts: dict[str, dict[str, Any]] = {}
    segments: dict[str, str] = {}
    for acc_id, name, segment, industry, tier, scale in DEMO_ACCOUNTS:
        accounts[acc_id] = generate_account(
            ds, rng, acc_id, name, segment, industry, tier, scale, ref["competitors"]
        )
        segments[acc_id] = segment
    for n in range(spec.generated_accounts):
        acc_id = f"acc-g{n:05d}"
        segment = SEGMENTS[n % len(SEGMENTS)]
        accounts[acc_id] = generate_account(
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
            name=person_name(rng),
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
                    name=person_name(rng),
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
            name=person_name(rng),
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
    "decisionProcess": (
        "Global procurement sets frame contracts; national plant directors choose within them."
    ),
    "processStatus": (
        "Frame contract renewal in negotiation; pilot for digital services agreed in principle."
    ),
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
    from graph.plan_writes import plan_id, start_plan, update_plan
    from graph.plans import plans_by_ids
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
            [{"name": "Share of wallet", "actual": 0.2, "goal": 0.3}],
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
                {"name": "Share of wallet", "actual": 0.22, "goal": 0.3},
                {"name": "Revenue", "actual": 2.9e6, "goal": 3.0e6},
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
                "currentStrategy": (
                    "Defend the frame contract with a national price tier, grow service share."
                ),
                "shareOfWalletActual": 0.24,
            },
            None,
        )
        made += 1
    return made
