"""A LinkedIn Connections.csv into the graph: confident matches become KNOWS, others wait."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from graph.linkedin import ConnectionsCsv, import_connections, normalise_url
from graph.writes import Actor
from tests.client_fixture import ClientFixture, build_client
from tests.conftest import Backend, LiveApp

NOTES = (
    'Notes:\n"When exporting your connection data, '
    'you may notice that some of the email addresses are missing."\n\n'
)


def connections_csv(client: ClientFixture) -> str:
    return NOTES + "\n".join(
        [
            "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
            # by URL
            f"Cora,CEO,https://de.linkedin.com/in/{client.prefix}-ceo/?trk=x,"
            ",Fixture,CEO,12 Mar 2021",
            f"Carl,CPO,,{client.prefix}-cpo@client.example,Fixture,CPO,01 Feb 2019",  # by email
            # name + company: review
            f"Nina,National,,,Fixture {client.prefix},Country Manager,05 May 2022",
            "Nobody,Known,https://www.linkedin.com/in/nobody-known,"
            ",Elsewhere Ltd,Engineer,05 May 2022",
        ]
    )


@pytest.fixture
def client(live: LiveApp, uid: str) -> ClientFixture:
    fixture = build_client(live.backend, uid)
    # Give the fixture's people the profile addresses a data download would hold.
    live.backend.write(
        "MATCH (c:Contact) WHERE c.id STARTS WITH $p "
        "SET c.linkedinUrl = 'https://www.linkedin.com/in/' + c.id, "
        "c.email = c.id + '@client.example'",
        p=uid,
    )
    return fixture


def test_normalise_url() -> None:
    assert (
        normalise_url("https://DE.linkedin.com/in/Jane-Doe-123/?trk=abc")
        == "https://www.linkedin.com/in/jane-doe-123"
    )
    assert normalise_url("not a profile") is None


def test_import_links_confident_matches_and_lists_uncertain_ones(
    live: LiveApp, client: ClientFixture
) -> None:
    member = client.id("mk")
    source = ConnectionsCsv(connections_csv(client))
    actor = Actor("user-admin", "admin", "test")
    report = live.backend.run(import_connections(live.backend.db, actor, member, source))
    assert [(m.contact_id, m.by) for m in report.linked] == [
        (client.id("ceo"), "URL"),
        (client.id("cpo"), "EMAIL"),
    ]
    assert [(m.contact_id, m.by, m.confidence) for m in report.review] == [
        (client.id("nat"), "NAME_AND_COMPANY", 0.7)
    ]
    assert [c.name for c in report.unmatched] == ["Nobody Known"]
    knows = live.backend.read(
        "MATCH (:TeamMember {id: $m})-[k:KNOWS]->(c:Contact) WHERE c.id STARTS WITH $p "
        "RETURN c.id AS c, k.since AS s ORDER BY c",
        m=member,
        p=client.prefix,
    )
    assert [(k["c"], k["s"].to_native()) for k in knows] == sorted(
        [
            (client.id("ceo"), date(2021, 3, 12)),
            (client.id("cpo"), date(2019, 2, 1)),
            (client.id("site"), date(2020, 1, 1)),
        ]
    )
    again = live.backend.run(import_connections(live.backend.db, actor, member, source))
    assert len(again.linked) == 2
    assert (
        len(
            live.backend.read(
                "MATCH (:TeamMember {id: $m})-[k:KNOWS]->(c:Contact) WHERE c.id STARTS "
                "WITH $p RETURN k",
                m=member,
                p=client.prefix,
            )
        )
        == 3
    )


def test_cli_dry_run_and_bad_file(backend: Backend, client: ClientFixture, tmp_path: Path) -> None:
    env = backend.cli_env()
    path = tmp_path / "Connections.csv"
    path.write_text(connections_csv(client))
    dry = subprocess.run(
        [
            sys.executable,
            "-m",
            "kam",
            "linkedin",
            "import",
            str(path),
            "--member",
            client.id("am"),
            "--dry-run",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert len(report["linked"]) == 2 and report["review"][0]["contact"] == "Nina National"
    assert (
        backend.read(
            "MATCH (:TeamMember {id: $m})-[:KNOWS]->(c:Contact {id: $c}) RETURN c",
            m=client.id("am"),
            c=client.id("ceo"),
        )
        == []
    )
    bad = tmp_path / "other.csv"
    bad.write_text("a,b\n1,2\n")
    refused = subprocess.run(
        [sys.executable, "-m", "kam", "linkedin", "import", str(bad), "--member", client.id("am")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert refused.returncode == 2 and "Connections.csv" in refused.stderr
