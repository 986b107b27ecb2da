"""Salesforce Tasks and Events into the interaction history, against the stand-in org: paging,
shared-activity relations, owners matched by user id or address, deleted and malformed rows."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Backend, LiveApp
from tests.factories import nodes
from tests.test_salesforce import Org, Standin, org, standin  # noqa: F401 (fixtures)


def interactions(backend: Backend, account: str) -> dict[str, dict[str, Any]]:
    rows = backend.read(
        """MATCH (a:Account {id: $a})<-[:ABOUT]-(i:Interaction {source: 'salesforce'})
           RETURN i.sourceId AS sf, i.id AS id, i.channel AS channel,
                  coalesce(i.archived, false) AS archived,
                  [(i)-[:WITH]->(c:Contact) | c.id] AS contacts,
                  [(i)-[:BY]->(m:TeamMember) | m.id] AS members""",
        a=account,
    )
    return {
        r["sf"]: {**r, "contacts": sorted(r["contacts"]), "members": sorted(r["members"])}
        for r in rows
    }


def test_tasks_and_events_become_interactions_once_and_deleted_ones_are_archived(
    live: LiveApp,
    org: Org,  # noqa: F811
    uid: str,
) -> None:
    backend = live.backend
    # Later than any earlier run's watermark in this session (the CLI's sync state is shared).
    org.standin.org.clock = datetime(2031, 1, 1, tzinfo=UTC) + timedelta(days=int(uid[1:4], 16))
    org.build()
    c = lambda n: f"sf-{org.id('003', n)}"  # noqa: E731
    user = org.id("005", 1)
    backend.write(
        """MERGE (m1:TeamMember {id: $p + '-sfm'})
             SET m1.name = 'Sally Sales', m1.salesforceUserId = $user
           MERGE (m2:TeamMember {id: $p + '-own'})
             SET m2.name = 'Oscar Owner', m2.email = $p + '-oscar@ours.example'""",
        p=uid,
        user=user,
    )
    done = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    put = org.put
    put(
        "Task",
        Id=org.id("00T", 1),
        WhoId=org.id("003", 2),
        OwnerId=user,
        Subject="Call Jon",
        TaskSubtype="Call",
        IsClosed=True,
        CompletedDateTime=done,
        IsDeleted=False,
    )
    put(
        "Task",
        Id=org.id("00T", 2),
        WhoId=org.id("003", 2),
        OwnerId=user,
        Subject="Open to-do",
        IsClosed=False,
        ActivityDate="2031-02-01",
        IsDeleted=False,
    )
    put(
        "Task",
        Id=org.id("00T", 3),
        WhoId=org.id("00Q", 1),
        OwnerId=user,
        Subject="A lead",
        IsClosed=True,
        ActivityDate="2026-11-01",
        IsDeleted=False,
    )
    put(
        "Task",
        Id=org.id("00T", 4),
        WhoId=org.id("003", 2),
        Subject="Bad",
        IsClosed=True,
        ActivityDate="not a date",
    )
    put(
        "Task",
        Id=org.id("00T", 5),
        OwnerId=org.id("005", 9),
        Owner={"Email": f"{uid}-OSCAR@ours.example"},
        Subject="Mail to Lea and Max",
        TaskSubtype="Email",
        IsClosed=True,
        ActivityDate="2026-11-20",
        TaskRelations={
            "records": [
                {"RelationId": org.id("003", 3), "IsWhat": False},
                {"RelationId": org.id("003", 4), "IsWhat": False},
                {"RelationId": org.id("001", 3), "IsWhat": True},
            ]
        },
    )
    put(
        "Event",
        Id=org.id("00U", 1),
        WhoId=org.id("003", 1),
        OwnerId=org.id("005", 9),
        Owner={"Email": f"{uid}-oscar@ours.example"},
        Subject="Visit",
        StartDateTime=done,
        EventRelations={
            "records": [
                {"RelationId": org.id("003", 2), "IsWhat": False},
                {"RelationId": user, "IsWhat": False},
            ]
        },
    )

    env = {k: v for k, v in backend.cli_env().items() if not k.startswith("KAM_SALESFORCE_")}
    env |= {
        "KAM_SALESFORCE_LOGIN_URL": org.standin.url,
        "KAM_SALESFORCE_CLIENT_ID": org.standin.org.client_id,
        "KAM_SALESFORCE_CLIENT_SECRET": org.standin.org.client_secret,
        "KAM_SALESFORCE_USERNAME": org.standin.org.username,
        "KAM_SALESFORCE_PASSWORD": org.standin.org.password,
    }
    run = subprocess.run(
        [sys.executable, "-m", "kam", "sync", "salesforce", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["pulled"]["Task"] == 5 and report["pulled"]["Event"] == 1
    assert report["written"]["Task"] == 2 and report["written"]["Event"] == 1
    assert [i["recordId"] for i in report["issues"] if i["object"] == "Task"] == [org.id("00T", 4)]
    for text in ("Call Jon", "Mail to Lea", "Visit"):
        assert text not in run.stdout + run.stderr
    assert "queryAll" in org.standin.org.calls

    account = f"sf-acct-{org.id('001', 1)}"
    stored = interactions(backend, account)
    assert set(stored) == {org.id("00T", 1), org.id("00T", 5), org.id("00U", 1)}
    call = stored[org.id("00T", 1)]
    assert (call["channel"], call["contacts"], call["members"]) == ("CALL", [c(2)], [f"{uid}-sfm"])
    mail = stored[org.id("00T", 5)]
    assert (mail["channel"], mail["contacts"], mail["members"]) == (
        "EMAIL",
        [c(3), c(4)],
        [f"{uid}-own"],
    )
    visit = stored[org.id("00U", 1)]
    assert (visit["channel"], visit["contacts"]) == ("MEETING", [c(1), c(2)])
    assert visit["members"] == [f"{uid}-own", f"{uid}-sfm"]

    org.sync(backend)  # a second sync (its own state: from the start) changes nothing
    assert interactions(backend, account) == stored

    # Deleted in Salesforce: the next sync (queryAll) archives it; the API no longer lists it.
    put("Task", Id=org.id("00T", 1), IsDeleted=True)
    again, _ = org.sync(backend)
    assert again.written["Task"] >= 1  # the deletion (and, by `>=` the watermark, the newest again)
    assert interactions(backend, account)[org.id("00T", 1)]["archived"] is True
    body = live.gql(
        "query($a: ID!) { account(id: $a) { interactions { edges { node { id contactIds } } } } }",
        {"a": account},
        as_user="executive",
    )
    listed = {tuple(n["contactIds"]) for n in nodes(body["data"]["account"]["interactions"])}
    assert listed == {(c(3), c(4)), (c(1), c(2))}


def test_standin_hides_deleted_rows_from_query_but_not_from_query_all(
    standin: Standin,  # noqa: F811
    org: Org,  # noqa: F811
) -> None:
    import httpx

    org.put("Task", Id=org.id("00T", 7), IsDeleted=True, Subject="gone")
    org.put("Task", Id=org.id("00T", 8), IsDeleted=False, Subject="here")
    token = httpx.post(
        f"{standin.url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": standin.org.client_id,
            "client_secret": standin.org.client_secret,
            "username": standin.org.username,
            "password": standin.org.password,
        },
    ).json()["access_token"]
    q = {"q": "SELECT Id, (SELECT RelationId FROM TaskRelations) FROM Task"}
    head = {"Authorization": f"Bearer {token}"}
    plain = httpx.get(f"{standin.url}/services/data/v60.0/query", params=q, headers=head).json()
    every = httpx.get(f"{standin.url}/services/data/v60.0/queryAll", params=q, headers=head).json()
    assert [r["Id"] for r in plain["records"]] == [org.id("00T", 8)]
    assert {r["Id"] for r in every["records"]} == {org.id("00T", 7), org.id("00T", 8)}
