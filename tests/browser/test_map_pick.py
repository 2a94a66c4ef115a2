"""The maps in a real browser (a phone): tapping the accident form's map fills latitude and
longitude, typing them and choosing a place from the register move its marker; the
black-spot page draws its accidents as a heat layer (a canvas) and the hazard map's
"Accident heat" layer loads the same points; no Content-Security-Policy violation on the way.

Screenshots: artifacts/screenshots/<test>/NN-<step>.png.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from brigade.core.roles import Role
from brigade.duty.choices import PlaceKind
from brigade.duty.models import Place
from incidents.choices import Severity
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.incidents.factories import AccidentFactory

PASSWORD = "pw-for-tests-1"
SIX_DECIMALS = re.compile(r"^-?\d{1,3}\.\d{6}$")

# every violation the page reports, kept for the test to read (before any page script)
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def world(transactional_db):
    unit = UnitFactory(code="sq1", name="一中队")
    people = {}
    for role, name in ((Role.OFFICER, "孙浩"), (Role.COMMANDER, "王建国")):
        user = UserFactory(username=str(role), password=PASSWORD, roles=[role])
        people[role] = OfficerFactory(user=user, unit=unit, name=name)
    place = Place(
        name="东昌路与柳园路口",
        kind=PlaceKind.INTERSECTION,
        latitude=Decimal("36.456000"),
        longitude=Decimal("115.985000"),
    )
    place.full_clean()
    place.save()
    now = timezone.now()
    for days, severity, lat in (
        (3, Severity.INJURY, "36.4560"),
        (8, Severity.INJURY, "36.4562"),
        (20, Severity.FATAL, "36.4565"),
        (30, Severity.PROPERTY, "36.4570"),  # not in the heat
    ):
        AccidentFactory(
            unit=unit,
            latitude=Decimal(lat),
            longitude=Decimal("115.985000"),
            occurred_at=now - dt.timedelta(days=days),
            severity=severity,
        )
    return {"unit": unit, "place": place, **people}


def sign_in(page: Page, username: str) -> list[str]:
    """Sign in; returns the list the page's uncaught script errors are added to."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(WATCH)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()
    return errors


def no_violations(page: Page) -> None:
    assert page.evaluate("window.__violations") == []


def test_tapping_the_accident_forms_map_fills_the_point(phone: Page, world):
    errors = sign_in(phone, str(Role.OFFICER))
    phone.goto("/incidents/new/")
    box = phone.get_by_test_id("position-map")
    expect(box).to_be_visible()
    box.scroll_into_view_if_needed()
    assert phone.input_value("#id_latitude") == "" and phone.input_value("#id_longitude") == ""
    phone.shots("form-with-map")

    # when: a tap on the map, off its centre
    size = box.bounding_box()
    assert size and size["height"] >= 200 and size["width"] <= 360
    box.tap(position={"x": size["width"] * 0.3, "y": size["height"] * 0.6})

    # then: both fields hold a point with six decimals, where the marker now is
    expect(phone.locator("#id_latitude")).to_have_value(SIX_DECIMALS)
    expect(phone.locator("#id_longitude")).to_have_value(SIX_DECIMALS)
    tapped = f"{phone.input_value('#id_latitude')},{phone.input_value('#id_longitude')}"
    expect(box).to_have_attribute("data-marker", tapped)
    expect(box.locator(".position-pin")).to_have_count(1)
    phone.shots("tapped")

    # typing the point moves the marker
    phone.fill("#id_latitude", "36.450000")
    phone.fill("#id_longitude", "115.990000")
    expect(box).to_have_attribute("data-marker", "36.450000,115.990000")

    # emptied, then a place of the register: its point fills the fields and the marker
    phone.fill("#id_latitude", "")
    phone.fill("#id_longitude", "")
    expect(box.locator(".position-pin")).to_have_count(0)
    phone.select_option("#id_gazetteer_place", str(world["place"].pk))
    expect(phone.locator("#id_latitude")).to_have_value("36.456000")
    expect(box).to_have_attribute("data-marker", "36.456000,115.985000")
    phone.shots("place-chosen")
    no_violations(phone)
    assert errors == []


def test_the_black_spot_map_draws_the_heat_and_the_hazard_map_offers_it(phone: Page, world):
    errors = sign_in(phone, str(Role.COMMANDER))

    phone.goto("/incidents/black-spots/")
    box = phone.get_by_test_id("black-spot-map")
    box.scroll_into_view_if_needed()
    # the three accidents with injuries or deaths, drawn on the heat layer's canvas
    expect(box).to_have_attribute("data-heat-points", "3")
    expect(box.locator("canvas.leaflet-heatmap-layer")).to_have_count(1)
    phone.shots("black-spot-heat")
    # zooming redraws it (the layer follows the zoom's animation)
    box.locator(".leaflet-control-zoom-out").click()
    phone.wait_for_timeout(400)
    no_violations(phone)

    phone.goto("/hazards/map/")
    hazard_map = phone.get_by_test_id("hazard-map")
    expect(hazard_map.locator("canvas.leaflet-heatmap-layer")).to_have_count(0)
    # when: the layer is switched on in the layer control
    phone.locator(
        ".leaflet-control-layers label", has_text=re.compile("事故热力|Accident heat")
    ).click()
    # then: the same points, read from the black-spot endpoint, on a canvas
    expect(hazard_map).to_have_attribute("data-heat-points", "3")
    expect(hazard_map.locator("canvas.leaflet-heatmap-layer")).to_have_count(1)
    phone.wait_for_timeout(600)  # the map's zoom to the accidents
    phone.shots("hazard-map-heat")
    no_violations(phone)
    assert errors == []
