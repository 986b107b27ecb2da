"""The web app in a real browser against the real app and database, on the hand-built client.

Each role signs in through the sign-in form and walks its screens: the right people, numbers
and paths are shown, nothing of a section the role may not read is in the page or in any
GraphQL answer it received, no CSP violation happens, and screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, expect
from pydantic import SecretStr

from graph.crm import RECORD_CONFLICTS
from graph.users import upsert_user
from kam.settings import Environment
from tests import factories
from tests.client_fixture import ClientFixture, am_login, build_client
from tests.conftest import DEMO_PASSWORD, LiveApp, start_app
from tests.web.browser import Watched, axe_violations, one_browser, signed_in

PLAN = {
    "decisionProcess": "Board decides each spring",
    "leadersView": "They see themselves as the quality leader",
    "opportunities": ["Retrofit the Bavarian line"],
    "revenueGoal": 7654321.0,
    "marginGoal": 0.27,
    "shareOfWalletGoal": 0.35,
}


@dataclass(frozen=True)
class World:
    client: ClientFixture
    plan_id: str
    users: dict[str, str]  # role -> username
    action_id: str


def _plan(live: LiveApp, client: ClientFixture) -> tuple[str, str]:
    started = live.gql(
        """mutation($a: ID!) { startPlan(input: {accountId: $a, period: "2026"}) {
             __typename ... on PlanPayload { plan { id version } } } }""",
        {"a": client.account},
        as_user="admin",
    )["data"]["startPlan"]
    plan = started["plan"]
    updated = live.gql(
        """mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { __typename
             ... on PlanPayload { plan { version } } } }""",
        {"i": {"planId": plan["id"], "expectedVersion": plan["version"], "patch": PLAN}},
        as_user="admin",
    )["data"]["updatePlan"]
    assert updated["__typename"] == "PlanPayload", updated
    review = live.gql(
        """mutation($in: RecordReviewInput!) { recordReview(input: $in) { __typename
             ... on ReviewPayload { review { actions { id } } } } }""",
        {
            "in": {
                "planId": plan["id"],
                "kind": "QUARTERLY",
                "findings": "Share of wallet below goal",
                "kpis": [{"name": "Share of wallet", "actual": 0.2, "goal": 0.35}],
                "actions": [
                    {
                        "title": "Book a workshop with the CPO",
                        "ownerId": client.id("am"),
                        "due": str(date.today() + timedelta(days=14)),
                    }
                ],
            }
        },
        as_user="admin",
    )["data"]["recordReview"]
    assert review["__typename"] == "ReviewPayload", review
    return plan["id"], review["review"]["actions"][0]["id"]


@pytest.fixture(scope="module")
def world(live: LiveApp) -> World:
    prefix = "w" + secrets.token_hex(4)
    client = build_client(live.backend, prefix)
    plan_id, action_id = _plan(live, client)
    marketing = f"{prefix}-mk-user"
    live.backend.run(
        upsert_user(
            live.backend.db,
            f"user-{marketing}",
            marketing,
            factories._HASH,
            ["MARKETING"],
            client.id("mk"),
            datetime.now(UTC),
        )
    )
    window = {client.account: (date(2020, 1, 1), None)}
    users = {
        "account_manager": am_login(live.backend, client),
        "marketing": marketing,
        "controlling": factories.member_login(live.backend, prefix, "CONTROLLING", window),
        "executive": factories.member_login(live.backend, prefix, "EXECUTIVE"),
    }
    return World(client, plan_id, users, action_id)


browser = pytest.fixture(scope="module", name="browser")(one_browser)


# What each role must see, and what must never reach it (page text or any GraphQL answer).
SEES = {
    "account_manager": [
        "12.5M",
        "Board decides each spring",
        "7.7M",
        "Rival",
        "Talked with Sam Site",
    ],
    "marketing": ["Board decides each spring", "Rival", "Talked with Sam Site"],
    "controlling": ["12.5M", "7.7M", "27 %"],
    "executive": ["12.5M", "Board decides each spring", "7.7M", "Rival", "Talked with Sam Site"],
}
NEVER = {
    "account_manager": {"page": ["Admin"], "network": []},
    "marketing": {
        "page": ["12.5M", "7.7M", "Market potential", "Financial goal"],
        "network": ["12500000", "7654321", "0.27"],
    },
    "controlling": {
        "page": [
            "Board decides each spring",
            "Rival w",
            "Talked with Sam Site",
            "@client.example",
            "Coverage gaps",
        ],
        "network": ["Board decides", "Rival w", "Talked with", "@client.example"],
    },
    "executive": {"page": ["Admin"], "network": []},
}
ROLES = list(SEES)
CHANGED = {
    "account_manager": "admin changed (b) Decision-making process",
    "marketing": "admin changed (b) Decision-making process",
    "controlling": "admin changed Financial goal: revenue",
}


def check_never(w: Watched, role: str) -> None:
    text = w.main_text()
    for value in NEVER[role]["page"]:
        assert value not in text, f"{role} sees {value!r}"
    answers = w.network_text()
    for value in NEVER[role]["network"]:
        assert value not in answers, f"{role} received {value!r}"


@pytest.mark.parametrize("role", ROLES)
def test_each_screen_shows_what_the_role_may_read(
    live: LiveApp, world: World, browser: Browser, role: str
) -> None:
    c = world.client
    with signed_in(browser, live.url, role, world.users[role], DEMO_PASSWORD) as w:
        page = w.page
        expect(page.get_by_role("heading", name="My work")).to_be_visible()
        if role in CHANGED:  # the admin's plan changes of the set-up, in this role's sections
            expect(page.locator('[data-section="changes"]')).to_contain_text(CHANGED[role])
        w.shot("my-work")

        w.go("/portfolio")
        # Other tests' accounts share the database: look this client up by its name.
        page.get_by_label("Name").fill(c.prefix)
        page.get_by_role("button", name="Filter", exact=True).click()
        row = page.locator(f'tr[data-account="{c.account}"]')
        expect(row).to_be_visible()
        # The executive reads every account, the other one of this client too.
        expect(page.locator("tr[data-account]")).to_have_count(2 if role == "executive" else 1)
        if role in ("account_manager", "executive", "controlling"):
            expect(row.locator(".health")).to_have_count(1)
        w.shot("portfolio")

        w.go(f"/account/{c.account}")
        expect(page.get_by_role("heading", name=f"Fixture {c.prefix}", level=1)).to_be_visible()
        expect(page.locator('[data-section="team"]')).to_contain_text("Alma Manager")
        page.wait_for_load_state("networkidle")
        text = w.main_text()
        for value in SEES[role]:
            assert value in text, f"{role} should see {value!r}"
        if role in ("account_manager", "executive"):
            gaps = page.locator('[data-section="coverage"]')
            expect(gaps).to_contain_text("Cora CEO")
            expect(gaps).to_contain_text("50 %")
            expect(page.locator('[data-section="reviews"] table')).to_contain_text(
                "Share of wallet"
            )
        partners = page.get_by_role("link", name="Partner options")
        expect(partners).to_have_count(1 if role in ("account_manager", "executive") else 0)
        w.shot("account")

        w.go(f"/account/{c.account}/org")
        expect(page.get_by_test_id("focus")).to_have_text("Global HQ")
        expect(page.locator(".graph[data-drawn=true]")).to_be_visible()
        tree = page.get_by_role("tree")
        expect(tree).to_contain_text("Cora CEO")
        expect(tree).to_contain_text("Carl CPO")
        if role in ("account_manager", "marketing", "executive"):
            expect(tree).to_contain_text("known by Alma Manager (0.5)")
        w.shot("org-chart")

        if role != "controlling":
            w.go(f"/account/{c.account}/network")
            expect(page.locator(".graph[data-drawn=true]")).to_be_visible()
            page.get_by_role("button", name="Paths to Cora CEO").click()
            paths = page.locator('[data-section="paths"]')
            expect(paths).to_contain_text("45 %")
            expect(paths.locator("li").first).to_contain_text("Alma Manager")
            expect(paths.locator("li").first).to_contain_text("Carl CPO")
            w.shot("decision-network")
        else:
            expect(page.get_by_role("link", name="Decision network")).to_have_count(0)

        if role in ("account_manager", "executive"):
            w.go(f"/account/{c.account}/partners")
            options = page.locator('[data-section="options"]')
            expect(options).to_contain_text("Internal capability")
            expect(options).to_contain_text(f"Area {c.prefix}")
            page.get_by_label("Client need").select_option(label="Needs partner")
            expect(options).to_contain_text(f"Partner {c.prefix}")
            expect(options).to_contain_text(f"Attack line at Fixture {c.prefix}")
            other = f"Other project at Other {c.prefix}"
            if role == "executive":  # reads every account; the manager is not on the other one
                expect(options).to_contain_text(other)
            else:
                expect(options).not_to_contain_text(other)
            w.shot("partner-options")

        w.go(f"/account/{c.account}/print")
        expect(page.get_by_role("heading", name=re.compile("account plan 2026"))).to_be_visible()
        w.shot("print")
        check_never(w, role)
        w.assert_clean()


def test_the_org_chart_opens_on_a_person_with_managers_and_lines(
    live: LiveApp, world: World, browser: Browser
) -> None:
    c = world.client
    with signed_in(
        browser, live.url, "account_manager", world.users["account_manager"], DEMO_PASSWORD
    ) as w:
        w.go(f"/account/{c.account}/org")
        page = w.page
        page.get_by_label("Find a person").fill("Rita")
        page.get_by_role("button", name="Rita President, Regional President").click()
        expect(page.get_by_test_id("focus")).to_have_text("Rita President")
        graph = page.locator(".graph[data-drawn=true]")
        # Rita, her solid manager (Cora), her dotted one (Carl), and Nina who reports to her.
        expect(graph).to_have_attribute("data-nodes", "4")
        # Bea has no manager and no reports; with the overlay, whom she influences joins her.
        page.get_by_label("Find a person").fill("Bea")
        page.get_by_role("button", name="Bea Buyer, Buyer").click()
        expect(page.get_by_test_id("focus")).to_have_text("Bea Buyer")
        expect(graph).to_have_attribute("data-nodes", "1")
        page.get_by_label("Influence overlay").check()
        expect(graph).to_have_attribute("data-nodes", "2")
        expect(
            page.get_by_text("showing the neighbourhood of Bea Buyer (2 people)")
        ).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("button", name="Export PNG").click()
        assert download.value.suggested_filename.endswith(".png")
        w.assert_clean()


def test_the_org_chart_tree_and_the_menu_work_by_keyboard(
    live: LiveApp, world: World, browser: Browser
) -> None:
    c = world.client
    with signed_in(
        browser, live.url, "marketing", world.users["marketing"], DEMO_PASSWORD, width=375
    ) as w:
        page = w.page
        w.go(f"/account/{c.account}/org")
        expect(page.get_by_test_id("focus")).to_have_text("Global HQ")
        first = page.get_by_role("treeitem").first
        first.focus()
        expect(first).to_be_focused()
        page.keyboard.press("ArrowDown")  # Region EMEA (units come before people)
        expect(page.get_by_role("treeitem", name=re.compile("^.?Region EMEA"))).to_be_focused()
        page.keyboard.press("ArrowRight")  # open it
        expect(page.get_by_role("treeitem", name=re.compile("^.?Region EMEA"))).to_have_attribute(
            "aria-expanded", "true"
        )
        page.keyboard.press("ArrowRight")  # to its first child: France (units by name)
        expect(page.get_by_role("treeitem", name=re.compile("^.?France"))).to_be_focused()
        page.keyboard.press("ArrowDown")
        expect(page.get_by_role("treeitem", name=re.compile("^.?Germany"))).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("focus")).to_have_text("Germany")
        germany = page.get_by_role("treeitem", name=re.compile("^.?Germany"))
        expect(germany).to_have_attribute("aria-expanded", "true")  # the tree follows the chart
        page.keyboard.press("ArrowLeft")  # closes it
        expect(germany).to_have_attribute("aria-expanded", "false")
        page.keyboard.press("ArrowLeft")  # back to the parent
        expect(page.get_by_role("treeitem", name=re.compile("^.?Region EMEA"))).to_be_focused()

        # The menu at 375 px: a button opens it, Escape closes it, links work by keyboard.
        toggle = page.get_by_role("button", name="Menu")
        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        page.keyboard.press("Enter")
        page.get_by_role("link", name="Portfolio").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Portfolio")).to_be_visible()
        # A new screen takes the focus to its content: the next Tab is inside it.
        expect(page.locator("main")).to_be_focused()
        page.keyboard.press("Tab")
        inside = page.evaluate(
            "() => document.querySelector('main').contains(document.activeElement)"
        )
        assert inside is True
        # The skip button, first in the page, jumps over the menu.
        page.get_by_role("button", name="Skip to content").focus()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        w.assert_clean()


SCREENS = [
    "/account/{a}/partners",
    "/work",
    "/portfolio",
    "/account/{a}",
    "/account/{a}/org",
    "/account/{a}/network",
    "/account/{a}/print",
]


@pytest.mark.parametrize(
    ("role", "width"),
    [
        ("account_manager", 375),
        ("account_manager", 1280),
        ("marketing", 1280),
        ("controlling", 375),
    ],
)
def test_every_screen_passes_axe_and_fits_the_width(
    live: LiveApp, world: World, browser: Browser, role: str, width: int
) -> None:
    """axe needs its script injected, so this context alone bypasses the CSP."""
    c = world.client
    with signed_in(
        browser,
        live.url,
        role,
        world.users[role],
        DEMO_PASSWORD,
        width=width,
        bypass_csp=True,
    ) as w:
        for route in SCREENS:
            w.go(route.format(a=c.account))
            closed = route.endswith("/partners") and role in ("marketing", "controlling")
            closed = closed or (route.endswith("/network") and role == "controlling")
            if closed:
                expect(w.page.get_by_text("not part of your role")).to_be_visible()
            w.page.wait_for_load_state("networkidle")
            expect(w.page.locator("main .loading")).to_have_count(0)
            if ("org" in route or "network" in route) and not closed:
                expect(w.page.locator(".graph[data-drawn=true]")).to_be_visible()
            found = axe_violations(w.page)
            assert found == [], f"{route} at {width}px: {found}"
            overflow = w.page.evaluate("() => document.documentElement.scrollWidth")
            assert overflow <= width, f"{route} is {overflow}px wide at {width}px"
            if width == 375:
                w.shot(f"narrow-{route.strip('/').split('/')[-1].replace('{a}', 'account')}")
        assert w.errors == []


def test_plan_edit_conflict_history_and_diff(live: LiveApp, world: World, browser: Browser) -> None:
    c = world.client
    with signed_in(
        browser, live.url, "account_manager", world.users["account_manager"], DEMO_PASSWORD
    ) as w:
        page = w.page
        w.go(f"/account/{c.account}")
        field = page.locator('.plan-field[data-field="processStatus"]')
        field.get_by_role("button", name=re.compile("^Edit")).click()
        field.get_by_role("textbox").fill("Frame contract in legal review")
        field.get_by_role("button", name="Save", exact=True).click()
        expect(field.locator(".value")).to_have_text("Frame contract in legal review")

        # Someone else changes the same field while this user is editing it.
        field.get_by_role("button", name=re.compile("^Edit")).click()
        field.get_by_role("textbox").fill("Signed by the CPO")
        plan = live.gql(
            "query($a: ID!) { plan(accountId: $a) { id version } }",
            {"a": c.account},
            as_user="admin",
        )["data"]["plan"]
        theirs = live.gql(
            """mutation($i: UpdatePlanInput!) { updatePlan(input: $i) { __typename } }""",
            {
                "i": {
                    "planId": plan["id"],
                    "expectedVersion": plan["version"],
                    "patch": {"processStatus": "Paused by the client"},
                }
            },
            as_user="admin",
        )["data"]["updatePlan"]
        assert theirs["__typename"] == "PlanPayload"
        field.get_by_role("button", name="Save", exact=True).click()
        conflict = field.locator(".conflict")
        expect(conflict).to_contain_text("Someone changed this first")
        expect(conflict).to_contain_text("Paused by the client")
        expect(conflict).to_contain_text("Signed by the CPO")
        conflict.get_by_role("button", name="Save mine over theirs").click()
        expect(field.locator(".value")).to_have_text("Signed by the CPO")
        now = live.gql(
            "query($a: ID!) { plan(accountId: $a) { processStatus } }",
            {"a": c.account},
            as_user="admin",
        )["data"]["plan"]
        assert now["processStatus"] == "Signed by the CPO"

        history = page.locator('[data-section="history"]')
        expect(history).to_contain_text("Paused by the client")
        expect(history).to_contain_text("Signed by the CPO")
        history.get_by_label("From").select_option(label="30 days ago")
        history.get_by_role("button", name="Show the differences").click()
        diff = history.locator("table.diff")
        expect(diff.locator('tr[data-field="processStatus"]')).to_contain_text("Signed by the CPO")
        w.assert_clean()


def test_log_an_interaction_and_complete_an_action(
    live: LiveApp, world: World, browser: Browser
) -> None:
    c = world.client
    with signed_in(
        browser, live.url, "account_manager", world.users["account_manager"], DEMO_PASSWORD
    ) as w:
        page = w.page
        row = page.locator(f'tr[data-action="{world.action_id}"]')
        expect(row).to_contain_text("Book a workshop with the CPO")
        expect(row).to_contain_text(f"Fixture {c.prefix}")  # the account's name, not its id
        row.get_by_role("combobox").select_option("DONE")
        expect(row).to_contain_text("Saved: done")
        mine = live.gql("{ myActions { id status } }", as_user=world.users["account_manager"])[
            "data"
        ]["myActions"]
        assert {"id": world.action_id, "status": "DONE"} in mine

        w.go(f"/account/{c.account}")
        section = page.locator('[data-section="interactions"]')
        section.get_by_label("Summary").fill("Lunch with the CEO about the frame contract")
        section.get_by_label("Cora CEO").check()
        section.get_by_role("button", name="Log the interaction").click()
        expect(section.locator("ul.interactions li").first).to_contain_text("Lunch with the CEO")
        expect(section.locator("ul.interactions li").first).to_contain_text("Cora CEO")
        logged = live.gql(
            "query($a: ID!) "
            "{ account(id: $a) "
            "{ interactions(first: 5) "
            "{ edges { node { summary contactIds contacts { name } } } } } }",
            {"a": c.account},
            as_user="admin",
        )["data"]["account"]["interactions"]["edges"]
        assert {
            "summary": "Lunch with the CEO about the frame contract",
            "contactIds": [c.id("ceo")],
            "contacts": [{"name": "Cora CEO"}],
        } in [e["node"] for e in logged]
        # Read again, the list names the people from the interactions themselves.
        w.go(f"/account/{c.account}")
        expect(section.locator("ul.interactions li").first).to_contain_text("with Cora CEO")
        w.assert_clean()


def test_an_ended_session_asks_to_sign_in_again_and_keeps_the_edit(
    live: LiveApp, world: World, browser: Browser
) -> None:
    c = world.client
    user = world.users["account_manager"]
    with signed_in(browser, live.url, "account_manager", user, DEMO_PASSWORD) as w:
        page = w.page
        w.go(f"/account/{c.account}")
        field = page.locator('.plan-field[data-field="capabilities"]')
        field.get_by_role("button", name=re.compile("^Edit")).click()
        field.get_by_role("textbox").fill("Own service network in 40 countries")
        # The session ends elsewhere: its access and refresh tokens stop working.
        token = page.evaluate("() => JSON.parse(sessionStorage.getItem('kam.session')).token")
        ended = httpx.post(
            f"{live.url}/graphql",
            json={"query": "mutation { logout }"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert ended.json()["data"]["logout"] is True
        field.get_by_role("button", name="Save", exact=True).click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("Your session ended")
        dialog.get_by_label("Password").fill(DEMO_PASSWORD)
        dialog.get_by_role("button", name="Sign in").click()
        # Signing in hashes the password (argon2id) and the save is sent again: on a loaded
        # 2-core machine that once took longer than the default 5 s.
        expect(dialog).to_have_count(0, timeout=15_000)
        expect(field.locator(".value")).to_have_text("Own service network in 40 countries")
        w.assert_clean()


def test_the_app_is_served_under_a_strict_csp(live: LiveApp) -> None:
    page = httpx.get(f"{live.url}/", timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe" not in csp
    module = httpx.get(f"{live.url}/static/app/main.js", timeout=30)
    assert module.status_code == 200 and "javascript" in module.headers["content-type"]
    assert (
        httpx.get(f"{live.url}/static/vendor/../../web/__init__.py", timeout=30).status_code == 404
    )
    assert httpx.get(f"{live.url}/static/axe.min.js", timeout=30).status_code == 404
    # GraphiQL stays on GET /graphql in development.
    ide = httpx.get(f"{live.url}/graphql", headers={"Accept": "text/html"}, timeout=30)
    assert ide.status_code == 200 and "graphiql" in ide.text.lower()


def test_a_handover_ends_in_the_brief(live: LiveApp, browser: Browser, uid: str) -> None:
    """The executive (who may change account teams) hands a fresh client's account over."""
    c = build_client(live.backend, uid)
    with signed_in(browser, live.url, "executive", "executive", DEMO_PASSWORD) as w:
        page = w.page
        w.go(f"/account/{c.account}")
        section = page.locator('[data-section="handover"]')
        section.get_by_label("From").select_option(label="Alma Manager")
        section.get_by_label("To").select_option(label="Mika Marketing")
        section.get_by_label("On").fill(str(date.today() + timedelta(days=7)))
        section.get_by_role("button", name="Hand over").click()
        brief = section.locator(".brief")
        expect(brief).to_contain_text("Alma Manager → Mika Marketing")
        expect(brief).to_contain_text("Sam Site (strength 0.9); also known by Mika Marketing")
        expect(brief).to_contain_text("Carl CPO (strength 0.5); nobody else knows them")
        w.shot("handover")
        w.assert_clean()


def test_edits_are_offered_only_where_the_role_may_write(
    live: LiveApp, world: World, browser: Browser
) -> None:
    c = world.client
    with signed_in(browser, live.url, "marketing", world.users["marketing"], DEMO_PASSWORD) as w:
        w.go(f"/account/{c.account}")
        page = w.page
        expect(page.locator('.plan-field[data-field="decisionProcess"]')).to_contain_text(
            "Board decides each spring"
        )
        expect(page.get_by_role("button", name=re.compile("^Edit"))).to_have_count(0)
        expect(page.get_by_role("button", name="Log the interaction")).to_have_count(1)
        expect(page.locator('[data-section="handover"]')).to_have_count(0)
    with signed_in(
        browser, live.url, "controlling", world.users["controlling"], DEMO_PASSWORD
    ) as w:
        w.go(f"/account/{c.account}")
        page = w.page
        expect(page.locator('.plan-field[data-field="revenueGoal"]')).to_contain_text("7.7M")
        expect(page.get_by_role("button", name="Edit Financial goal: revenue")).to_have_count(1)
        expect(page.locator('[data-section="interactions"]')).to_have_count(0)


def test_admin_sees_users_and_filters_the_audit_log(
    live: LiveApp, world: World, browser: Browser
) -> None:
    with signed_in(browser, live.url, "admin", "admin", DEMO_PASSWORD) as w:
        page = w.page
        page.get_by_role("link", name="Admin").click()
        users = page.locator('[data-section="users"]')
        expect(users).to_contain_text(world.users["controlling"])
        expect(users).to_contain_text("account_manager")
        audit = page.locator('[data-section="audit"]')
        audit.get_by_label("Target id").fill(world.plan_id)
        audit.get_by_role("combobox", name="Action").select_option("WRITE")
        audit.get_by_role("button", name="Filter").click()
        rows = audit.locator("tbody tr")
        # The unfiltered rows stay until the filtered answer replaces them.
        expect(rows.filter(has_not_text="WRITE")).to_have_count(0)
        expect(rows.first).to_contain_text(world.plan_id)
        for text in rows.all_inner_texts():
            assert "WRITE" in text and world.plan_id in text, text
        w.shot("admin")
        w.assert_clean()
    with signed_in(browser, live.url, "executive", world.users["executive"], DEMO_PASSWORD) as w:
        expect(w.page.get_by_role("link", name="Admin")).to_have_count(0)
        w.go("/admin")
        expect(w.page.get_by_text("Nothing here for your role.")).to_be_visible()
        assert "auditLog" not in w.network_text()


def test_admin_adds_resets_and_deactivates_a_user(
    live: LiveApp, world: World, browser: Browser
) -> None:
    """The admin screen's user changes reach the real logins: sign-in works, then not."""
    name = f"{world.client.account}-ui-user"
    with signed_in(browser, live.url, "admin", "admin", DEMO_PASSWORD) as w:
        page = w.page
        page.get_by_role("link", name="Admin").click()
        add = page.get_by_role("form", name="Add a user")
        add.get_by_label("Username").fill(name)
        add.get_by_label("Password").fill("first password")
        add.get_by_label("Team member id").fill(world.client.id("mk"))
        add.get_by_label("marketing").check()
        add.get_by_role("button", name="Add user").click()
        expect(add.get_by_role("status")).to_have_text(f"Added {name}")
        row = page.locator(f'tr[data-user="{name}"]')
        expect(row).to_contain_text("marketing")
        expect(row).to_contain_text(world.client.id("mk"))
        assert live.login(name, "first password")["data"]["login"]["token"]
        row.get_by_role("button", name=f"Reset password of {name}").click()
        row.get_by_label(f"New password for {name}").fill("second password")
        row.get_by_role("button", name="Set password").click()
        expect(row.get_by_role("status")).to_have_text("Password set; their sessions ended")
        assert not (live.login(name, "first password").get("data") or {}).get("login")
        assert live.login(name, "second password")["data"]["login"]["token"]
        row.get_by_role("button", name=f"Deactivate {name}").click()
        expect(row.get_by_role("status")).to_have_text("Deactivated; their sessions ended")
        expect(row.locator("td").nth(2)).to_have_text("no")
        assert not (live.login(name, "second password").get("data") or {}).get("login")
        bad = page.get_by_role("form", name="Add a user")
        bad.get_by_label("Username").fill(f"{name}-2")
        bad.get_by_label("Password").fill("long enough")
        bad.get_by_role("button", name="Add user").click()
        expect(bad.get_by_role("status")).to_contain_text("input.roles")
        w.shot("admin-users")
        assert "passwordHash" not in w.network_text() and "$argon2" not in w.network_text()
        w.assert_clean()


def test_portfolio_filters_by_division_and_team_member(
    live: LiveApp, world: World, browser: Browser
) -> None:
    """The division and team-member menus come from the API and narrow the account list."""
    c = world.client
    live.backend.write(
        """
        MERGE (e:GeoDivision {id: $p + '-emea'}) SET e.name = $p + ' EMEA'
        MERGE (d:GeoDivision {id: $p + '-dach'}) SET d.name = $p + ' DACH'
        MERGE (n:GeoDivision {id: $p + '-nordics'}) SET n.name = $p + ' Nordics'
        MERGE (e)-[:PARENT_OF]->(d)
        MERGE (e)-[:PARENT_OF]->(n)
        WITH d
        MATCH (m:TeamMember {id: $p + '-mk'})
        MERGE (m)-[:COVERS]->(d)
        """,
        p=c.prefix,
    )
    with signed_in(browser, live.url, "executive", world.users["executive"], DEMO_PASSWORD) as w:
        page = w.page
        page.get_by_role("link", name="Portfolio").click()
        form = page.get_by_role("form", name="Filter accounts")
        rows = page.locator("tbody tr[data-account]")
        division = form.get_by_label("Division")
        expect(division.locator("option", has_text=f"{c.prefix} DACH")).to_have_count(1)
        division.select_option(f"{c.prefix}-emea")
        form.get_by_role("button", name="Filter").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-account", c.account)
        division.select_option(f"{c.prefix}-nordics")
        form.get_by_role("button", name="Filter").click()
        expect(page.get_by_text("0 accounts")).to_be_visible()
        division.select_option("")
        form.get_by_label("Team member").select_option(c.id("am"))
        form.get_by_role("button", name="Filter").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-account", c.account)
        w.shot("portfolio-filters")
        w.assert_clean()
    with signed_in(
        browser, live.url, "account_manager", world.users["account_manager"], DEMO_PASSWORD
    ) as w:
        w.page.get_by_role("link", name="Portfolio").click()
        menu = w.page.get_by_role("form", name="Filter accounts").get_by_label("Team member")
        expect(menu.locator(f'option[value="{c.id("mk")}"]')).to_have_count(1)
        offered = menu.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
        assert set(offered) >= {"", c.id("am"), c.id("mk")}
        assert all(v == "" or v.startswith(c.prefix) for v in offered), offered


def test_changes_show_new_jobs_and_sync_conflicts_and_the_org_chart_marks_them(
    live: LiveApp, browser: Browser, uid: str
) -> None:
    """A fresh client: the CPO has a new title, Salesforce disagrees on the industry and on a
    contact's email. The account manager sees both changes; market research no email."""
    c = build_client(live.backend, uid)
    done = live.gql(
        """mutation($i: ProfileChangeInput!) { recordProfileChange(input: $i) { __typename } }""",
        {"i": {"contactId": c.id("cpo"), "title": "Chief Operating Officer"}},
        as_user="admin",
    )["data"]["recordProfileChange"]
    assert done["__typename"] == "ProfileChangePayload", done
    live.backend.write(
        RECORD_CONFLICTS,
        conflicts=[
            {
                "id": f"{c.account}:industry:x",
                "nodeId": c.account,
                "field": "industry",
                "kept": "Machinery",
                "theirs": "Heavy Engineering",
            },
            {
                "id": f"{c.id('ceo')}:email:x",
                "nodeId": c.id("ceo"),
                "field": "email",
                "kept": "ceo@client.example",
                "theirs": "boss@elsewhere.example",
            },
        ],
        source="salesforce",
        now=datetime.now(UTC),
    )
    with signed_in(
        browser, live.url, "account_manager", am_login(live.backend, c), DEMO_PASSWORD
    ) as w:
        page = w.page
        changes = page.locator('[data-section="changes"]')
        job = changes.locator('li[data-kind="job"]')
        expect(job).to_contain_text("Carl CPO has a new title: Chief Operating Officer")
        sync = changes.locator('li[data-kind="sync"]')
        expect(sync.filter(has_text="field industry")).to_contain_text("Heavy Engineering")
        expect(sync.filter(has_text="field email")).to_contain_text("boss@elsewhere.example")
        w.shot("changes")
        w.go(f"/account/{c.account}/org")
        page.get_by_label("Find a person").fill("Carl")
        page.get_by_role("button", name="Carl CPO, Chief Operating Officer").click()
        expect(page.get_by_test_id("focus")).to_have_text("Carl CPO")
        item = page.locator(".tree-item.moved")
        expect(item).to_have_count(1)
        expect(item).to_contain_text("changed job, new title: Chief Operating Officer")
        expect(page.get_by_text("double amber: changed job")).to_be_visible()
        w.assert_clean()
    window = {c.account: (date(2020, 1, 1), None)}
    research = factories.member_login(live.backend, uid, "MARKET_RESEARCH", window)
    with signed_in(browser, live.url, "market_research", research, DEMO_PASSWORD) as w:
        changes = w.page.locator('[data-section="changes"]')
        expect(changes.locator('li[data-kind="sync"]')).to_contain_text("Heavy Engineering")
        expect(changes.locator('li[data-kind="job"]')).to_contain_text("Carl CPO")
        assert "boss@elsewhere.example" not in w.main_text()
        assert "boss@elsewhere.example" not in w.network_text()
        w.assert_clean()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_admin_screen_passes_axe_and_fits_the_width(
    live: LiveApp, world: World, browser: Browser, width: int
) -> None:
    """The user forms (add, reset open on a row) have labels and fit a phone."""
    with signed_in(
        browser, live.url, "admin", "admin", DEMO_PASSWORD, width=width, bypass_csp=True
    ) as w:
        w.go("/admin")
        page = w.page
        row = page.locator(f'tr[data-user="{world.users["controlling"]}"]')
        row.get_by_role("button", name=f"Reset password of {world.users['controlling']}").click()
        expect(row.get_by_label(f"New password for {world.users['controlling']}")).to_be_visible()
        page.wait_for_load_state("networkidle")
        expect(page.locator("main .loading")).to_have_count(0)
        found = axe_violations(page)
        assert found == [], f"admin at {width}px: {found}"
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= width, f"admin is {overflow}px wide at {width}px"
        if width == 375:
            w.shot("narrow-admin")
        assert w.errors == []


def test_a_refused_access_token_is_refreshed_without_asking(
    live: LiveApp, world: World, browser: Browser
) -> None:
    """The app trades its refresh token for a new pair when the access token is refused."""
    with signed_in(
        browser, live.url, "account_manager", world.users["account_manager"], DEMO_PASSWORD
    ) as w:
        page = w.page
        page.evaluate(
            """() => {
              const s = JSON.parse(sessionStorage.getItem('kam.session'));
              sessionStorage.setItem('kam.session', JSON.stringify({...s, token: 'not-a-token'}));
            }"""
        )
        page.reload()
        expect(page.get_by_role("heading", name="My work")).to_be_visible()
        expect(page.locator(f'tr[data-action="{world.action_id}"]')).to_be_visible()
        expect(page.get_by_role("dialog")).to_have_count(0)
        token = page.evaluate("() => JSON.parse(sessionStorage.getItem('kam.session')).token")
        assert token != "not-a-token"
        assert any('"refresh"' in a for a in w.answers), "no refresh was asked for"
        w.assert_clean()


@pytest.fixture(scope="module")
def production(live: LiveApp) -> Iterator[str]:
    """The same app as in production: its own CSP on every other response, HSTS, no GraphiQL."""
    settings = live.settings.model_copy(
        update={"env": Environment.PRODUCTION, "token_secret": SecretStr(secrets.token_urlsafe(48))}
    )
    server, thread, url = start_app(settings, live.backend.connection)
    yield url
    server.should_exit = True
    thread.join(15)


def test_in_production_the_app_keeps_its_one_policy_and_works(
    production: str, world: World, browser: Browser
) -> None:
    page = httpx.get(f"{production}/", timeout=30)
    policies = page.headers.get_list("content-security-policy")
    assert len(policies) == 1 and "script-src 'self'" in policies[0], policies
    assert "max-age" in page.headers["strict-transport-security"]
    module = httpx.get(f"{production}/static/app/main.js", timeout=30)
    assert len(module.headers.get_list("content-security-policy")) == 1
    health = httpx.get(f"{production}/healthz", timeout=30)
    assert health.headers.get_list("content-security-policy") == [
        "default-src 'none'; frame-ancestors 'none'"
    ]
    c = world.client
    with signed_in(browser, production, "executive", "executive", DEMO_PASSWORD) as w:
        w.go(f"/account/{c.account}/org")
        expect(w.page.locator(".graph[data-drawn=true]")).to_be_visible()
        expect(w.page.get_by_role("tree")).to_contain_text("Cora CEO")
        w.assert_clean()
