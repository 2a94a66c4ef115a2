"""The Content-Security-Policy in a real browser: each role's main pages (the dashboard with
its charts, the clerk's queue with its htmx panel, the forms, the period report, the map,
the API docs) are opened in chromium, which reports every blocked script, style, image or
request as a ``securitypolicyviolation`` event and a console error. None may be reported,
and the pages still work: the charts draw (and show their tooltip), an htmx action in the
queue changes a ticket, Swagger UI lists the API.

Screenshots: artifacts/screenshots/<test>/NN-<step>.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brigade.core.kpi import engine
from brigade.core.roles import Role
from petitions.choices import TicketStatus
from tests.brigade.factories import (
    OfficerFactory,
    PatrolLogFactory,
    UnitFactory,
    UserFactory,
    ViolationTallyFactory,
)
from tests.browser.conftest import Shots
from tests.petitions.factories import TicketFactory

PASSWORD = "pw-for-tests-1"
DESKTOP = {"width": 1400, "height": 900}

# Runs before any page script (Playwright's init scripts are not subject to the policy):
# every violation the page reports is kept for the test to read.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


@pytest.fixture
def brigade(db):
    """A squadron with half a year of patrols (the dashboard's charts), a received ticket
    for the clerk's queue, and a user of each role."""
    unit = UnitFactory(code="sq1", name="一中队")
    users = {}
    for role, name in (
        (Role.OFFICER, "孙浩"),
        (Role.CLERK, "许婷"),
        (Role.COMMANDER, "王建国"),
        (Role.ADMIN, "管理员"),
    ):
        user = UserFactory(username=str(role), password=PASSWORD, roles=[role])
        users[role] = OfficerFactory(user=user, unit=unit, name=name)
    for week in range(12):
        start = timezone.make_aware(dt.datetime(2022, 4, 4, 8) + dt.timedelta(weeks=week))
        log = PatrolLogFactory(
            officer=users[Role.OFFICER], started_at=start, ended_at=start + dt.timedelta(hours=2)
        )
        ViolationTallyFactory(patrol=log, kind="no_helmet", count=1 + week % 4)
    engine.recompute_all()
    return {"unit": unit, "ticket": TicketFactory(unit=unit)}


class Watched:
    """A desktop page signed in as one role, whose console and policy reports are kept."""

    def __init__(self, browser, base_url: str, role: str, shots_name: str) -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context(viewport=DESKTOP, locale="en-US", base_url=base_url)
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.shots = Shots(self.page, shots_name)
        self.console: list[str] = []
        self.violations: list[str] = []
        self.page.on("console", self.note)
        self.page.on("pageerror", lambda e: self.console.append(f"{self.page.url}: {e}"))
        self.page.goto("/accounts/login/")
        self.page.fill("input[name=username]", role)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.get_by_test_id("login-submit").click()
        expect(self.page.get_by_test_id("nav-user")).to_be_visible()
        self.collect()

    def note(self, message) -> None:  # type: ignore[no-untyped-def]
        """Errors and warnings, but for a missing resource (the browser asks for a favicon)."""
        if message.type in ("error", "warning") and not message.text.startswith(
            "Failed to load resource"
        ):
            self.console.append(f"{self.page.url}: {message.type}: {message.text}")

    def visit(self, url: str) -> None:
        self.collect()
        self.page.goto(url)
        # every request the page makes has been answered (the docs build the schema: slow)
        self.page.wait_for_load_state("networkidle", timeout=60_000)

    def collect(self) -> None:
        found = self.page.evaluate("window.__violations || []")
        self.violations += [f"{self.page.url}: {v}" for v in found]
        self.page.evaluate("window.__violations = []")

    def problems(self) -> list[str]:
        self.collect()
        policy = [m for m in self.console if "Content Security Policy" in m or "CSP" in m]
        return self.violations + policy + [m for m in self.console if m not in policy]


@pytest.fixture
def watched(browser, live_server, request):  # type: ignore[no-untyped-def]
    made: list[Watched] = []

    def open_as(role: str) -> Watched:
        made.append(Watched(browser, live_server.url, role, f"{request.node.name}-{role}"))
        return made[-1]

    yield open_as
    for one in made:
        one.context.close()


def test_the_commanders_pages_run_under_the_policy(watched, brigade):
    boss = watched(Role.COMMANDER)
    page = boss.page

    boss.visit("/dashboard/?week=2022-W26")
    charts = page.locator("[data-chart][data-rendered=true]")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    expect(charts.first.locator("svg path").first).to_be_attached()
    # the tooltip (markup ECharts writes with style attributes) opens on hover
    box = charts.first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
    expect(page.locator("div").filter(has_text="2022-W").last).to_be_attached()
    boss.shots("dashboard")

    boss.visit("/report/?from=2022-04-01&to=2022-06-30")
    expect(page.get_by_test_id("page-title")).to_be_visible()
    boss.shots("report")

    boss.visit("/hazards/map/")
    expect(page.get_by_test_id("hazard-map")).to_have_attribute("data-points", "0")
    boss.shots("map")

    boss.visit("/petitions/weekly/")
    expect(page.get_by_test_id("weekly-print")).to_be_visible()
    boss.shots("weekly")

    assert not boss.problems(), "\n".join(boss.problems())


def test_the_clerks_queue_acts_through_htmx_under_the_policy(watched, brigade):
    clerk = watched(Role.CLERK)
    page = clerk.page
    ticket = brigade["ticket"]

    clerk.visit("/petitions/")
    page.get_by_test_id(f"ticket-open-{ticket.pk}").click()
    panel = page.get_by_test_id("ticket-panel")
    expect(panel.get_by_test_id(f"panel-ticket-{ticket.pk}")).to_be_visible()
    panel.get_by_test_id("action-sign").click()
    expect(panel.get_by_test_id("panel-done")).to_be_visible()
    clerk.shots("queue-signed")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SIGNED

    clerk.visit("/petitions/tickets/new/")
    expect(page.get_by_test_id("ticket-form")).to_be_visible()
    clerk.shots("ticket-form")

    assert not clerk.problems(), "\n".join(clerk.problems())


def test_the_officers_pages_run_under_the_policy(watched, brigade):
    officer = watched(Role.OFFICER)
    page = officer.page

    officer.visit("/duty/")
    expect(page.get_by_test_id("page-title")).to_be_visible()
    officer.shots("duty")

    officer.visit("/hazards/report/")
    expect(page.get_by_test_id("hazard-report-form")).to_be_visible()
    expect(page.get_by_test_id("use-position")).to_be_visible()
    officer.shots("hazard-form")

    assert not officer.problems(), "\n".join(officer.problems())


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ADMIN])
def test_the_api_docs_run_under_the_policy(watched, brigade, role):
    reader = watched(role)
    page = reader.page

    reader.visit("/api/docs/")
    # the schema is built on request: a busy machine takes seconds
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Brigade Ops API", timeout=60_000
    )
    expect(page.get_by_role("button", name="POST /api/v1/auth/token/", exact=True)).to_be_visible()
    reader.shots("docs")

    assert not reader.problems(), "\n".join(reader.problems())
