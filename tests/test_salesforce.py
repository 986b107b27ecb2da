"""Salesforce sync against a stand-in org on a loopback port: the real HTTP client, the real
Bolt server, and the org's faults (expired sessions, throttling, failing pages, bad records)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from graph import crm
from graph.embedded import free_port
from integrations.salesforce import SalesforceClient, SalesforceError, SalesforceSettings
from integrations.standin import Faults, StandinOrg, app
from tests.conftest import Backend, LiveApp
from tests.contact_keys import out_of_step
from tests.factories import nodes
from tests.test_contact_account_key import page


class Standin:
    def __init__(self, org: StandinOrg) -> None:
        self.org = org
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app(org), host="127.0.0.1", port=port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            threading.Event().wait(0.05)
        assert self.server.started

    def settings(self, **changes: Any) -> SalesforceSettings:
        values: dict[str, Any] = {
            "login_url": self.url,
            "client_id": self.org.client_id,
            "client_secret": self.org.client_secret,
            "username": self.org.username,
            "password": self.org.password,
            "max_backoff_seconds": 0.05,
        }
        return SalesforceSettings(**(values | changes))


@pytest.fixture(scope="module")
def standin() -> Iterator[Standin]:
    server = Standin(StandinOrg())
    yield server
    server.server.should_exit = True
    server.thread.join(10)


class Org:
    """A per-test org on the shared stand-in: ids made unique by a tag."""

    def __init__(self, standin: Standin, uid: str, page_size: int = 3) -> None:
        self.tag = uid[-5:].upper().replace("T", "X")
        self.org = StandinOrg(page_size=page_size)
        standin.org.records = self.org.records
        standin.org.page_size = page_size
        standin.org.faults = self.org.faults = Faults()
        self.standin = standin
        self.source = f"salesforce-{uid}"

    def id(self, prefix: str, n: int) -> str:
        return f"{prefix}{self.tag}{n:07d}"

    def put(self, obj: str, **fields: Any) -> dict[str, Any]:
        return self.standin.org.put(obj, **fields)

    def build(self) -> None:
        """Group (GLOBAL) > Europe > Germany > Bavaria, four people, one opportunity."""
        a = lambda n: self.id("001", n)  # noqa: E731
        c = lambda n: self.id("003", n)  # noqa: E731
        self.put("Account", Id=a(1), Name=f"Group {self.tag}", ParentId=None, Industry="Food")
        self.put("Account", Id=a(2), Name=f"Europe {self.tag}", ParentId=a(1))
        self.put(
            "Account", Id=a(3), Name=f"Germany {self.tag}", ParentId=a(2), BillingCountry="Germany"
        )
        self.put("Account", Id=a(4), Name=f"Bavaria {self.tag}", ParentId=a(3))
        self.put(
            "Contact",
            Id=c(1),
            AccountId=a(1),
            FirstName="Ida",
            LastName="Chief",
            Title="CEO",
            Email="IDA@x.example",
            ReportsToId=None,
        )
        self.put(
            "Contact",
            Id=c(2),
            AccountId=a(3),
            FirstName="Jon",
            LastName="Land",
            Title="MD Germany",
            ReportsToId=c(1),
        )
        self.put(
            "Contact",
            Id=c(3),
            AccountId=a(4),
            FirstName="Lea",
            LastName="Plant",
            Title="Plant Manager",
            ReportsToId=c(2),
        )
        self.put(
            "Contact",
            Id=c(4),
            AccountId=a(3),
            FirstName="Max",
            LastName="Buyer",
            Title="Buyer",
            ReportsToId=c(2),
        )
        self.put(
            "Opportunity",
            Id=self.id("006", 1),
            AccountId=a(3),
            Name="Line retrofit",
            StageName="Qualification",
            Amount=1_200_000.0,
            CloseDate="2027-02-01",
            IsClosed=False,
            IsWon=False,
            Type="New Customer",
        )
        for n, (contact, role) in enumerate(
            [(c(2), "Decision Maker"), (c(3), "Technical Buyer"), (c(4), "Executive Sponsor")], 1
        ):
            self.put(
                "OpportunityContactRole",
                Id=self.id("00K", n),
                OpportunityId=self.id("006", 1),
                ContactId=contact,
                Role=role,
                IsPrimary=n == 1,
            )

    def sync(self, backend: Backend, **settings: Any) -> tuple[crm.SyncReport, SalesforceClient]:
        async def run() -> tuple[crm.SyncReport, SalesforceClient]:
            async with SalesforceClient(self.standin.settings(**settings)) as client:
                report = await crm.Syncer(backend.db, client, source=self.source).run()
                return report, client

        return backend.run(run())


@pytest.fixture
def org(standin: Standin, uid: str) -> Org:
    return Org(standin, uid)


def dump(backend: Backend, tag: str) -> list[Any]:
    """Everything synced for this org: nodes with their properties but the clocks, and edges."""
    rows = backend.read(
        """MATCH (a:Account {id: $a})-[:HAS_UNIT]->(u:ClientUnit)
           OPTIONAL MATCH (u)<-[:WORKS_IN]-(c:Contact)
           OPTIONAL MATCH (c)-[r:REPORTS_TO]->(m:Contact)
           OPTIONAL MATCH (c)-[d:DECIDES]->(p:Project)
           RETURN u.id AS unit, u.level AS level, c.id AS contact, c.name AS name, c.title AS title,
                  m.id AS manager, r.kind AS kind, p.id AS project, d.role AS role
           ORDER BY unit, contact, manager, project, role""",
        a=f"sf-acct-001{tag}0000001",
    )
    return [tuple(r.values()) for r in rows]


def test_sync_builds_the_client_organisation(live: LiveApp, org: Org) -> None:
    org.build()
    report, _ = org.sync(live.backend)
    assert report.pulled == {
        "Account": 4,
        "Contact": 4,
        "Opportunity": 1,
        "OpportunityContactRole": 3,
        "Task": 0,
        "Event": 0,
    }
    assert report.pages >= 5 and not report.issues and not report.conflicts  # paged by 3
    account = f"sf-acct-{org.id('001', 1)}"
    chart = live.gql(
        "query($a: ID!) "
        "{ orgChart(accountId: $a) "
        "{ accountName levels { level units { name contacts { name title managerId } } } } }",
        {"a": account},
        as_user="executive",
    )["data"]["orgChart"]
    assert chart["accountName"] == f"Group {org.tag}"
    levels = {lv["level"]: [u["name"] for u in lv["units"]] for lv in chart["levels"]}
    assert levels == {
        "GLOBAL": [f"Group {org.tag}"],
        "REGIONAL": [f"Europe {org.tag}"],
        "NATIONAL": [f"Germany {org.tag}"],
        "STATE": [f"Bavaria {org.tag}"],
    }
    bavaria = next(lv for lv in chart["levels"] if lv["level"] == "STATE")["units"][0]
    assert bavaria["contacts"] == [
        {"name": "Lea Plant", "title": "Plant Manager", "managerId": f"sf-{org.id('003', 2)}"}
    ]
    projects = live.gql(
        """query($a: ID!) { account(id: $a) { projects { edges { node { name stage value status
             buyingCentre { edges { node { role contact { name } } } } } } } } }""",
        {"a": account},
        as_user="executive",
    )["data"]["account"]["projects"]
    (project,) = nodes(projects)
    assert (project["name"], project["stage"], project["value"], project["status"]) == (
        "Line retrofit",
        "Qualification",
        1_200_000.0,
        "OPEN",
    )
    assert sorted((b["role"], b["contact"]["name"]) for b in nodes(project["buyingCentre"])) == [
        ("CHAMPION", "Max Buyer"),
        ("DECISION_MAKER", "Jon Land"),
        ("INFLUENCER", "Lea Plant"),
    ]
    email = live.backend.read(
        "MATCH (c:Contact {id: $c}) RETURN c.email AS e", c=f"sf-{org.id('003', 1)}"
    )
    assert email == [{"e": "ida@x.example"}]


def test_second_run_changes_nothing_and_reads_only_since_the_watermark(
    live: LiveApp, org: Org
) -> None:
    org.build()
    org.sync(live.backend)
    before = dump(live.backend, org.tag)
    report, _ = org.sync(live.backend)
    assert dump(live.backend, org.tag) == before
    # `>=` the last stamp: only the newest record of each object comes again (harmlessly)
    assert sum(report.pulled.values()) <= 4
    counts = live.backend.read(
        "MATCH (c:Contact) WHERE c.id STARTS WITH $p RETURN count(c) AS n",
        p=f"sf-003{org.tag}",
    )
    assert counts == [{"n": 4}]


def test_incremental_edit_and_move(live: LiveApp, org: Org) -> None:
    org.build()
    org.sync(live.backend)
    # In Salesforce: Lea is promoted and moves to Germany; the opportunity advances.
    org.put(
        "Contact",
        Id=org.id("003", 3),
        Title="Head of Plants",
        AccountId=org.id("001", 3),
        ReportsToId=org.id("003", 1),
    )
    org.put("Opportunity", Id=org.id("006", 1), StageName="Negotiation/Review", Amount=1_500_000.0)
    report, _ = org.sync(live.backend)
    assert report.pulled["Contact"] <= 2 and report.pulled["Account"] <= 1
    row = live.backend.read(
        """MATCH (c:Contact {id: $c})-[:WORKS_IN]->(u:ClientUnit)
           MATCH (c)-[:REPORTS_TO {kind: 'SOLID'}]->(m:Contact)
           RETURN c.title AS title, collect(DISTINCT u.id) AS units,
             collect(DISTINCT m.id) AS managers""",
        c=f"sf-{org.id('003', 3)}",
    )
    assert row == [
        {
            "title": "Head of Plants",
            "units": [f"sf-{org.id('001', 3)}"],
            "managers": [f"sf-{org.id('003', 1)}"],
        }
    ]
    synced = [
        r["id"]
        for r in live.backend.read(
            "MATCH (c:Contact) WHERE c.id STARTS WITH 'sf-' RETURN c.id AS id"
        )
    ]
    assert f"sf-{org.id('003', 3)}" in synced and out_of_step(live.backend, synced) == []
    project = live.backend.read(
        "MATCH (p:Project {id: $p}) RETURN p.stage AS stage, p.value AS value, "
        "p.history AS history",
        p=f"sf-{org.id('006', 1)}",
    )[0]
    assert (project["stage"], project["value"]) == ("Negotiation/Review", 1_500_000.0)
    change = json.loads(project["history"][-1])
    assert (change["field"], change["from"], change["to"]) == (
        "stage",
        "Qualification",
        "Negotiation/Review",
    )


def test_a_contact_moved_to_another_group_changes_account(live: LiveApp, org: Org) -> None:
    """In Salesforce Lea moves to another top-level account: she works for that account now,
    her account id follows, and each account's page read by that key shows her only there."""
    org.build()
    org.sync(live.backend)
    org.put("Account", Id=org.id("001", 9), Name=f"Other group {org.tag}", ParentId=None)
    org.put("Contact", Id=org.id("003", 3), AccountId=org.id("001", 9), ReportsToId=None)
    org.sync(live.backend)
    lea, before, after = (
        f"sf-{org.id('003', 3)}",
        f"sf-acct-{org.id('001', 1)}",
        f"sf-acct-{org.id('001', 9)}",
    )
    assert live.backend.read("MATCH (c:Contact {id: $c}) RETURN c.accountId AS k", c=lea) == [
        {"k": after}
    ]
    assert out_of_step(live.backend, [lea]) == []
    assert lea in page(live.backend, after, 0) and lea not in page(live.backend, before, 0)


def test_edits_on_both_sides_keep_ours_and_are_reported(live: LiveApp, org: Org) -> None:
    org.build()
    org.sync(live.backend)
    jon, max_ = f"sf-{org.id('003', 2)}", f"sf-{org.id('003', 4)}"
    update = "mutation($in: UpdateNodeInput!) { updateNode(input: $in) { __typename } }"
    for cid, title in ((jon, "Managing Director DACH"), (max_, "Lead Buyer")):
        (version,) = live.backend.read(
            "MATCH (c:Contact {id: $c}) RETURN coalesce(c.version, 1) AS v", c=cid
        )
        edit = {
            "kind": "CONTACT",
            "id": cid,
            "expectedVersion": version["v"],
            "patch": {"title": title},
        }
        body = live.gql(update, {"in": edit}, as_user="admin")
        assert body["data"]["updateNode"]["__typename"] == "NodePayload", body
    # Salesforce changes Jon's title too (a conflict), and Lea's (only there), not Max's.
    org.put("Contact", Id=org.id("003", 2), Title="CEO Germany")
    org.put("Contact", Id=org.id("003", 3), Title="Senior Plant Manager")
    org.put("Contact", Id=org.id("003", 4), Phone="+49 1")
    report, _ = org.sync(live.backend)
    titles = {
        r["id"]: r["title"]
        for r in live.backend.read(
            "UNWIND $ids AS id MATCH (c:Contact {id: id}) RETURN c.id AS id, c.title AS title",
            ids=[jon, max_, f"sf-{org.id('003', 3)}"],
        )
    }
    assert titles == {
        jon: "Managing Director DACH",  # ours kept
        max_: "Lead Buyer",  # edited here only: kept, not a conflict
        f"sf-{org.id('003', 3)}": "Senior Plant Manager",  # edited there only: taken
    }
    assert [(c["nodeId"], c["field"], c["kept"], c["theirs"]) for c in report.conflicts] == [
        (jon, "title", "Managing Director DACH", "CEO Germany")
    ]
    stored = live.backend.read(
        "MATCH (c:SyncConflict {nodeId: $n}) RETURN c.theirs AS theirs", n=jon
    )
    assert stored == [{"theirs": "CEO Germany"}]
    again, _ = org.sync(live.backend)
    assert again.conflicts == []  # reported once, not on every run


def test_expired_session_and_throttling_are_retried(live: LiveApp, org: Org) -> None:
    org.build()
    org.standin.org.faults.expire_every = 2
    org.standin.org.faults.throttle = [429, 503, 429]
    report, client = org.sync(live.backend)
    assert report.pulled["Contact"] == 4 and not report.issues
    assert client.logins >= 3 and client.retries >= 3


def test_malformed_records_are_skipped_and_reported(live: LiveApp, org: Org) -> None:
    org.build()
    org.put("Contact", Id=org.id("003", 9), AccountId=org.id("001", 1), LastName="", FirstName="No")
    org.put(
        "Opportunity",
        Id=org.id("006", 9),
        AccountId=org.id("001", 1),
        Name="Bad",
        StageName="X",
        Amount="lots",
    )
    org.put("Contact", Id=org.id("003", 8), AccountId="001NOTSYNCED0001", LastName="Elsewhere")
    report, _ = org.sync(live.backend)
    reasons = {i["recordId"]: i["reason"] for i in report.issues}
    assert "LastName" in reasons[org.id("003", 9)]
    assert "Amount" in reasons[org.id("006", 9)]
    assert "is not synced" in reasons[org.id("003", 8)]
    assert report.written["Contact"] == 4 and report.written["Opportunity"] == 1
    stored = live.backend.read(
        "MATCH (i:SyncIssue) WHERE i.recordId IN $ids RETURN count(i) AS n",
        ids=list(reasons),
    )
    assert stored == [{"n": 3}]


def test_a_failing_page_leaves_earlier_pages_and_the_next_run_resumes(
    live: LiveApp, org: Org
) -> None:
    org.build()
    org.standin.org.faults.fail_page = ("Contact", 2)
    with pytest.raises(SalesforceError, match="500"):
        org.sync(live.backend, max_retries=0)
    have = lambda: {  # noqa: E731
        r["id"]
        for r in live.backend.read(
            "MATCH (c:Contact) WHERE c.id STARTS WITH $p RETURN c.id AS id", p=f"sf-003{org.tag}"
        )
    }
    assert len(have()) == 3  # page 1 (3 contacts) committed with its watermark, page 2 not
    state = live.backend.read(
        "MATCH (s:SyncState {id: $id}) RETURN s.lastError AS e", id=org.source
    )
    assert "500" in state[0]["e"]
    org.standin.org.faults.fail_page = None
    report, _ = org.sync(live.backend)
    assert len(have()) == 4
    assert report.pulled["Account"] <= 1  # resumed: accounts were done
    assert live.backend.read(
        "MATCH (c:Contact {id: $c})-[r:WORKS_IN]->() RETURN count(r) AS n",
        c=f"sf-{org.id('003', 4)}",
    ) == [{"n": 1}]


def test_children_before_their_parents_fetch_the_ancestors(live: LiveApp, org: Org) -> None:
    a = lambda n: org.id("001", n)  # noqa: E731
    # The child is stamped first, so it comes on page 1; its parents only later.
    org.put("Account", Id=a(3), Name="Leaf", ParentId=a(2))
    org.put("Account", Id=a(9), Name="Other", ParentId=a(2))
    org.put("Account", Id=a(8), Name="Other 2", ParentId=a(2))
    org.put("Account", Id=a(2), Name="Middle", ParentId=a(1))
    org.put("Account", Id=a(1), Name="Root", ParentId=None)
    report, _ = org.sync(live.backend)
    assert not report.issues
    levels = {
        r["id"]: r["level"]
        for r in live.backend.read(
            "MATCH (:Account {id: $a})-[:HAS_UNIT]->(u) RETURN u.id AS id, u.level AS level",
            a=f"sf-acct-{a(1)}",
        )
    }
    assert levels == {
        f"sf-{a(1)}": "GLOBAL",
        f"sf-{a(2)}": "REGIONAL",
        f"sf-{a(3)}": "NATIONAL",
        f"sf-{a(8)}": "NATIONAL",
        f"sf-{a(9)}": "NATIONAL",
    }


def test_open_actions_are_pushed_as_tasks_once(live: LiveApp, org: Org) -> None:
    org.build()
    org.sync(live.backend)
    account = f"sf-acct-{org.id('001', 1)}"
    live.backend.write(
        """MATCH (a:Account {id: $a})
           CREATE (a)-[:HAS_PLAN]->(p:Plan {id: $a + '-plan'})
           CREATE (p)-[:HAS_ACTION]->(:Action
             {id: $a + '-act1', title: 'Book the plant visit', status: 'OPEN',
             due: date('2027-01-10')})
           CREATE (p)-[:HAS_ACTION]->(:Action
             {id: $a + '-act2', title: 'Done already', status: 'DONE'})""",
        a=account,
    )

    async def push() -> int:
        async with SalesforceClient(org.standin.settings()) as client:
            report = crm.SyncReport()
            await crm.push_actions(live.backend.db, client, report)
            return report.pushed

    assert live.backend.run(push()) >= 1
    tasks = [t for t in org.standin.org.records.get("Task", []) if t["WhatId"] == org.id("001", 1)]
    assert [(t["Subject"], t["ActivityDate"]) for t in tasks] == [
        ("Book the plant visit", "2027-01-10")
    ]
    live.backend.run(push())
    tasks = [t for t in org.standin.org.records.get("Task", []) if t["WhatId"] == org.id("001", 1)]
    assert len(tasks) == 1  # the Task id is kept on the action: never pushed twice


def test_jwt_bearer_flow(live: LiveApp, org: Org, tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "server.key"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    org.standin.org.jwt_key = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    org.build()
    report, client = org.sync(live.backend, flow="jwt", private_key_file=pem, password="")
    assert report.pulled["Account"] == 4 and client.logins == 1
    with pytest.raises(SalesforceError, match="refused the login"):
        org.sync(live.backend, client_id="someone-else")


def test_cli_sync_reports_json_and_names_missing_settings(
    backend: Backend, org: Org, tmp_path: Path
) -> None:
    org.build()
    env = {k: v for k, v in backend.cli_env().items() if not k.startswith("KAM_SALESFORCE_")}
    missing = subprocess.run(
        [sys.executable, "-m", "kam", "sync", "salesforce"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert missing.returncode == 2 and "KAM_SALESFORCE_CLIENT_ID" in missing.stderr
    env |= {
        "KAM_SALESFORCE_LOGIN_URL": org.standin.url,
        "KAM_SALESFORCE_CLIENT_ID": org.standin.org.client_id,
        "KAM_SALESFORCE_CLIENT_SECRET": org.standin.org.client_secret,
        "KAM_SALESFORCE_USERNAME": org.standin.org.username,
        "KAM_SALESFORCE_PASSWORD": org.standin.org.password,
    }
    done = subprocess.run(
        [sys.executable, "-m", "kam", "sync", "salesforce", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["written"]["Contact"] >= 4 and report["failed"] is None
    env["KAM_SALESFORCE_PASSWORD"] = "wrong"
    refused = subprocess.run(
        [sys.executable, "-m", "kam", "sync", "salesforce"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert refused.returncode == 1 and "refused the login" in refused.stderr
    assert "wrong" not in refused.stderr


def test_demo_shows_a_synced_account_and_an_imported_network(live: LiveApp) -> None:
    from integrations.demo import ACCOUNT, MEMBER, connect_demo

    first = live.backend.run(connect_demo(live.backend.db))
    assert first.synced == {
        "Account": 8,
        "Contact": 10,
        "Opportunity": 2,
        "OpportunityContactRole": 5,
        "Task": 1,  # the logged call; the open to-do and the deleted task are not interactions
        "Event": 1,
    }
    assert (first.linked, first.to_review) == (3, 1)
    assert first.meetings >= 12 and first.threads == 1  # four-weekly reviews, a visit, a thread
    again = live.backend.run(connect_demo(live.backend.db))  # again: nothing doubles
    assert (again.meetings, again.threads) == (first.meetings, first.threads)
    body = live.gql(
        """query($a: ID!) { account(id: $a) { name team { edges { node { role member { name } } } }
             units(first: 20) { edges { node { name level } } } } }""",
        {"a": ACCOUNT},
        as_user="executive",
    )["data"]["account"]
    assert body["name"] == "Borealis Foods Group"
    assert [n["member"]["name"] for n in nodes(body["team"])] == ["Petra Nystrom"]
    assert len(nodes(body["units"])) == 8
    ceo = live.gql(
        '{ contact(id: "sf-003BOR000000001") '
        "{ name knownBy { edges { node { member { name } since } } } } }",
        as_user="executive",
    )["data"]["contact"]
    assert ceo["name"] == "Ingrid Lund"
    assert nodes(ceo["knownBy"]) == [{"member": {"name": "Petra Nystrom"}, "since": "2019-03-14"}]
    captured = live.backend.read(
        "MATCH (:Account {id: $a})<-[:ABOUT]-(i:Interaction) WHERE i.captured = true "
        "RETURN count(i) AS n",
        a=ACCOUNT,
    )
    assert captured == [{"n": first.meetings + first.threads + 2}]  # + Salesforce's call and visit
    # Plan section (i) is filled, and a relationship turned fresh: Jonas (the four-weekly
    # review) is no longer stale; Ingrid, known and never met, still is.
    gaps = live.gql(
        "query($a: ID!) "
        "{ coverageGaps(accountId: $a) { staleRelationships { memberId contact { name } } } }",
        {"a": ACCOUNT},
        as_user="executive",
    )["data"]["coverageGaps"]
    names = {s["contact"]["name"] for s in gaps["staleRelationships"] if s["memberId"] == MEMBER}
    assert "Ingrid Lund" in names and "Jonas Weber" not in names
    history = live.gql(
        """query($a: ID!) { account(id: $a) { plan { interactions(first: 3) { edges { node {
             memberIds } } } }
             interactions(first: 3) { edges { node { memberIds } } } } }""",
        {"a": ACCOUNT},
        as_user="executive",
    )["data"]["account"]
    assert len(nodes(history["interactions"])) == 3
    assert nodes(history["plan"]["interactions"]) == nodes(history["interactions"])
    assert all(MEMBER in n["memberIds"] for n in nodes(history["interactions"]))
