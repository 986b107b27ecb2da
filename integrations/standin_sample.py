"""The stand-in org the demo syncs: Borealis Foods, a client group over four levels, its
people, two opportunities with their buying roles, and a few activities (one open, one
deleted) to show what the sync keeps and what it skips."""

from __future__ import annotations

from integrations.standin import StandinOrg


def sample_org() -> StandinOrg:
    """Borealis Foods: a client group over four levels, its people and two opportunities."""
    org = StandinOrg(page_size=5)
    units = [
        ("001BOR000000001", "Borealis Foods Group", None, "Sweden"),
        ("001BOR000000002", "Borealis Foods Europe", "001BOR000000001", None),
        ("001BOR000000003", "Borealis Foods Americas", "001BOR000000001", None),
        ("001BOR000000004", "Borealis Foods Deutschland", "001BOR000000002", "Germany"),
        ("001BOR000000005", "Borealis Foods France", "001BOR000000002", "France"),
        ("001BOR000000006", "Borealis Foods USA", "001BOR000000003", "United States"),
        ("001BOR000000007", "Borealis Foods Bayern", "001BOR000000004", "Germany"),
        ("001BOR000000008", "Borealis Foods Texas", "001BOR000000006", "United States"),
    ]
    for uid, name, parent, country in units:
        org.put(
            "Account",
            Id=uid,
            Name=name,
            ParentId=parent,
            Industry="Food & Beverage",
            BillingCountry=country,
        )
    people = [
        ("003BOR000000001", "Ingrid", "Lund", "Chief Executive Officer", "001BOR000000001", None),
        (
            "003BOR000000002",
            "Mats",
            "Berg",
            "Chief Procurement Officer",
            "001BOR000000001",
            "003BOR000000001",
        ),
        (
            "003BOR000000003",
            "Sofia",
            "Ek",
            "VP Operations Europe",
            "001BOR000000002",
            "003BOR000000001",
        ),
        (
            "003BOR000000004",
            "Jonas",
            "Weber",
            "Managing Director Germany",
            "001BOR000000004",
            "003BOR000000003",
        ),
        (
            "003BOR000000005",
            "Claire",
            "Martin",
            "Directrice France",
            "001BOR000000005",
            "003BOR000000003",
        ),
        (
            "003BOR000000006",
            "Leon",
            "Huber",
            "Plant Manager Bavaria",
            "001BOR000000007",
            "003BOR000000004",
        ),
        ("003BOR000000007", "Dana", "Reyes", "VP Americas", "001BOR000000003", "003BOR000000001"),
        (
            "003BOR000000008",
            "Tom",
            "Baker",
            "Operations Director USA",
            "001BOR000000006",
            "003BOR000000007",
        ),
        (
            "003BOR000000009",
            "Ana",
            "Lopez",
            "Plant Manager Texas",
            "001BOR000000008",
            "003BOR000000008",
        ),
        (
            "003BOR000000010",
            "Erik",
            "Sand",
            "Head of Category Packaging",
            "001BOR000000001",
            "003BOR000000002",
        ),
    ]
    for cid, first, last, title, account, boss in people:
        org.put(
            "Contact",
            Id=cid,
            AccountId=account,
            FirstName=first,
            LastName=last,
            Title=title,
            Email=f"{first}.{last}@borealis.example".lower(),
            Phone=None,
            ReportsToId=boss,
        )
    org.put(
        "Opportunity",
        Id="006BOR000000001",
        AccountId="001BOR000000004",
        Name="Bavaria line automation",
        StageName="Proposal/Price Quote",
        Amount=2_400_000.0,
        CloseDate="2027-03-31",
        IsClosed=False,
        IsWon=False,
        Type="New Customer",
    )
    org.put(
        "Opportunity",
        Id="006BOR000000002",
        AccountId="001BOR000000001",
        Name="Global packaging frame contract",
        StageName="Negotiation/Review",
        Amount=5_100_000.0,
        CloseDate="2027-01-15",
        IsClosed=False,
        IsWon=False,
        Type="Existing Customer - Upgrade",
    )
    for rid, opp, contact, role in [
        ("00KBOR000000001", "006BOR000000001", "003BOR000000004", "Decision Maker"),
        ("00KBOR000000002", "006BOR000000001", "003BOR000000006", "Technical Buyer"),
        ("00KBOR000000003", "006BOR000000001", "003BOR000000003", "Executive Sponsor"),
        ("00KBOR000000004", "006BOR000000002", "003BOR000000002", "Economic Buyer"),
        ("00KBOR000000005", "006BOR000000002", "003BOR000000010", "Influencer"),
    ]:
        org.put(
            "OpportunityContactRole",
            Id=rid,
            OpportunityId=opp,
            ContactId=contact,
            Role=role,
            IsPrimary=role in ("Decision Maker", "Economic Buyer"),
        )
    # Activities: a logged call, a visit with a shared-activity invitee, an open to-do (not a
    # contact moment) and a deleted task (served by queryAll only).
    owner = "005BOR000000001"
    org.put(
        "Task",
        Id="00TBOR000000001",
        WhoId="003BOR000000002",
        WhatId="006BOR000000002",
        OwnerId=owner,
        Owner={"Email": "petra.nystrom@kam-demo.example"},
        Subject="Call: frame contract pricing",
        TaskSubtype="Call",
        Type="Call",
        IsClosed=True,
        CompletedDateTime="2026-11-12T14:00:00.000+0000",
        ActivityDate="2026-11-12",
        IsDeleted=False,
    )
    org.put(
        "Event",
        Id="00UBOR000000001",
        WhoId="003BOR000000008",
        WhatId="001BOR000000006",
        OwnerId=owner,
        Subject="Plant visit Texas",
        Type="Meeting",
        StartDateTime="2026-11-02T15:00:00.000+0000",
        ActivityDate="2026-11-02",
        IsDeleted=False,
        EventRelations={
            "records": [
                {"RelationId": "003BOR000000009", "IsWhat": False},
                {"RelationId": "003BOR000000008", "IsWhat": False},
            ]
        },
    )
    org.put(
        "Task",
        Id="00TBOR000000002",
        WhoId="003BOR000000001",
        OwnerId=owner,
        Subject="Send the QBR deck",
        IsClosed=False,
        ActivityDate="2027-01-20",
        IsDeleted=False,
    )
    org.put(
        "Task",
        Id="00TBOR000000003",
        WhoId="003BOR000000005",
        OwnerId=owner,
        Subject="Logged by mistake",
        IsClosed=True,
        ActivityDate="2026-10-01",
        IsDeleted=True,
    )
    return org
