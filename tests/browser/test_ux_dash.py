"""The commander's dashboard and the hazard map on a 360×740 phone and on 1366×768 and
1440×900 desktops, in Chinese and in English.

Dashboard: its sections fold and the choice is remembered; the key figures come first (above
the per-unit table, and on a phone above the fold with the week controls folded away); the
charts of a section opened later (or opened at another window size) fill their box; the page
is a fraction of its former height (11,380 px on a phone, 7,000 px on a desktop).

Map: the legend counts the points by colour as the records have them; dense points gather in
a cluster showing their number, which opens on a click, and a single point still opens its
popup; with no tile server set up, or one that fails, the points, the legend and a plain
background stay, with a note, and no console error but the failed tiles.

Screenshots: artifacts/screenshots/<test>/NN-<step>.png.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from brigade.core.kpi import engine
from brigade.core.roles import Role
from brigade.duty.choices import UnitKind
from hazards.choices import HazardStatus, Severity
from hazards.models import Hazard
from tests.brigade.factories import (
    OfficerFactory,
    PatrolLogFactory,
    UnitFactory,
    UserFactory,
    ViolationTallyFactory,
)
from tests.browser.conftest import Shots
from tests.hazards.factories import HazardFactory

PASSWORD = "pw-for-tests-1"
SIZES = {
    "phone": {"width": 360, "height": 740},
    "desk1366": {"width": 1366, "height": 768},
    "desk1440": {"width": 1440, "height": 900},
}
TEXT = {
    "zh-hans": {"tiles": "关键指标", "units": "各单位"},
    "en": {"tiles": "Key figures", "units": "By unit"},
}
TILES_FAILED = "The map tiles could not be loaded: the points are shown on a plain background."


def _open(browser, live_server, request, size: str, lang: str):  # type: ignore[no-untyped-def]
    """A signed-in page of the given size and language, its screenshots and console errors."""
    phone = size == "phone"
    context = browser.new_context(
        viewport=SIZES[size],
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
        locale="en-US" if lang == "en" else "zh-CN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.goto("/accounts/login/")
    page.get_by_test_id(f"lang-{lang}").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.fill("input[name=username]", "wangjg")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page, Shots(page, request.node.name), errors


def _box(locator) -> dict[str, float]:  # type: ignore[no-untyped-def]
    # a map redraws its markers as it settles (a cluster is replaced by an equal one): the
    # box of the one shown once it is shown, asked again if it was replaced meanwhile
    for _ in range(3):
        locator.wait_for(state="visible")
        box = locator.bounding_box()
        if box is not None:
            return box
    raise AssertionError(f"{locator} has no box")


def _top(locator) -> float:  # type: ignore[no-untyped-def]
    """The element's top from the top of the page, wherever the page is scrolled."""
    return float(locator.evaluate("e => e.getBoundingClientRect().top + window.scrollY"))


def _real_errors(errors: list[str], allowed: str = "/favicon.ico") -> list[str]:
    return [error for error in errors if allowed not in error and "favicon.ico" not in error]


# --- the dashboard ---------------------------------------------------------------------------


@pytest.fixture
def brigade(db):
    """Headquarters and two squadrons with 12 weeks of patrols, an overdue hazard each (the
    work panels), the figures computed; the commander sees the whole brigade."""
    hq = UnitFactory(code="hq", name="大队部", kind=UnitKind.HEADQUARTERS)
    commander = UserFactory(username="wangjg", password=PASSWORD, roles=[Role.COMMANDER])
    OfficerFactory(user=commander, unit=hq, name="王建国")
    for n, code in enumerate(("sq1", "sq2")):
        unit = UnitFactory(code=code, name=f"{'一二'[n]}中队")
        officer = OfficerFactory(unit=unit)
        for week in range(12):
            start = timezone.make_aware(dt.datetime(2022, 4, 4, 8) + dt.timedelta(weeks=week))
            log = PatrolLogFactory(
                officer=officer, started_at=start, ended_at=start + dt.timedelta(hours=2)
            )
            ViolationTallyFactory(patrol=log, kind="no_helmet", count=1 + (week + n) % 4)
        HazardFactory(
            unit=unit,
            status=HazardStatus.ASSIGNED,
            responsible_party="市政设施养护所",
            deadline=timezone.localdate() - dt.timedelta(days=3),
        )
    engine.recompute_all()


def _section(page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id(f"section-{name}")


def _is_open(page, name: str) -> bool:  # type: ignore[no-untyped-def]
    return bool(_section(page, name).evaluate("details => details.open"))


def _chart_fills_its_box(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    chart = page.locator(selector).first
    expect(chart).to_have_attribute("data-rendered", "true")
    box = _box(chart)
    drawn = _box(chart.locator("svg").first)
    assert box["width"] > 150, box
    assert abs(drawn["width"] - box["width"]) <= 2, (drawn, box)


@pytest.mark.parametrize("size", ["phone", "desk1366", "desk1440"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_dashboard_sections_fold_and_the_key_figures_come_first(
    browser, live_server, brigade, request, lang, size
):
    text = TEXT[lang]
    phone = size == "phone"
    context, page, shots, errors = _open(browser, live_server, request, size, lang)
    try:
        page.goto("/dashboard/?week=2022-W26")
        expect(page.get_by_test_id("kpi-value-brigade.patrols")).to_have_text("24")
        expect(page.get_by_test_id("section-toggle-tiles")).to_contain_text(text["tiles"])
        expect(page.get_by_test_id("section-toggle-units")).to_contain_text(text["units"])

        # the key figures first: above the per-unit table, their first row on the first screen
        tiles = _box(page.get_by_test_id("kpi-tiles"))
        table = _box(page.get_by_test_id("unit-table"))
        table_top = _top(page.get_by_test_id("unit-table"))
        assert tiles["y"] + tiles["height"] <= table["y"], (tiles, table)
        first = _box(page.locator("[data-testid^=kpi-tile-]").first)
        assert first["y"] + first["height"] <= SIZES[size]["height"], first
        # every figure still opens its records
        href = page.get_by_test_id("kpi-link-brigade.patrols").get_attribute("href")
        assert href and "/dashboard/records/" in href

        # what starts open: on a phone the week controls and the trends are folded away
        assert _is_open(page, "tiles") and _is_open(page, "units") and _is_open(page, "work")
        assert _is_open(page, "filter") is not phone
        assert _is_open(page, "trends") is not phone
        assert not _is_open(page, "splits")
        expect(page.get_by_test_id("week-input")).to_be_visible(visible=not phone)
        if phone:
            toggle = _box(page.get_by_test_id("section-toggle-filter"))
            assert toggle["height"] >= 44, toggle  # a thumb's target
        else:
            expect(page.get_by_test_id("section-toggle-filter")).to_be_hidden()
        height = page.evaluate("document.documentElement.scrollHeight")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[size]["width"], f"page is {width}px wide"
        assert height < 4000, f"dashboard is {height}px high"  # it was 7,000 to 11,380
        (shots.folder / "height.txt").write_text(f"{height}\n")
        page.screenshot(path=str(shots.folder / "00-first-screen.png"))
        shots("opened")

        # a folded section opens: its charts fill their boxes (drawn on opening)
        page.get_by_test_id("section-toggle-splits").click()
        assert _is_open(page, "splits")
        _chart_fills_its_box(page, "[data-split]")
        if phone:
            page.get_by_test_id("section-toggle-trends").click()
        _chart_fills_its_box(page, "[data-chart]")
        shots("charts-open")

        # charts of a section folded while the window changed size are resized on opening
        page.get_by_test_id("section-toggle-trends").click()
        expect(page.locator("[data-chart]").first).to_be_hidden()
        other = {"width": SIZES[size]["width"] - 120, "height": SIZES[size]["height"]}
        page.set_viewport_size(other)
        page.get_by_test_id("section-toggle-trends").click()
        _chart_fills_its_box(page, "[data-chart]")
        page.set_viewport_size(SIZES[size])

        # the key figures fold, and stay folded for this user on the next visit
        page.get_by_test_id("section-toggle-tiles").click()
        expect(page.get_by_test_id("kpi-tiles")).to_be_hidden()
        shots("tiles-folded")
        page.reload()
        expect(page.get_by_test_id("kpi-tiles")).to_be_hidden()
        assert _is_open(page, "splits")  # opened above: remembered too
        # the per-unit table came up by the height of the folded tiles
        moved = _top(page.get_by_test_id("unit-table"))
        assert moved <= table_top - tiles["height"] + 60, (moved, table_top, tiles)
        page.get_by_test_id("section-toggle-tiles").click()
        expect(page.get_by_test_id("kpi-tiles")).to_be_visible()
        page.reload()
        expect(page.get_by_test_id("kpi-tiles")).to_be_visible()
        shots("tiles-open-again")
        assert not _real_errors(errors), errors
    finally:
        context.close()


# --- the hazard map --------------------------------------------------------------------------

# five hazards within 100 m of each other on 东昌东路, one 5 km away
DENSE = [
    (Severity.CRITICAL, "36.456000", "115.985000"),
    (Severity.CRITICAL, "36.456400", "115.985500"),
    (Severity.HIGH, "36.455600", "115.984500"),
    (Severity.MEDIUM, "36.456400", "115.984500"),
    (Severity.LOW, "36.455600", "115.985500"),
]


@pytest.fixture
def hazards(db):
    """Six open hazards with a position for the brigade commander's map, one overdue, one
    without a position, one verified (off the map)."""
    hq = UnitFactory(code="hq", name="大队部", kind=UnitKind.HEADQUARTERS)
    commander = UserFactory(username="wangjg", password=PASSWORD, roles=[Role.COMMANDER])
    OfficerFactory(user=commander, unit=hq, name="王建国")
    unit = UnitFactory(code="sq1", name="一中队")
    for n, (severity, lat, lng) in enumerate(DENSE):
        HazardFactory(
            unit=unit, severity=severity, road=f"东昌东路{n + 1}号", latitude=lat, longitude=lng
        )
    far = HazardFactory(
        unit=unit,
        severity=Severity.MEDIUM,
        road="柳园南路",
        latitude="36.4900",
        longitude="116.0300",
        deadline=timezone.localdate() - dt.timedelta(days=2),
    )
    HazardFactory(unit=unit, severity=Severity.HIGH)  # no position
    HazardFactory(
        unit=unit,
        severity=Severity.HIGH,
        status=HazardStatus.VERIFIED,
        latitude="36.45",
        longitude="115.98",
    )
    return far


def _on_the_map() -> dict[str, int]:
    shown = Hazard.objects.open().filter(latitude__isnull=False)
    counts = {str(value): shown.filter(severity=value).count() for value in Severity.values}
    counts["overdue"] = shown.filter(deadline__lt=timezone.localdate()).count()
    return counts


@pytest.mark.parametrize("size", ["phone", "desk1440"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_map_legend_counts_and_dense_points_cluster(
    browser, live_server, hazards, request, settings, lang, size
):
    settings.MAP_TILE_URL = ""
    context, page, shots, errors = _open(browser, live_server, request, size, lang)
    try:
        page.goto("/hazards/map/")
        expect(page.get_by_test_id("hazard-map")).to_have_attribute("data-points", "6")

        # the legend: each colour with the number of its points, as the records have them
        expected = _on_the_map()
        assert expected == {"critical": 2, "high": 1, "medium": 2, "low": 1, "overdue": 1}
        for key, count in expected.items():
            expect(page.get_by_test_id(f"legend-count-{key}")).to_have_text(str(count))
        legend = _box(page.get_by_test_id("map-legend"))
        board = _box(page.get_by_test_id("hazard-map"))
        assert legend["y"] + legend["height"] <= board["y"]
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]

        # no tile server: a plain background, and the page says so
        expect(page.get_by_test_id("map-no-tiles-configured")).to_be_visible()
        expect(page.locator("#hazard-map .leaflet-tile")).to_have_count(0)

        # the five close together are one cluster showing 5, in the colour of the worst
        cluster = page.get_by_test_id("map-cluster")
        expect(cluster).to_have_count(1)
        expect(cluster).to_have_text("5")
        expect(cluster).to_have_attribute("data-severity", "critical")
        icon = _box(cluster)
        assert icon["width"] >= 44 and icon["height"] >= 44, icon
        zoom_in = _box(page.locator(".leaflet-control-zoom-in"))
        if size == "phone":
            assert zoom_in["width"] >= 44 and zoom_in["height"] >= 44, zoom_in
        expect(page.locator("#hazard-map path.leaflet-interactive")).to_have_count(1)
        page.screenshot(path=str(shots.folder / "00-map.png"))
        shots("cluster")

        # a click on the cluster opens it: five points of their own
        cluster.click()
        expect(page.get_by_test_id("map-cluster")).to_have_count(0)
        markers = page.locator("#hazard-map path.leaflet-interactive")
        expect(markers).to_have_count(5)
        shots("cluster-opened")

        # one point opens its popup
        markers.first.click(force=True)
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_contain_text("东昌东路")
        expect(popup.get_by_role("link")).to_have_attribute("href", re.compile(r"^/hazards/\d+/$"))
        page.wait_for_timeout(300)  # the popup's fade-in, for the screenshot
        shots("popup")
        assert not _real_errors(errors), errors
    finally:
        context.close()


@pytest.mark.parametrize("size", ["phone", "desk1366"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_map_keeps_working_when_the_tiles_fail(
    browser, live_server, hazards, request, settings, lang, size
):
    # a tile server that answers nothing but 404
    settings.MAP_TILE_URL = "/no-tile-server/{z}/{x}/{y}.png"
    context, page, shots, errors = _open(browser, live_server, request, size, lang)
    try:
        page.goto("/hazards/map/")
        expect(page.get_by_test_id("hazard-map")).to_have_attribute("data-points", "6")
        expect(page.get_by_test_id("map-tiles-failed")).to_be_visible()
        with translation.override(lang):
            expect(page.get_by_test_id("map-tiles-failed")).to_have_text(gettext(TILES_FAILED))
        expect(page.get_by_test_id("map-no-tiles-configured")).to_be_hidden()
        # the failing layer is dropped; the points and the legend stay
        expect(page.locator("#hazard-map .leaflet-tile")).to_have_count(0)
        expect(page.get_by_test_id("map-cluster")).to_have_text("5")
        expect(page.locator("#hazard-map path.leaflet-interactive")).to_have_count(1)
        expect(page.get_by_test_id("legend-count-critical")).to_have_text("2")
        expect(page.get_by_test_id("hazard-map")).to_have_class(re.compile(r"\bhazard-map-plain\b"))
        shots("tiles-failed")
        assert not _real_errors(errors, allowed="/no-tile-server/"), errors
    finally:
        context.close()
