"""The demo is Liaocheng's, as a user sees it, on a 360 px phone and a 1440×900 desk, in
Chinese and English: the hazard map opens on Liaocheng with the demo's open hazards drawn
on it, an accident's page says where it happened (in Liaocheng, with a link for the phone's
map app), and the period report reads "not quantified" for the markings the report names
without a number. Screenshots under artifacts/screenshots/<test>/."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from brigade.duty import demo as brigade_demo
from brigade.duty.demo.places import in_liaocheng
from hazards import demo as hazards_demo
from incidents import demo as incidents_demo
from incidents.models import Accident
from tests.browser.conftest import PHONE, Shots

PASSWORD = "demo-pass-for-browser-1"
DESK = {"width": 1440, "height": 900}
MARKING = "hazards.facility_works.marking"


@pytest.fixture
def liaocheng(transactional_db, settings):  # type: ignore[no-untyped-def]
    """The demo's brigade, its hazards (two still open: the map's) and one accident of the
    relief fund's, seeded as ``seed_demo`` seeds them."""
    settings.DEMO_PASSWORD = PASSWORD
    context = brigade_demo.DemoContext(stdout=io.StringIO())
    context.units = brigade_demo.seed_units()
    context.officers = brigade_demo.seed_officers(context.units)
    brigade_demo.seed_users(context)
    hazards_demo.seed(context)
    plan = incidents_demo._advance_accident(incidents_demo.ADVANCES[0])
    incidents_demo.seed_accidents(context, [plan], None)
    return Accident.objects.get()


@pytest.fixture(params=["phone", "desk"])
def screen(request, browser, live_server):  # type: ignore[no-untyped-def]
    """A page on a phone (360 px) or a 1440×900 desk, in the test's language."""
    lang = request.node.callspec.params["lang"]
    options = (
        {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
        if request.param == "phone"
        else {"viewport": DESK}
    )
    context = browser.new_context(
        base_url=live_server.url, locale="en-US" if lang == "en" else "zh-CN", **options
    )
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.shots = Shots(page, request.node.name)
    yield page
    context.close()


def _sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "commander")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.locator("input[name=password]")).to_have_count(0)


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def _embedded(page: Page, element_id: str):  # type: ignore[no-untyped-def]
    return json.loads(page.locator(f"#{element_id}").text_content() or "null")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_demo_is_in_liaocheng(screen: Page, liaocheng: Accident, lang: str) -> None:
    page, shot = screen, screen.shots
    with translation.override(lang):
        not_quantified = translation.gettext("not quantified")
        markings = translation.gettext("Markings repainted")
    _sign_in(page)

    # the map: set on Liaocheng, the demo's open hazards drawn inside its box: the report's
    # two still open, and the two that need someone today (hazards.demo.seed_due_now)
    page.goto("/hazards/map/")
    box = page.get_by_test_id("hazard-map")
    expect(box).to_be_visible()
    config = _embedded(page, "hazard-map-config")
    assert in_liaocheng(*config["center"]), config["center"]
    points = _embedded(page, "hazard-points")
    assert len(points) == 2 + 2
    assert all(in_liaocheng(p["lat"], p["lng"]) for p in points), points
    # every mark (a point, or a cluster of them) lies inside the map's frame, once the map
    # has settled on its points
    page.wait_for_function(
        """() => {
            const box = document.getElementById("hazard-map").getBoundingClientRect();
            const marks = [...document.querySelectorAll(
                "#hazard-map .leaflet-overlay-pane path.leaflet-interactive,"
                + " #hazard-map .leaflet-marker-pane .leaflet-marker-icon")];
            return marks.length > 0 && marks.every((mark) => {
                const r = mark.getBoundingClientRect();
                const x = r.x + r.width / 2, y = r.y + r.height / 2;
                return box.left <= x && x <= box.right && box.top <= y && y <= box.bottom;
            });
        }"""
    )
    _no_horizontal_scroll(page)
    shot("map")

    # the accident's page: where it happened, in Liaocheng, a thumb's link to the map app
    page.goto(f"/incidents/{liaocheng.pk}/")
    where = page.get_by_test_id("accident-coordinates")
    expect(where).to_be_visible()
    lat, lng = (float(part) for part in (where.text_content() or "").split(","))
    assert in_liaocheng(lat, lng)
    assert (lat, lng) == (float(liaocheng.latitude), float(liaocheng.longitude))
    link = page.get_by_test_id("accident-geo-link")
    expect(link).to_have_attribute(
        "href", f"geo:{liaocheng.latitude:.6f},{liaocheng.longitude:.6f}"
    )
    size = link.bounding_box()
    assert size is not None and size["x"] + size["width"] <= page.viewport_size["width"]
    _no_horizontal_scroll(page)
    where.scroll_into_view_if_needed()
    shot("accident")

    # the report: the markings read "not quantified", not 0
    page.goto("/report/?from=2022-01-01&to=2022-06-30")
    figure = page.get_by_test_id(f"figure-{MARKING}")
    expect(figure).to_contain_text(markings)
    value = page.get_by_test_id(f"value-{MARKING}")
    expect(value).to_have_text(not_quantified)
    assert (value.text_content() or "").strip() not in {"0", ""}
    expect(page.get_by_test_id("value-hazards.facility_works.parking_bay")).to_have_text("260")
    _no_horizontal_scroll(page)
    figure.scroll_into_view_if_needed()
    shot("report")
