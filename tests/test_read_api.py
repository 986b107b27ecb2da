"""Named queries (docs/ARCHITECTURE.md §6) on a hand-built client: exact people, paths and gaps."""

from __future__ import annotations

import pytest

from tests.client_fixture import ClientFixture, am_login, build_client
from tests.conftest import LiveApp
from tests.factories import nodes


@pytest.fixture
def client(live: LiveApp, uid: str) -> ClientFixture:
    return build_client(live.backend, uid)


def names(items: list[dict[str, object]], key: str = "name") -> list[object]:
    return [i[key] for i in items]


def test_org_chart_level_by_level(live: LiveApp, client: ClientFixture) -> None:
    body = live.gql(
        """query($a: ID!) { orgChart(accountId: $a) {
             accountName unitCount contactCount
             levels { level units { name parentId contactCount contacts { name managerId }
               mirroredBy { name } } }
             reportingLines { fromId toId kind } } }""",
        {"a": client.account},
        as_user="executive",
    )
    assert "errors" not in body, body
    chart = body["data"]["orgChart"]
    assert chart["unitCount"] == 5
    assert chart["contactCount"] == 6
    assert [(lvl["level"], names(lvl["units"])) for lvl in chart["levels"]] == [
        ("GLOBAL", ["Global HQ"]),
        ("REGIONAL", ["Region EMEA"]),
        ("NATIONAL", ["France", "Germany"]),
        ("STATE", ["Bavaria"]),
    ]
    hq = chart["levels"][0]["units"][0]
    assert hq["mirroredBy"] == [{"name": "Alma Manager"}]
    assert hq["contacts"] == [
        {"name": "Cora CEO", "managerId": None},
        {"name": "Carl CPO", "managerId": client.id("ceo")},
    ]
    bavaria = chart["levels"][3]["units"][0]
    assert bavaria["parentId"] == client.id("N")
    assert bavaria["contacts"] == [{"name": "Sam Site", "managerId": client.id("nat")}]
    lines = {(x["fromId"], x["toId"], x["kind"]) for x in chart["reportingLines"]}
    assert lines == {
        (client.id("cpo"), client.id("ceo"), "SOLID"),
        (client.id("rpres"), client.id("ceo"), "SOLID"),
        (client.id("rpres"), client.id("cpo"), "DOTTED"),
        (client.id("nat"), client.id("rpres"), "SOLID"),
        (client.id("site"), client.id("nat"), "SOLID"),
    }
    assert body["extensions"]["dbRoundTrips"] == 2  # the chart, then the mirroring members


def test_org_chart_contacts_carry_every_field(live: LiveApp, client: ClientFixture) -> None:
    """Every field of a chart's contact and reporting line (the rows as the graph layer reads
    them), read straight and through fragments."""
    fields = "id name title buyingRole managerId"
    query = f"""query($a: ID!) {{ orgChart(accountId: $a) {{
        levels {{ units {{ straight: contacts {{ {fields} }} spread: contacts {{ ...C }} }} }}
        reportingLines {{ ...L }} }} }}
      fragment C on OrgContact {{ {fields} }} fragment L on ReportingLine {{ fromId toId kind }}"""
    body = live.gql(query, {"a": client.account}, as_user="executive")
    assert "errors" not in body, body
    units = [u for lvl in body["data"]["orgChart"]["levels"] for u in lvl["units"]]
    assert all(u["straight"] == u["spread"] for u in units)
    seen = {c["id"]: c for u in units for c in u["straight"]}
    assert seen[client.id("ceo")] == {
        "id": client.id("ceo"),
        "name": "Cora CEO",
        "title": "CEO",
        "buyingRole": "DECISION_MAKER",
        "managerId": None,
    }
    assert seen[client.id("site")]["managerId"] == client.id("nat")
    assert seen[client.id("buyer")]["title"] == "Buyer"
    lines = body["data"]["orgChart"]["reportingLines"]
    assert {"fromId": client.id("rpres"), "toId": client.id("cpo"), "kind": "DOTTED"} in lines


def test_contact_with_its_neighbourhood(live: LiveApp, client: ClientFixture) -> None:
    body = live.gql(
        """query($c: ID!) { contact(id: $c) { name unit { name level } managers { edges { node {
             kind contact { name } } } }
             reports { edges { node { name } } } influences
               { edges { node { strength contact { name } } } }
             influencedBy { edges { node { strength contact { name } } } }
             projects { edges { node { role project { name } } } } knownBy
               { edges { node { strength member { name } } } } } }""",
        {"c": client.id("nat")},
        as_user="executive",
    )
    assert "errors" not in body, body
    contact = body["data"]["contact"]
    for field in ("managers", "reports", "influences", "influencedBy", "projects", "knownBy"):
        contact[field] = nodes(contact[field])
    assert contact == {
        "name": "Nina National",
        "unit": {"name": "Germany", "level": "NATIONAL"},
        "managers": [{"kind": "SOLID", "contact": {"name": "Rita President"}}],
        "reports": [{"name": "Sam Site"}],
        "influences": [{"strength": 0.8, "contact": {"name": "Carl CPO"}}],
        "influencedBy": [{"strength": 0.5, "contact": {"name": "Sam Site"}}],
        "projects": [{"role": "CHAMPION", "project": {"name": "Attack line"}}],
        "knownBy": [],
    }
    rita = live.gql(
        "query($c: ID!) "
        "{ contact(id: $c) { managers { edges { node { kind contact { name } } } } } }",
        {"c": client.id("rpres")},
        as_user="executive",
    )
    assert sorted(
        (m["kind"], m["contact"]["name"]) for m in nodes(rita["data"]["contact"]["managers"])
    ) == [
        ("DOTTED", "Carl CPO"),
        ("SOLID", "Cora CEO"),
    ]


def test_influence_paths_strongest_first(live: LiveApp, client: ClientFixture) -> None:
    query = """query($a: ID!, $c: ID!, $h: Int!) { influencePaths(accountId: $a, toContactId: $c,
                 maxHops: $h) {
                 strength member { name } steps { kind fromName toName strength } } }"""
    body = live.gql(
        query, {"a": client.account, "c": client.id("ceo"), "h": 4}, as_user="executive"
    )
    assert "errors" not in body, body
    paths = body["data"]["influencePaths"]
    assert [(p["member"]["name"], p["strength"]) for p in paths] == [
        ("Alma Manager", pytest.approx(0.45)),  # am -0.5-> cpo -0.9-> ceo
        ("Alma Manager", pytest.approx(0.324)),  # am -0.9-> site -0.5-> nat -0.8-> cpo -0.9-> ceo
        ("Mika Marketing", pytest.approx(0.216)),  # mk -0.6-> site ... ceo
    ]
    assert paths[0]["steps"] == [
        {"kind": "KNOWS", "fromName": "Alma Manager", "toName": "Carl CPO", "strength": 0.5},
        {"kind": "INFLUENCES", "fromName": "Carl CPO", "toName": "Cora CEO", "strength": 0.9},
    ]
    short = live.gql(
        query, {"a": client.account, "c": client.id("ceo"), "h": 3}, as_user="executive"
    )
    assert [p["strength"] for p in short["data"]["influencePaths"]] == [pytest.approx(0.45)]


def test_coverage_gaps_find_each_gap(live: LiveApp, client: ClientFixture) -> None:
    body = live.gql(
        """query($a: ID!) { coverageGaps(accountId: $a, staleDays: 90) {
             coverageScore unknownKeyPeople { name } singleThreaded { contact { name } memberId }
             unmirroredUnits { name } projectsWithoutChampion { name }
             uncoveredBlockers { project { name } contact { name } }
             staleRelationships { memberId contact { name } lastInteraction } } }""",
        {"a": client.account},
        as_user="executive",
    )
    assert "errors" not in body, body
    gaps = body["data"]["coverageGaps"]
    assert gaps["coverageScore"] == 0.5  # ceo and cpo are key people; only cpo is known
    assert names(gaps["unknownKeyPeople"]) == ["Cora CEO"]
    assert gaps["singleThreaded"] == [
        {"contact": {"name": "Carl CPO"}, "memberId": client.id("am")}
    ]
    assert sorted(names(gaps["unmirroredUnits"])) == ["Bavaria", "France", "Germany", "Region EMEA"]
    assert names(gaps["projectsWithoutChampion"]) == ["Defend frame"]
    assert gaps["uncoveredBlockers"] == [
        {"project": {"name": "Attack line"}, "contact": {"name": "Bea Buyer"}}
    ]
    stale = [
        (s["memberId"], s["contact"]["name"], s["lastInteraction"] is None)
        for s in gaps["staleRelationships"]
    ]
    assert stale == [(client.id("mk"), "Sam Site", True), (client.id("am"), "Carl CPO", False)]


def test_an_uncovered_blockers_project_has_its_whole_buying_centre(
    live: LiveApp, client: ClientFixture
) -> None:
    # The blocker's row binds its own DECIDES edge and contact: the project's buying centre
    # beside it must still hold every decider, not that one alone.
    body = live.gql(
        """query($a: ID!) { coverageGaps(accountId: $a, staleDays: 90) {
             uncoveredBlockers { project { name buyingCentre { edges { node {
               role contact { name } } } } } } } }""",
        {"a": client.account},
        as_user="executive",
    )
    assert "errors" not in body, body
    (blocker,) = body["data"]["coverageGaps"]["uncoveredBlockers"]
    centre = blocker["project"]["buyingCentre"]["edges"]
    assert sorted((e["node"]["role"], e["node"]["contact"]["name"]) for e in centre) == [
        ("BLOCKER", "Bea Buyer"),
        ("CHAMPION", "Nina National"),
        ("DECISION_MAKER", "Cora CEO"),
        ("INFLUENCER", "Carl CPO"),
    ]


def test_decision_network_of_a_project(live: LiveApp, client: ClientFixture) -> None:
    body = live.gql(
        """query($a: ID!, $p: ID!) { decisionNetwork(accountId: $a, projectId: $p, maxHops: 1) {
             project { name } centre { role contact { name } } contacts { name } influences
               { fromId toId strength } } }""",
        {"a": client.account, "p": client.id("p1")},
        as_user="executive",
    )
    assert "errors" not in body, body
    net = body["data"]["decisionNetwork"]
    assert net["project"] == {"name": "Attack line"}
    assert sorted((c["role"], c["contact"]["name"]) for c in net["centre"]) == [
        ("BLOCKER", "Bea Buyer"),
        ("CHAMPION", "Nina National"),
        ("DECISION_MAKER", "Cora CEO"),
        ("INFLUENCER", "Carl CPO"),
    ]
    assert sorted(names(net["contacts"])) == [
        "Bea Buyer",
        "Carl CPO",
        "Cora CEO",
        "Nina National",
        "Sam Site",
    ]
    edges = {
        (i["fromId"].split("-")[-1], i["toId"].split("-")[-1], i["strength"])
        for i in net["influences"]
    }
    assert edges == {
        ("site", "nat", 0.5),
        ("nat", "cpo", 0.8),
        ("cpo", "ceo", 0.9),
        ("buyer", "cpo", 0.4),
    }


def test_partner_options_internal_first_and_scoped_history(
    live: LiveApp, client: ClientFixture
) -> None:
    q = """query($n: ID!) { partnerOptions(needId: $n) { needName
             options { capabilityName recommendation
             internal { name } partners { partnerName history { projectName accountName } } } } }"""
    internal = live.gql(q, {"n": client.id("need-int")}, as_user="executive")["data"][
        "partnerOptions"
    ]
    assert internal["options"] == [
        {
            "capabilityName": "Internal capability",
            "recommendation": "INTERNAL",
            "internal": [{"name": f"Area {client.prefix}"}],
            "partners": [],
        }
    ]
    partner = live.gql(q, {"n": client.id("need-ptn")}, as_user="executive")["data"][
        "partnerOptions"
    ]
    offer = partner["options"][0]
    assert offer["recommendation"] == "PARTNER"
    assert {h["projectName"] for h in offer["partners"][0]["history"]} == {
        "Attack line",
        "Other project",
    }
    # The account manager is not on `other`: its project stays out of the partner's history.
    scoped = live.gql(q, {"n": client.id("need-ptn")}, as_user=am_login(live.backend, client))
    assert [
        h["projectName"]
        for h in scoped["data"]["partnerOptions"]["options"][0]["partners"][0]["history"]
    ] == ["Attack line"]


def test_compare_accounts_side_by_side(live: LiveApp, client: ClientFixture) -> None:
    body = live.gql(
        """query($ids: [ID!]!) { compareAccounts(ids: $ids) { account { id marketPotential }
             openProjects { attack defend attackValue defendValue } coverageScore teamSize
               competitors { name share position } } }""",
        {"ids": [client.account, client.other]},
        as_user="executive",
    )
    assert "errors" not in body, body
    mine, other = body["data"]["compareAccounts"]
    assert mine == {
        "account": {"id": client.account, "marketPotential": 12500000.0},
        "openProjects": {
            "attack": 1,
            "defend": 1,
            "attackValue": 400000.0,
            "defendValue": 900000.0,
        },
        "coverageScore": 0.5,
        "teamSize": 2,
        "competitors": [{"name": f"Rival {client.prefix}", "share": 0.3, "position": "LEADER"}],
    }
    assert other["account"]["id"] == client.other
    assert other["openProjects"]["attack"] == 1 and other["teamSize"] == 0
    # An account out of the caller's reach answers like a missing one.
    denied = live.gql(
        "query($ids: [ID!]!) { compareAccounts(ids: $ids) { coverageScore } }",
        {"ids": [client.account, client.other]},
        as_user=am_login(live.backend, client),
    )
    assert denied["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_interaction_history_newest_first(live: LiveApp, client: ClientFixture) -> None:
    body = live.gql(
        "query($a: ID!) "
        "{ account(id: $a) "
        "{ interactions(first: 10) { edges { node { summary contactIds memberIds } } } } }",
        {"a": client.account},
        as_user="executive",
    )
    edges = body["data"]["account"]["interactions"]["edges"]
    assert [e["node"]["summary"] for e in edges] == ["Talked with Sam Site", "Talked with Carl CPO"]


def test_round_trips_do_not_grow_with_rows(live: LiveApp) -> None:
    query = """query($n: Int!) { account(id: "acc-nordwind") { name units(first: $n) {
                 edges { node {
                 name children(first: 5) { edges { node { name } } }
                 contacts(first: $n) {
                   edges { node { name knownBy(first: 2) { edges { node { strength } } } } } }
                 } } }
                 team { edges { node { role member { name } } } } } }"""
    small = live.gql(query, {"n": 1}, as_user="executive")
    large = live.gql(
        query, {"n": 15}, as_user="executive"
    )  # under the cost limit (about 3,500 rows)
    assert "errors" not in large, large["errors"][:2]

    def contacts(body: dict[str, object]) -> int:
        units = body["data"]["account"]["units"]["edges"]  # type: ignore[index]
        return sum(len(u["node"]["contacts"]["edges"]) for u in units)

    assert contacts(large) > 100 * contacts(small)
    assert large["extensions"]["dbRoundTrips"] == small["extensions"]["dbRoundTrips"] <= 8


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        (
            '{ influencePaths(accountId: "x", toContactId: "y", maxHops: 7) { strength } }',
            "maxHops",
        ),
        (
            '{ influencePaths(accountId: "x", toContactId: "y", maxHops: 0) { strength } }',
            "maxHops",
        ),
        (
            '{ decisionNetwork(accountId: "x", projectId: "y", maxHops: 5) { contacts { id } } }',
            "maxHops",
        ),
        ('{ account(id: "acc-nordwind") { units(first: 101) { edges { cursor } } } }', "first"),
        ('{ coverageGaps(accountId: "x", staleDays: 0) { coverageScore } }', "staleDays"),
    ],
)
def test_bounds_are_validation_errors_naming_the_argument(
    live: LiveApp, query: str, argument: str
) -> None:
    body = live.gql(query, as_user="executive")
    error = body["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION"
    assert f"'{argument}'" in error["message"]


@pytest.mark.parametrize(
    "query",
    [
        '{ orgChart(accountId: "nope") { unitCount } }',
        '{ contact(id: "nope") { name } }',
        '{ influencePaths(accountId: "nope", toContactId: "nope") { strength } }',
        '{ coverageGaps(accountId: "nope") { coverageScore } }',
        '{ decisionNetwork(accountId: "nope", projectId: "nope") { contacts { id } } }',
        '{ partnerOptions(needId: "nope") { needName } }',
    ],
)
def test_unknown_ids_are_not_found(live: LiveApp, query: str) -> None:
    body = live.gql(query, as_user="executive")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_market_potential_only_in_own_segment_for_account_managers(
    live: LiveApp, client: ClientFixture
) -> None:
    user = am_login(live.backend, client)
    live.backend.write(
        "MATCH (m:TeamMember {id: $m}), (o:Account {id: $o}) MERGE (m)-[t:ON_TEAM]->(o) "
        "SET t.role = 'ACCOUNT_MANAGER', t.from = date('2020-01-01')",
        m=client.id("am"),
        o=client.other,
    )
    q = "query($a: ID!) { account(id: $a) { segment marketPotential } }"
    own = live.gql(q, {"a": client.account}, as_user=user)
    assert own["data"]["account"] == {"segment": "Industrial", "marketPotential": 12500000.0}
    foreign = live.gql(q, {"a": client.other}, as_user=user)
    assert foreign["data"]["account"] == {"segment": "Energy", "marketPotential": None}
    assert foreign["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert foreign["errors"][0]["path"] == ["account", "marketPotential"]
    # Sorting by the figure would leak it through the order: refused for a conditional grant.
    sort = live.gql("{ accounts(sort: MARKET_POTENTIAL) { edges { cursor } } }", as_user=user)
    assert sort["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    ok = live.gql(
        "{ accounts(first: 100, sort: MARKET_POTENTIAL) { edges { node { marketPotential } } } }",
        as_user="controlling",
    )
    values = [e["node"]["marketPotential"] or -1 for e in ok["data"]["accounts"]["edges"]]
    assert values == sorted(values, reverse=True)


def test_short_lists_are_connections_paged_by_cursor(live: LiveApp, client: ClientFixture) -> None:
    """Managers, influences, team, ... page with first/after like every other list."""
    query = """query($c: ID!, $n: Int!, $after: String) { contact(id: $c) {
                 managers(first: $n, after: $after)
                   { edges { cursor node { kind contact { name } } }
                 pageInfo { hasNextPage endCursor } } } }"""
    seen: list[tuple[str, str]] = []
    after = None
    for _ in range(5):
        body = live.gql(
            query, {"c": client.id("rpres"), "n": 1, "after": after}, as_user="executive"
        )
        assert "errors" not in body, body
        page = body["data"]["contact"]["managers"]
        seen += [(n["kind"], n["contact"]["name"]) for n in nodes(page)]
        assert len(page["edges"]) == 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == [("DOTTED", "Carl CPO"), ("SOLID", "Cora CEO")]
    whole = live.gql(query, {"c": client.id("rpres"), "n": 100}, as_user="executive")
    assert len(whole["data"]["contact"]["managers"]["edges"]) == 2
    assert whole["data"]["contact"]["managers"]["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("arguments", "argument", "says"),
    [
        ("first: 0", "first", "between 1 and 100"),
        ("first: 101", "first", "between 1 and 100"),
        ('after: "not-a-cursor"', "after", "not a cursor"),
        # a well-formed cursor naming nobody on the list: refused, never guessed
        ('after: "WyJub2JvZHkiXQ=="', "after", "no longer in this list"),
    ],
)
def test_short_list_paging_bounds(
    live: LiveApp, client: ClientFixture, arguments: str, argument: str, says: str
) -> None:
    body = live.gql(
        "query($a: ID!) { account(id: $a) { team(" + arguments + ") { edges { cursor } } } }",
        {"a": client.account},
        as_user="executive",
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION"
    assert error["extensions"]["argument"] == argument and says in error["message"], error


def test_account_page_is_one_round_trip_and_the_same_as_loaded_field_by_field(
    live: LiveApp, client: ClientFixture
) -> None:
    """The account with its units, contacts, team (with members) and projects comes in one
    query; the same selection through a fragment (which the page query does not fold in) loads
    list by list and must give exactly the same answer."""
    lists = """units(first: 2) {
                 edges { cursor node { name level } } pageInfo { hasNextPage endCursor } }
               contacts(first: 3, after: $after) {
                 edges { node { name title } } pageInfo { hasNextPage } }
               team { edges { node { role member { name } } } }
               projects { edges { node { name kind } } }"""
    folded = "query($a: ID!, $after: String) { account(id: $a) { name " + lists + " } }"
    by_field = (
        "query($a: ID!, $after: String) { account(id: $a) { name ... on Account { "
        + lists
        + " } } }"
    )
    contacts_cursor = live.gql(
        "query($a: ID!) { account(id: $a) { contacts(first: 2) { pageInfo { endCursor } } } }",
        {"a": client.account},
        as_user="executive",
    )["data"]["account"]["contacts"]["pageInfo"]["endCursor"]
    for after in (None, contacts_cursor):
        variables = {"a": client.account, "after": after}
        one = live.gql(folded, variables, as_user="executive")
        many = live.gql(by_field, variables, as_user="executive")
        assert "errors" not in one and "errors" not in many, (one, many)
        assert one["data"] == many["data"]
        assert one["data"]["account"]["units"]["pageInfo"]["hasNextPage"] is True
        assert one["extensions"]["dbRoundTrips"] == 1
        # account, units, contacts, team (with its members), projects
        assert many["extensions"]["dbRoundTrips"] == 5
    # Out of scope or missing: the same NOT_FOUND as ever.
    for who, account in (("account_manager", client.account), ("executive", "no-such-account")):
        refused = live.gql(folded, {"a": account, "after": None}, as_user=who)
        assert refused["data"]["account"] is None
        assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_an_account_shows_its_current_plan_as_the_plan_query_does(live: LiveApp) -> None:
    """`Account.plan` is the latest plan, section by section as the role may read it, the same
    whether folded into the account's query, loaded by its loader, or asked of `plan`."""
    fields = "id period version threats revenueGoal shareOfWalletGoal"
    folded = "query($a: ID!) { account(id: $a) { name plan { " + fields + " } } }"
    by_field = (
        "query($a: ID!) { account(id: $a) { name ... on Account { plan { " + fields + " } } } }"
    )
    root = "query($a: ID!) { plan(accountId: $a) { " + fields + " } }"
    for role in ("executive", "marketing"):
        one = live.gql(folded, {"a": "acc-nordwind"}, as_user=role)
        many = live.gql(by_field, {"a": "acc-nordwind"}, as_user=role)
        alone = live.gql(root, {"a": "acc-nordwind"}, as_user=role)
        assert one["data"] == many["data"]
        assert one["data"]["account"]["plan"] == alone["data"]["plan"]
        assert (
            one["data"]["account"]["plan"] is not None
        )  # the demo plans (other tests add periods)
        assert one["extensions"]["dbRoundTrips"] == 1 and many["extensions"]["dbRoundTrips"] == 2
        refused = sorted(e["path"][-1] for e in one.get("errors", []))
        assert refused == sorted(e["path"][-1] for e in alone.get("errors", []))
        if role == "executive":
            assert refused == []
        else:  # financial goals are not for marketing: null with FORBIDDEN at their paths
            assert refused == ["revenueGoal", "shareOfWalletGoal"], one
            assert one["data"]["account"]["plan"]["revenueGoal"] is None


def test_an_account_without_a_plan_shows_none(live: LiveApp, client: ClientFixture) -> None:
    body = live.gql(
        "query($a: ID!) { account(id: $a) { plan { id } } }",
        {"a": client.account},
        as_user="executive",
    )
    assert "errors" not in body and body["data"]["account"]["plan"] is None


def test_contact_page_folds_unit_and_links_into_the_contact_query_and_answers_the_same(
    live: LiveApp,
) -> None:
    """The contact, its unit, its links and the people they name come in one query (then the
    projects): the same answer, errors included, as loading them field by field."""
    fields = """id name title email unit { name level }
        managers { edges { node { kind contact { name } } } }
        reports { edges { node { name } } }
        influences { edges { node { strength contact { name } } } }
        influencedBy { edges { node { strength contact { name } } } }
        projects { edges { node { role project { name } } } }
        knownBy { edges { node { strength member { name } } } }"""
    folded = "query($c: ID!) { contact(id: $c) { " + fields + " } }"
    by_field = "query($c: ID!) { contact(id: $c) { ... on Contact { " + fields + " } } }"
    target = "acc-nordwind-u-global-c000"
    for role in ("executive", "market_research"):
        one = live.gql(folded, {"c": target}, as_user=role)
        many = live.gql(by_field, {"c": target}, as_user=role)
        assert one["data"] == many["data"]
        assert sorted(str(e["path"]) for e in one.get("errors", [])) == sorted(
            str(e["path"]) for e in many.get("errors", [])
        )
        contact = one["data"]["contact"]
        assert contact["unit"]["name"] and contact["reports"]["edges"], contact
        # The unit, the links and their people come with the contact (who decides in no
        # project: no project loader either).
        assert not (contact["projects"] or {}).get("edges")
        assert one["extensions"]["dbRoundTrips"] == 1 < many["extensions"]["dbRoundTrips"]
    out_of_scope = live.gql(folded, {"c": "acc-aurora-u-global-c000"}, as_user="account_manager")
    missing = live.gql(folded, {"c": "no-such-contact"}, as_user="executive")
    for refused in (out_of_scope, missing):
        assert refused["data"]["contact"] is None
        assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_contact_page_brings_only_the_linked_people_the_loader_would_give(
    live: LiveApp, client: ClientFixture
) -> None:
    """A linked person of another account, or one archived, is left to the contact loader:
    the folded page answers as the field-by-field one does, for a caller who may see the other
    account and for one who may not."""
    backend = live.backend
    outsider = client.id("outsider")
    backend.write(
        "MATCH (o:Account {id: $o}), (n:Contact {id: $n}) "
        "MERGE (u:ClientUnit {id: $u}) SET u.name = 'Other HQ', u.level = 'GLOBAL' "
        "MERGE (o)-[:HAS_UNIT]->(u) "
        "MERGE (x:Contact {id: $x}) SET x.name = 'Otto Outsider' MERGE (x)-[:WORKS_IN]->(u) "
        "MERGE (n)-[r:INFLUENCES]->(x) SET r.strength = 0.9 "
        "MERGE (n)-[m:REPORTS_TO]->(x) SET m.kind = 'DOTTED'",
        o=client.prefix + "-other",
        n=client.id("nat"),
        u=client.id("other-hq"),
        x=outsider,
    )
    backend.write("MATCH (c:Contact {id: $c}) SET c.archived = true", c=client.id("site"))
    fields = """name managers { edges { node { kind contact { name } } } }
        reports { edges { node { name } } }
        influences { edges { node { strength contact { name } } } }
        influencedBy { edges { node { strength contact { name } } } }
        knownBy { edges { node { strength member { name } } } }"""
    folded = "query($c: ID!) { contact(id: $c) { " + fields + " } }"
    by_field = "query($c: ID!) { contact(id: $c) { ... on Contact { " + fields + " } } }"
    seen = {}
    for role in ("executive", am_login(backend, client)):
        one = live.gql(folded, {"c": client.id("nat")}, as_user=role)
        many = live.gql(by_field, {"c": client.id("nat")}, as_user=role)
        assert "errors" not in one, one["errors"]
        assert one["data"] == many["data"]
        contact = one["data"]["contact"]
        seen[role] = {
            field: sorted(str(n) for n in nodes(contact[field]))
            for field in ("managers", "reports", "influences", "influencedBy")
        }
        # The outsider is asked of the loader (one more round trip), all else came with it.
        assert one["extensions"]["dbRoundTrips"] == 2 < many["extensions"]["dbRoundTrips"]
    everyone = seen["executive"]
    assert "{'strength': 0.9, 'contact': {'name': 'Otto Outsider'}}" in everyone["influences"]
    assert "{'kind': 'DOTTED', 'contact': {'name': 'Otto Outsider'}}" in everyone["managers"]
    assert everyone["reports"] == everyone["influencedBy"] == []  # Sam Site is archived
    mine = next(v for k, v in seen.items() if k != "executive")
    assert not any("Outsider" in x for found in mine.values() for x in found)
    alone = live.gql(
        "query($c: ID!) { contact(id: $c) { influences { edges { node { contact { name } } } } } }",
        {"c": client.id("ceo")},
        as_user="executive",
    )
    assert alone["extensions"]["dbRoundTrips"] == 1


def test_portfolio_page_brings_projects_in_its_one_query_and_answers_the_same(
    live: LiveApp, client: ClientFixture
) -> None:
    """An account list with each account's projects is one query; the same selection through a
    fragment (not folded in) loads the projects by their loader and must answer the same, on
    the first page and the next, and for a role that may not see projects at all."""
    node = """id name projects(first: 3) { edges { cursor node { id name kind status stage value
                nextStep partnerIds statusHistory milestones { id name due doneAt }
                buyingCentre { edges { node { role contact { id } } } } } }
                pageInfo { hasNextPage } }"""
    folded = (
        "query($after: String) { accounts(first: 2, after: $after) { edges { cursor node { "
        + node
        + " } } pageInfo { hasNextPage endCursor } } }"
    )
    by_field = folded.replace("node { " + node, "node { ... on Account { " + node + " }")
    assert by_field != folded
    after = None
    seen_projects = 0
    for _page in range(3):
        one = live.gql(folded, {"after": after}, as_user="executive")
        many = live.gql(by_field, {"after": after}, as_user="executive")
        assert "errors" not in one and "errors" not in many, (one, many)
        assert one["data"] == many["data"]
        edges = one["data"]["accounts"]["edges"]
        seen_projects += sum(len(e["node"]["projects"]["edges"]) for e in edges)
        # the projects come with the list (the buying centre's people are one more query)
        assert one["extensions"]["dbRoundTrips"] == many["extensions"]["dbRoundTrips"] - 1 <= 2
        after = one["data"]["accounts"]["pageInfo"]["endCursor"]
    assert seen_projects > 0
    # A role without the projects section gets the same answer both ways, and no projects.
    one = live.gql(folded, {"after": None}, as_user="market_research")
    many = live.gql(by_field, {"after": None}, as_user="market_research")
    assert one["data"] == many["data"]
    assert one["data"]["accounts"]["edges"], one
    assert all(e["node"]["projects"] is None for e in one["data"]["accounts"]["edges"])
    assert [e["extensions"]["code"] for e in one["errors"]] == [
        e["extensions"]["code"] for e in many["errors"]
    ]


def test_account_times_read_as_text_are_the_stored_instants(live: LiveApp, uid: str) -> None:
    """Account times travel as text (cheaper than the driver's temporal types): written by
    the app (a UTC datetime) or by Cypher's datetime() (`…Z[Etc/UTC]` on ArcadeDB) or with an
    offset, each reads back as the same instant, with its zone."""
    from datetime import UTC, datetime, timedelta

    written = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    ids = [f"{uid}-t{i}" for i in range(3)]
    live.backend.write(
        "CREATE (:Account {id: $a, name: $a, createdAt: $at, updatedAt: datetime()}), "
        "(:Account {id: $b, name: $b, createdAt: datetime('2020-01-01T10:00:00+01:00')}), "
        "(:Account {id: $c, name: $c})",
        a=ids[0],
        b=ids[1],
        c=ids[2],
        at=written,
    )
    query = "query($id: ID!) { account(id: $id) { createdAt updatedAt } }"
    got = [live.gql(query, {"id": i}, as_user="executive")["data"]["account"] for i in ids]
    assert datetime.fromisoformat(got[0]["createdAt"]) == written
    updated = datetime.fromisoformat(got[0]["updatedAt"])
    assert updated.tzinfo is not None
    assert abs(datetime.now(UTC) - updated) < timedelta(minutes=5)
    assert datetime.fromisoformat(got[1]["createdAt"]) == datetime(2020, 1, 1, 9, tzinfo=UTC)
    assert got[2] == {"createdAt": None, "updatedAt": None}


def test_projects_without_details_are_fetched_only_when_no_detail_is_selected(
    live: LiveApp, client: ClientFixture
) -> None:
    """A selection of the projects' own fields (a portfolio's figures) loads them without their
    buying centre, partners, milestones and history; any selection that could reach a detail,
    under another alias, merged into the same field or inside a fragment, gets the details."""
    figures = "edges { node { id name kind status stage value nextStep accountId __typename } }"
    people = "edges { node { id buyingCentre { edges { node { role contact { id } } } } } }"
    reference = live.gql(
        "query($a: ID!) { account(id: $a) { projects { " + people + " } } }",
        {"a": client.account},
        as_user="executive",
    )["data"]["account"]["projects"]
    assert any(e["node"]["buyingCentre"]["edges"] for e in reference["edges"]), reference
    # Only figures: the page's one query, and the same figures as through a fragment.
    one = live.gql(
        "query($a: ID!) { account(id: $a) { projects { " + figures + " } } }",
        {"a": client.account},
        as_user="executive",
    )
    unfolded = live.gql(
        "query($a: ID!) { account(id: $a) { ... on Account { projects { " + figures + " } } } }",
        {"a": client.account},
        as_user="executive",
    )
    assert one["data"] == unfolded["data"] and one["extensions"]["dbRoundTrips"] == 1
    # Figures and people side by side: under two aliases, merged, and through a fragment.
    for both in (
        "f: projects { " + figures + " } p: projects { " + people + " }",
        "p: projects { " + figures + " } p: projects { " + people + " }",
        "f: projects { " + figures + " } p: projects { edges { node { ...People } } }",
    ):
        fragment = (
            " fragment People on Project "
            "{ id buyingCentre { edges { node { role contact { id } } } } }"
            if "...People" in both
            else ""
        )
        got = live.gql(
            "query($a: ID!) { account(id: $a) { " + both + " } }" + fragment,
            {"a": client.account},
            as_user="executive",
        )
        assert "errors" not in got, got
        with_people = got["data"]["account"]["p"]["edges"]
        assert [
            {"id": e["node"]["id"], "buyingCentre": e["node"]["buyingCentre"]} for e in with_people
        ] == [e["node"] for e in reference["edges"]], both
    # The same on a portfolio page: figures only, then with people.
    listed = (
        "query($n: String) { accounts(first: 1, filter: {nameContains: $n}) "
        "{ edges { node { id projects { %s } } } } }"
    )
    named = {"n": "Fixture " + client.prefix}
    lean = live.gql(listed % figures, named, as_user="executive")
    full = live.gql(listed % people, named, as_user="executive")
    assert "errors" not in lean and "errors" not in full, (lean, full)
    assert lean["extensions"]["dbRoundTrips"] == 1
    mine = [e for e in full["data"]["accounts"]["edges"] if e["node"]["id"] == client.account]
    assert mine and mine[0]["node"]["projects"] == reference


def test_every_account_filter_alone_and_together_with_paging_in_both_orders(
    live: LiveApp, client: ClientFixture
) -> None:
    """Each filter of the account list (only those in use go into the query), combined, and
    with a cursor, in the name order and the market-potential order."""
    p = client.prefix
    live.backend.write(
        "MATCH (am:TeamMember {id: $p + '-am'}) "
        "MERGE (eu:GeoDivision {id: $p + '-eu'}) SET eu.name = 'Europe' "
        "MERGE (de:GeoDivision {id: $p + '-de'}) SET de.name = 'Germany' "
        "MERGE (us:GeoDivision {id: $p + '-us'}) SET us.name = 'USA' "
        "MERGE (eu)-[:PARENT_OF]->(de) MERGE (am)-[:COVERS]->(de)",
        p=p,
    )
    query = """query($f: AccountFilterInput, $first: Int, $after: String, $sort: AccountSort) {
        accounts(first: $first, after: $after, filter: $f, sort: $sort) {
          edges { node { id } } pageInfo { hasNextPage endCursor } } }"""

    def ids(first: int = 10, after: str | None = None, sort: str = "NAME", **f: str) -> list[str]:
        body = live.gql(
            query,
            {"f": {"nameContains": p, **f}, "first": first, "after": after, "sort": sort},
            as_user="executive",
        )
        assert "errors" not in body, body
        return [e["node"]["id"] for e in body["data"]["accounts"]["edges"]]

    mine, other = client.account, client.other
    assert ids() == [mine, other]  # "Fixture …" before "Other …"
    assert ids(segment="Industrial") == [mine] and ids(segment="Energy") == [other]
    assert ids(industry="Machinery") == [mine] and ids(industry="Retail") == []
    assert ids(tier="A") == [mine] and ids(tier="B") == []
    assert ids(status="ACTIVE") == [mine, other] and ids(status="DORMANT") == []
    assert ids(teamMemberId=p + "-am") == [mine] and ids(teamMemberId=p + "-mk") == [mine]
    assert ids(teamMemberId="nobody") == []
    assert ids(geoDivisionId=p + "-de") == [mine]
    assert ids(geoDivisionId=p + "-eu") == [mine]  # through the division tree
    assert ids(geoDivisionId=p + "-us") == []
    assert ids(segment="Industrial", teamMemberId=p + "-am", geoDivisionId=p + "-eu") == [mine]
    assert ids(segment="Energy", teamMemberId=p + "-am") == []
    # Paging with a cursor, in both orders.
    for sort, order in (("NAME", [mine, other]), ("MARKET_POTENTIAL", [mine, other])):
        body = live.gql(
            query, {"f": {"nameContains": p}, "first": 1, "sort": sort}, as_user="executive"
        )["data"]["accounts"]
        assert [e["node"]["id"] for e in body["edges"]] == order[:1]
        assert body["pageInfo"]["hasNextPage"] is True
        assert ids(first=1, after=body["pageInfo"]["endCursor"], sort=sort) == order[1:]


def test_a_document_with_directives_answers_each_request_by_its_own_variables(
    live: LiveApp,
) -> None:
    """The same document sent again with other variables answers by those variables: what a
    directive includes or skips is decided per request (validation is remembered per text,
    resolvers/validation.py; nothing of the execution is)."""
    query = """query($x: Boolean!) { account(id: "acc-nordwind") { name segment @include(if: $x)
                 units(first: 1) { edges { node { name level @skip(if: $x) } } } } }"""
    for x in (True, False, True, False):
        account = live.gql(query, {"x": x}, as_user="executive")["data"]["account"]
        assert ("segment" in account) is x
        assert ("level" in account["units"]["edges"][0]["node"]) is not x
