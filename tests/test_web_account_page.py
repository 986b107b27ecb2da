"""The account page in a real browser: choosing people among all of an account's contacts, the
KPI chart, the plan history's values, who sees that history, where the focus goes during a
plan edit, how the cards are laid out, and a decision network whose people do not overlap.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import factories
from tests.client_fixture import ClientFixture, am_login, build_client
from tests.conftest import DEMO_PASSWORD, LiveApp
from tests.web.browser import Watched, one_browser, signed_in

EXTRA = 130  # more people than one page of the API (100), so the last ones need a second
CROWD = 45  # of them influence the attack project's decision makers: more than the graph draws


browser = pytest.fixture(scope="module", name="browser")(one_browser)


@pytest.fixture(scope="module")
def client(live: LiveApp) -> ClientFixture:
    """The hand-built client, with `EXTRA` more people in Bavaria and two namesakes."""
    c = build_client(live.backend, "ap" + secrets.token_hex(4))
    live.backend.write(
        """
        MATCH (u:ClientUnit {id: $bavaria}), (f:ClientUnit {id: $france})
        UNWIND range(1, $n) AS i
        CREATE (x:Contact {id: $p + '-extra-' + toString(i),
                           name: 'Zeno Extra ' + right('00' + toString(i), 3),
                           title: 'Engineer'})
        CREATE (x)-[:WORKS_IN]->(u)
        WITH DISTINCT u, f
        CREATE (a:Contact {id: $p + '-twin-de', name: 'Pat Twin', title: 'Plant Manager'})
        CREATE (b:Contact {id: $p + '-twin-fr', name: 'Pat Twin', title: 'Buyer'})
        CREATE (a)-[:WORKS_IN]->(u)
        CREATE (b)-[:WORKS_IN]->(f)
        WITH DISTINCT u
        // A crowd around the buying centre of the attack project, for its decision network.
        UNWIND range(1, $crowd) AS i
        MATCH (x:Contact {id: $p + '-extra-' + toString(i)}),
              (t:Contact {id: $p + CASE i % 2 WHEN 0 THEN '-ceo' ELSE '-cpo' END})
        CREATE (x)-[:INFLUENCES {strength: 0.5}]->(t)
        """,
        bavaria=c.id("S"),
        france=c.id("N2"),
        p=c.prefix,
        n=EXTRA,
        crowd=CROWD,
    )
    plan = live.gql(
        """mutation($a: ID!) { startPlan(input: {accountId: $a, period: "2026"}) {
             ... on PlanPayload { plan { id version } } } }""",
        {"a": c.account},
        as_user="admin",
    )["data"]["startPlan"]["plan"]
    updated = live.gql(
        """mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { __typename } }""",
        {
            "i": {
                "planId": plan["id"],
                "expectedVersion": plan["version"],
                "patch": {"shareOfWalletActual": 0.24, "revenueGoal": 3000000.0},
            }
        },
        as_user="admin",
    )["data"]["updatePlan"]
    assert updated["__typename"] == "PlanPayload"
    review = live.gql(
        """mutation($in: RecordReviewInput!) { recordReview(input: $in) { __typename } }""",
        {
            "in": {
                "planId": plan["id"],
                "kind": "QUARTERLY",
                "findings": "Close to plan",
                "kpis": [
                    {"name": "Share of wallet", "actual": 0.22, "goal": 0.3},
                    {"name": "Revenue", "actual": 2900000.0, "goal": 3000000.0},
                    {"name": "Workshops", "actual": 3.0},
                ],
            }
        },
        as_user="admin",
    )["data"]["recordReview"]
    assert review["__typename"] == "ReviewPayload"
    return c


@contextmanager
def _manager_on_account(
    live: LiveApp, client: ClientFixture, browser: Browser, route: str = ""
) -> Iterator[Watched]:
    """The fixture's account manager, signed in, on the account page (or `route` under it)."""
    username = am_login(live.backend, client)
    with signed_in(browser, live.url, "account_manager", username, DEMO_PASSWORD) as w:
        w.go(f"/account/{client.account}{route}")
        yield w


def _cards_pair_up(page: Page) -> None:
    """Every card of the grid shares its row with another one or spans the whole row."""
    grid = page.locator("main .grid").first
    width = grid.bounding_box()["width"]  # type: ignore[index]
    boxes = [c.bounding_box() for c in grid.locator(":scope > .card").all()]
    assert len(boxes) >= 2
    for box in boxes:
        assert box is not None
        beside = [b for b in boxes if b is not box and b is not None and abs(b["y"] - box["y"]) < 2]
        assert beside or box["width"] > 0.95 * width, f"a card alone on half a row: {box}"


def test_the_interaction_form_finds_anyone_of_the_account_and_tells_namesakes_apart(
    live: LiveApp, client: ClientFixture, browser: Browser
) -> None:
    c = client
    with _manager_on_account(live, c, browser) as w:
        page = w.page
        section = page.locator('[data-section="interactions"]')
        find = section.get_by_label("Find a person")
        # The last of 136 people, beyond the first page of 100.
        find.fill(f"Zeno Extra {EXTRA}")
        find.press("Enter")  # searching, not sending the form
        expect(section.locator(".note")).to_have_text("")
        section.get_by_label(f"Zeno Extra {EXTRA}, Engineer · Bavaria").check()
        # Two people of one name: their title and unit tell them apart.
        find.fill("pat twin")
        choices = section.locator(".choices label")
        expect(choices).to_have_count(2)
        expect(choices).to_contain_text(
            ["Pat Twin, Plant Manager · Bavaria", "Pat Twin, Buyer · France"]  # by name, then id
        )
        section.get_by_label("Pat Twin, Buyer · France").check()
        expect(section.locator(".chosen")).to_have_text(
            f"Chosen: Zeno Extra {EXTRA}, Engineer · Bavaria; Pat Twin, Buyer · France"
        )
        # Narrowing further keeps what was chosen.
        find.fill("nobody of that name")
        expect(section).to_contain_text("Nobody by that name")
        section.get_by_label("Summary").fill("Site walk with the French buyer")
        section.get_by_role("button", name="Log the interaction").click()
        first = section.locator("ul.interactions li").first
        expect(first).to_contain_text("Site walk with the French buyer")
        expect(first).to_contain_text(f"with Zeno Extra {EXTRA}, Pat Twin")
        expect(section.locator(".chosen")).to_have_count(0)  # a fresh form
        expect(section.get_by_label("Summary")).to_be_focused()  # ready for the next one
        logged = live.gql(
            "query($a: ID!) { account(id: $a) { interactions(first: 5) "
            "{ edges { node { summary contactIds } } } } }",
            {"a": c.account},
            as_user="admin",
        )["data"]["account"]["interactions"]["edges"]
        assert {
            "summary": "Site walk with the French buyer",
            "contactIds": sorted([c.id(f"extra-{EXTRA}"), c.id("twin-fr")]),
        } in [{**e["node"], "contactIds": sorted(e["node"]["contactIds"])} for e in logged]
        w.assert_clean()


def test_kpis_are_charted_against_their_goals_and_history_shows_shares_as_the_plan_does(
    live: LiveApp, client: ClientFixture, browser: Browser
) -> None:
    c = client
    with _manager_on_account(live, c, browser) as w:
        page = w.page
        reviews = page.locator('[data-section="reviews"]')
        # One axis for every KPI: the share of its goal reached (a KPI without a goal has no bar).
        expect(reviews.locator("canvas")).to_have_attribute(
            "aria-label", "Share of each goal reached: Share of wallet 73.3 %, Revenue 96.7 %"
        )
        table = reviews.locator("table")
        expect(table).to_contain_text("2,900,000")
        expect(table.locator("tr", has_text="Share of wallet")).to_contain_text("22 %")
        expect(table.locator("tr", has_text="Share of wallet")).to_contain_text("30 %")
        expect(table).to_contain_text("Workshops")
        history = page.locator('[data-section="history"]')
        row = history.locator("tr", has_text="Share of wallet: today")
        expect(row).to_contain_text("24 %")
        expect(row).not_to_contain_text("0.24")
        expect(history.locator("tr", has_text="Financial goal: revenue")).to_contain_text("3M")
        w.assert_clean()


def test_a_role_without_plan_sections_sees_no_plan_and_no_history(
    live: LiveApp, client: ClientFixture, browser: Browser
) -> None:
    c = client
    window = {c.account: (date(2020, 1, 1), None)}
    support = factories.member_login(live.backend, c.prefix, "CUSTOMER_SUPPORT", window)
    with signed_in(browser, live.url, "customer_support", support, DEMO_PASSWORD) as w:
        page = w.page
        asked: list[str] = []
        page.on(
            "request",
            lambda r: asked.append(r.post_data or "") if r.url.endswith("/graphql") else None,
        )
        w.go(f"/account/{c.account}")
        expect(page.locator('[data-section="team"]')).to_contain_text("Alma Manager")
        page.wait_for_load_state("networkidle")
        expect(page.locator('[data-section="plan"]')).to_have_count(0)
        expect(page.locator('[data-section="history"]')).to_have_count(0)
        expect(page.get_by_role("link", name="Print the plan")).to_have_count(0)
        assert any("account(id:" in q for q in asked)  # the page asked for its data
        assert not any("planHistory(" in q for q in asked)  # but not for a history of nothing
        _cards_pair_up(page)
        w.assert_clean()


def test_the_focus_follows_a_plan_edit_and_the_cards_pair_up(
    live: LiveApp, client: ClientFixture, browser: Browser
) -> None:
    c = client
    with _manager_on_account(live, c, browser) as w:
        page = w.page
        field = page.locator('.plan-field[data-field="processStatus"]')
        field.get_by_role("button", name=re.compile("^Edit")).focus()
        page.keyboard.press("Enter")
        expect(field.get_by_role("textbox")).to_be_focused()
        page.keyboard.type("In legal review")
        page.keyboard.press("Tab")  # to Save
        page.keyboard.press("Enter")
        expect(field.locator(".value")).to_have_text("In legal review")
        expect(field.get_by_role("button", name=re.compile("^Edit"))).to_be_focused()
        page.keyboard.press("Enter")
        expect(field.get_by_role("textbox")).to_be_focused()
        field.get_by_role("button", name="Cancel").click()
        expect(field.get_by_role("button", name=re.compile("^Edit"))).to_be_focused()
        page.keyboard.press("Enter")
        expect(field.get_by_role("textbox")).to_be_focused()
        page.keyboard.press("Escape")  # closes the editor too
        expect(field.get_by_role("button", name=re.compile("^Edit"))).to_be_focused()

        # A share is edited as the plan shows it, in percent.
        share = page.locator('.plan-field[data-field="shareOfWalletActual"]')
        expect(share.locator(".value")).to_have_text("24 %")
        share.get_by_role("button", name=re.compile("^Edit")).click()
        expect(share.get_by_role("textbox")).to_have_value("24")
        share.get_by_role("textbox").fill("30 %")
        share.get_by_role("button", name="Save", exact=True).click()
        expect(share.locator(".value")).to_have_text("30 %")
        stored = live.gql(
            "query($a: ID!) { plan(accountId: $a) { shareOfWalletActual } }",
            {"a": c.account},
            as_user="admin",
        )["data"]["plan"]["shareOfWalletActual"]
        assert stored == pytest.approx(0.3)

        # Who decides comes first among the plan's key people.
        key = page.locator("ul.people.key li")
        expect(key.nth(0)).to_contain_text("Cora CEO")
        expect(key.nth(1)).to_contain_text("Nina National")  # the champion
        _cards_pair_up(page)
        w.assert_clean()


def test_the_decision_network_draws_its_people_without_overlap(
    live: LiveApp, client: ClientFixture, browser: Browser
) -> None:
    c = client
    with _manager_on_account(live, c, browser, "/network") as w:
        page = w.page
        page.get_by_label("Influence around it").select_option(label="3 steps")
        graph = page.locator(".graph[data-drawn=true]")
        # 50 people: the buying centre (4) and the 20 most strongly tied to it are drawn
        expect(graph).to_have_attribute("data-nodes", "24")
        expect(graph).to_have_attribute("data-overlaps", "0")
        expect(page.get_by_role("status")).to_contain_text(
            re.compile(r"the 20 people most strongly tied to it, of 5\d; the table lists everyone")
        )
        table = page.locator("table", has_text="Buying centre and influencers")
        expect(table.locator("tbody tr")).to_have_count(CROWD + 5)  # everyone: Sam Site too
        w.shot("decision-network-crowd")
        w.assert_clean()


def test_a_login_on_no_team_is_told_why_it_cannot_log_interactions(
    live: LiveApp, client: ClientFixture, browser: Browser
) -> None:
    """The admin may write interactions, but an interaction is logged by a team member."""
    with signed_in(browser, live.url, "admin", "admin", DEMO_PASSWORD) as w:
        w.go(f"/account/{client.account}")
        section = w.page.locator('[data-section="interactions"]')
        expect(section).to_contain_text("Talked with Sam Site")
        expect(section).to_contain_text("your login is not one of them")
        expect(section.get_by_role("button", name="Log the interaction")).to_have_count(0)
        w.assert_clean()
