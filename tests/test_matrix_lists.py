"""`geoDivisions` and `teamMembers`: what the portfolio's division and team-member filters offer."""

from __future__ import annotations

from datetime import date

from tests import factories
from tests.client_fixture import am_login, build_client
from tests.conftest import LiveApp

DIVISIONS = "{ geoDivisions { id name kind level parentId } }"
MEMBERS = """query($f: Int!, $a: String) { teamMembers(first: $f, after: $a) {
  edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }"""
BY_DIVISION = """query($g: ID) { accounts(filter: {geoDivisionId: $g}, first: 100) {
  edges { node { id } } } }"""


def _divisions(live: LiveApp, uid: str) -> None:
    live.backend.write(
        """
        MERGE (e:GeoDivision {id: $p + '-emea'}) SET e.name = $p + ' EMEA', e.level = 'REGION',
          e.kind = 'GEO'
        MERGE (d:GeoDivision {id: $p + '-dach'}) SET d.name = $p + ' DACH', d.level = 'COUNTRY',
          d.kind = 'GEO'
        MERGE (e)-[:PARENT_OF]->(d)
        WITH d
        MATCH (m:TeamMember {id: $p + '-mk'})
        MERGE (m)-[:COVERS]->(d)
        """,
        p=uid,
    )


def test_divisions_list_with_parents_and_filter_the_portfolio(live: LiveApp, uid: str) -> None:
    client = build_client(live.backend, uid)
    _divisions(live, uid)
    body = live.gql(DIVISIONS, as_user=am_login(live.backend, client))
    assert "errors" not in body, body
    mine = [d for d in body["data"]["geoDivisions"] if d["id"].startswith(uid)]
    assert mine == [
        {
            "id": f"{uid}-dach",
            "name": f"{uid} DACH",
            "kind": "GEO",
            "level": "COUNTRY",
            "parentId": f"{uid}-emea",
        },
        {
            "id": f"{uid}-emea",
            "name": f"{uid} EMEA",
            "kind": "GEO",
            "level": "REGION",
            "parentId": None,
        },
    ]
    names = [d["name"] for d in body["data"]["geoDivisions"]]
    assert names == sorted(names)
    for division in (f"{uid}-emea", f"{uid}-dach"):
        found = live.gql(BY_DIVISION, {"g": division}, as_user="executive")["data"]["accounts"]
        assert [e["node"]["id"] for e in found["edges"]] == [client.account]


def _members(live: LiveApp, user: str, first: int = 100) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        body = live.gql(MEMBERS, {"f": first, "a": after}, as_user=user)
        assert "errors" not in body, body
        page = body["data"]["teamMembers"]
        ids += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


def test_team_members_in_reach_by_name_and_paged(live: LiveApp, uid: str) -> None:
    client = build_client(live.backend, uid)
    stranger = factories.member_login(live.backend, uid, "CONTROLLING")  # on no account
    closed = {client.account: (date(2020, 1, 1), date(2021, 1, 1))}
    former = factories.member_login(live.backend, uid + "x", "MARKETING", closed)
    am = am_login(live.backend, client)
    seen = [m for m in _members(live, am) if m.startswith(uid)]
    assert seen == [client.id("am"), client.id("mk")]  # Alma Manager, Mika Marketing
    assert _members(live, stranger) == [f"{uid}-tm-controlling"]
    assert _members(live, former) == [f"{uid}x-tm-marketing"]
    everyone = _members(live, "executive", first=2)
    assert {client.id("am"), client.id("mk"), f"{uid}-tm-controlling"} <= set(everyone)
    assert len(everyone) == len(set(everyone)) == len(_members(live, "executive"))
    by_member = live.gql(
        """query($m: ID) { accounts(filter: {teamMemberId: $m}) { edges { node { id } } } }""",
        {"m": client.id("mk")},
        as_user="executive",
    )["data"]["accounts"]["edges"]
    assert [e["node"]["id"] for e in by_member] == [client.account]


def test_a_forged_cursor_and_no_login_are_refused(live: LiveApp) -> None:
    body = live.gql(MEMBERS, {"f": 5, "a": "not-a-cursor"}, as_user="executive")
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION", body
    anonymous = live.gql(DIVISIONS)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", anonymous
