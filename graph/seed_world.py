"""The vocabulary of the generated world: names, titles, regions, functional areas,
capabilities, partners and competitors that `graph.seed` draws from (with a fixed seed)."""

from __future__ import annotations

from datetime import UTC, datetime

from graph.model import Role, UnitLevel

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
