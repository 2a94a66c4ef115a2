"""The shell of every page on the phone and the desktop, in Chinese and in English: the
navigation grouped by the work (one row on a 1366/1440 desktop, the account and the language
at the top of the phone's menu, each role's own group first), thumb-sized tap targets on the
phone pages of each role, the favicon, the icon of facility works.

Screenshots: artifacts/screenshots/<test>/NN-<step>.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from brigade.core.nav import navigation_groups
from brigade.core.roles import Role
from brigade.duty.choices import UnitKind
from tests.brigade.factories import (
    CampaignFactory,
    DutyPostFactory,
    OfficerFactory,
    PatrolLogFactory,
    RoadWorksZoneFactory,
    TrainingSessionFactory,
    UnitFactory,
    UserFactory,
    ViolationTallyFactory,
)
from tests.browser.conftest import PHONE, Shots, no_horizontal_scroll
from tests.hazards.factories import FacilityWorkFactory, HazardFactory, KeyVehicleFactory
from tests.incidents.factories import AccidentFactory, FundAdvanceFactory
from tests.outreach.factories import (
    AssistanceEventFactory,
    CommendationFactory,
    LoveStationFactory,
    PublicityEventFactory,
)
from tests.petitions.factories import ConsultationFactory, ProposalFactory, TicketFactory

PASSWORD = "pw-for-tests-1"
LANGS = ["zh-hans", "en"]
MIN_TAP = 44  # px, WCAG 2.5.5 / Apple HIG; Android asks 48 dp

# Every visible element a thumb can use, measured where it is drawn. A checkbox or a radio
# is tapped through its label (the label toggles it), so its label is measured. Left out,
# each for its reason: Leaflet's attribution (a credit line the licence asks for, nobody's
# work) and what is visually hidden (a skip link until focused).
MEASURE = """
(min) => {
  const found = [];
  let total = 0;
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[role=button]';
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.pointerEvents === 'none') continue;
    if (el.closest('.leaflet-control-attribution, .visually-hidden')) continue;
    let target = el;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels.length) {
      target = el.labels[0];
    }
    const box = target.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    total += 1;
    if (box.width < min - 0.5 || box.height < min - 0.5) {
      const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '')
        .trim().slice(0, 30);
      found.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className)
        .trim().split(/\\s+/).join('.') : ''} "${text}" ${Math.round(box.width)}x${
        Math.round(box.height)}`);
    }
  }
  return {total: total, small: found};
}
"""


@pytest.fixture
def brigade(db):
    """A squadron with a record of every kind (so each list has rows and links), a user of
    each role with an officer's profile (the commander at headquarters)."""
    hq = UnitFactory(code="hq", name="大队部", kind=UnitKind.HEADQUARTERS)
    unit = UnitFactory(code="sq1", name="一中队")
    users = {}
    for role, name, where in (
        (Role.OFFICER, "孙浩", unit),
        (Role.CLERK, "许婷", unit),
        (Role.COMMANDER, "王建国", hq),
    ):
        user = UserFactory(username=str(role), password=PASSWORD, roles=[role])
        users[role] = OfficerFactory(user=user, unit=where, name=name)
    admin = UserFactory(username="admin", password=PASSWORD, roles=[Role.ADMIN])
    admin.is_staff = admin.is_superuser = True
    admin.save()
    officer = users[Role.OFFICER]
    start = timezone.now() - dt.timedelta(days=2)
    patrol = PatrolLogFactory(
        officer=officer, started_at=start, ended_at=start + dt.timedelta(hours=2)
    )
    ViolationTallyFactory(patrol=patrol, kind="no_helmet", count=3)
    # on the road now: the duty page shows the running patrol, its tallies and End
    running = PatrolLogFactory(
        officer=officer, started_at=timezone.now() - dt.timedelta(minutes=30), ended_at=None
    )
    ViolationTallyFactory(patrol=running, kind="no_helmet", count=2)
    DutyPostFactory(unit=unit)
    RoadWorksZoneFactory(unit=unit)
    CampaignFactory()
    TrainingSessionFactory(unit=unit)
    records = {
        "patrol": patrol,
        "hazard": HazardFactory(unit=unit),
        "vehicle": KeyVehicleFactory(unit=unit),
        "work": FacilityWorkFactory(unit=unit),
        "accident": AccidentFactory(unit=unit),
        "advance": FundAdvanceFactory(accident__unit=unit),
        "ticket": TicketFactory(unit=unit),
        "consultation": ConsultationFactory(unit=unit),
        "proposal": ProposalFactory(unit=unit),
        "event": PublicityEventFactory(unit=unit),
        "assistance": AssistanceEventFactory(unit=unit),
        "station": LoveStationFactory(unit=unit),
        "commendation": CommendationFactory(officer=officer),
    }
    return records


def _context(browser, live_server, lang: str, viewport: dict[str, int], phone: bool = False):  # type: ignore[no-untyped-def]
    options = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if phone else {}
    return browser.new_context(
        viewport=viewport,
        locale="en-US" if lang == "en" else "zh-CN",
        base_url=live_server.url,
        **options,
    )


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-toggle")).to_be_attached()
    # Bootstrap's script (deferred) must have run before the toggler does anything: on a
    # loaded machine the parsed page is there well before it
    page.wait_for_load_state("load")


# --- 1. the navigation, grouped by the work ----------------------------------------------

FIRST_GROUP = {Role.OFFICER: "duty", Role.CLERK: "petitions", Role.COMMANDER: "figures"}


def group_label(key: str, lang: str) -> str:
    """A group's label as the catalogs give it in ``lang``."""
    group = navigation_groups.get(key)
    assert group is not None, key
    with translation.override(lang):
        return str(group.label)


@pytest.mark.parametrize("width", [1366, 1440])
@pytest.mark.parametrize("lang", LANGS)
def test_desktop_navigation_is_one_row_of_groups(
    browser, live_server, brigade, request, lang, width
):
    """The commander (who sees every group) and the admin: at 1366 and 1440 px the bar is
    one row no taller than 64 px, figures first; a group's menu leads to its pages."""
    context = _context(browser, live_server, lang, {"width": width, "height": 768})
    page = context.new_page()
    shots = Shots(page, request.node.name)
    try:
        for username in (Role.COMMANDER, "admin"):
            _sign_in(page, username)
            expect(page).to_have_url(f"{live_server.url}/dashboard/")
            bar = page.locator("nav.navbar").bounding_box()
            assert bar is not None and bar["height"] <= 64, (username, bar)
            toggles = page.locator(".nav-groups > .nav-item")
            tops = {round(toggles.nth(i).bounding_box()["y"]) for i in range(toggles.count())}
            assert len(tops) == 1, f"{username}: the groups stand on {len(tops)} rows"
            assert toggles.count() >= 6
            first = page.locator(".nav-groups > .nav-item").first
            expect(first).to_have_attribute("data-testid", "navgroup-figures")
            expect(first).to_contain_text(group_label("figures", lang))
            # the language switch and sign-out stay on the bar, right of the groups
            for testid in (f"lang-{lang}", "logout"):
                expect(page.get_by_test_id(testid)).to_be_visible()
            assert page.get_by_test_id("logout").bounding_box()["y"] < 64
            shots(f"{username}-bar")
            page.get_by_test_id("navgroup-toggle-hazards").click()
            expect(page.get_by_test_id("nav-facility-works")).to_be_visible()
            # facility works has its icon: a glyph of the icon font, not an empty box
            glyph = (
                page.get_by_test_id("nav-facility-works")
                .locator("i.bi")
                .evaluate("el => getComputedStyle(el, '::before').content")
            )
            assert glyph not in ("none", "normal", '""'), glyph
            shots(f"{username}-hazards-open")
            page.get_by_test_id("nav-facility-works").click()
            expect(page).to_have_url(f"{live_server.url}/hazards/facility-works/")
            expect(page.get_by_test_id("navgroup-toggle-hazards")).to_have_class(
                "nav-link dropdown-toggle text-nowrap active"
            )
            page.get_by_test_id("logout").click()
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", [Role.OFFICER, Role.CLERK, Role.COMMANDER])
def test_phone_menu_opens_on_the_account_and_the_users_own_work(
    browser, live_server, brigade, request, lang, role
):
    """On a 360 px phone the menu opens with sign-out and the language switch on screen,
    then the groups folded (the role's own first); a group opens to its links."""
    context = _context(browser, live_server, lang, PHONE, phone=True)
    page = context.new_page()
    shots = Shots(page, request.node.name)
    try:
        _sign_in(page, str(role))
        page.get_by_test_id("nav-toggle").click()
        for testid in ("logout", "lang-zh-hans", "lang-en"):
            button = page.get_by_test_id(testid)
            expect(button).to_be_in_viewport()
            box = button.bounding_box()
            assert box["y"] + box["height"] <= PHONE["height"], testid
        groups = page.locator(".nav-groups > .nav-item")
        expect(groups.first).to_have_attribute("data-testid", f"navgroup-{FIRST_GROUP[role]}")
        expect(groups.first).to_contain_text(group_label(FIRST_GROUP[role], lang))
        # folded, the whole menu fits the screen
        menu = page.locator("#main-nav").bounding_box()
        assert menu["y"] + menu["height"] <= PHONE["height"], menu
        shots("menu")
        page.get_by_test_id(f"navgroup-toggle-{FIRST_GROUP[role]}").click()
        link = groups.first.locator(".dropdown-item").first
        expect(link).to_be_visible()
        shots("group-open")
        target = link.get_attribute("href")
        link.click()
        expect(page).to_have_url(f"{live_server.url}{target}")
    finally:
        context.close()


# --- 2. tap targets on the phone pages ------------------------------------------------------


def _pages(role: str, records: dict) -> list[str]:  # type: ignore[type-arg]
    pk = {name: record.pk for name, record in records.items()}
    if role == Role.OFFICER:
        return [
            "/duty/",
            "/patrols/",
            f"/patrols/{pk['patrol']}/",
            "/posts/",
            "/hazards/",
            "/hazards/report/",
            "/hazards/map/",
            "/incidents/quick/",
            "/outreach/assistance/",
            "/petitions/consultations/",
        ]
    if role == Role.CLERK:
        return [
            "/petitions/",
            f"/petitions/tickets/{pk['ticket']}/",
            "/petitions/tickets/new/",
            "/petitions/consultations/",
            "/petitions/proposals/",
            "/petitions/weekly/",
            "/incidents/fund/",
            f"/incidents/fund/{pk['advance']}/",
            "/incidents/fund/ledger/",
        ]
    return [
        "/dashboard/",
        "/report/",
        "/patrols/",
        "/campaigns/",
        "/trainings/",
        "/zones/",
        f"/hazards/{pk['hazard']}/",
        "/hazards/key-vehicles/",
        "/hazards/facility-works/",
        "/incidents/",
        f"/incidents/{pk['accident']}/",
        "/outreach/events/",
        f"/outreach/events/{pk['event']}/",
        "/outreach/commendations/",
        "/outreach/love-stations/",
        f"/outreach/love-stations/{pk['station']}/",
        f"/hazards/key-vehicles/{pk['vehicle']}/",
        "/audit/phone-views/",
    ]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", [Role.OFFICER, Role.CLERK, Role.COMMANDER])
def test_every_tap_target_on_the_phone_pages_is_44_px(
    browser, live_server, brigade, request, lang, role
):
    """Each role's phone pages, and the menu opened on one of them: no button, link, field,
    chip or summary a thumb uses is under 44 px either way."""
    context = _context(browser, live_server, lang, PHONE, phone=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    shots = Shots(page, request.node.name)
    small: list[str] = []
    total = 0
    try:
        _sign_in(page, str(role))
        for url in _pages(role, brigade):
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            expect(page.locator("main")).to_be_visible()
            if url == "/hazards/map/":
                expect(page.locator(".leaflet-control-zoom-in")).to_be_visible()
            found = page.evaluate(MEASURE, MIN_TAP)
            total += found["total"]
            small += [f"{url}: {item}" for item in found["small"]]
            no_horizontal_scroll(page)  # bigger targets, the page still 360 px wide
            shots(url.strip("/").replace("/", "-") or "home")
        page.get_by_test_id("nav-toggle").click()
        group = page.locator(".nav-groups .dropdown-toggle").first
        group.click()
        expect(page.locator(".nav-groups .dropdown-menu.show")).to_be_visible()
        found = page.evaluate(MEASURE, MIN_TAP)
        total += found["total"]
        small += [f"menu: {item}" for item in found["small"]]
        shots("menu-open")
    finally:
        context.close()
    print(f"{role} {lang}: {total} tap targets measured, {len(small)} under {MIN_TAP} px")
    assert total > 100
    assert not small, f"{len(small)} of {total} under {MIN_TAP} px:\n" + "\n".join(small)


# --- 3. the favicon ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_favicon_is_served_and_no_page_logs_an_error(
    browser, live_server, brigade, request, lang, size
):
    """The page names its icon and /favicon.ico answers an icon: the console stays clean
    from the sign-in page to the officer's duty page."""
    phone = size == "phone"
    viewport = PHONE if phone else {"width": 1366, "height": 768}
    context = _context(browser, live_server, lang, viewport, phone=phone)
    page = context.new_page()
    shots = Shots(page, request.node.name)
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    try:
        _sign_in(page, str(Role.OFFICER))
        expect(page).to_have_url(f"{live_server.url}/duty/")
        icon = page.locator("link[rel=icon]")
        expect(icon).to_have_attribute("type", "image/svg+xml")
        svg = page.request.get(icon.get_attribute("href"))
        assert svg.status == 200 and svg.headers["content-type"].startswith("image/svg")
        ico = page.request.get("/favicon.ico")
        assert ico.status == 200
        assert ico.headers["content-type"] == "image/x-icon"
        assert ico.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
        page.goto("/favicon.ico")
        shots("favicon")
    finally:
        context.close()
    assert not errors, errors
    assert not failed, failed
