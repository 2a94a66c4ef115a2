"""The officer logs a publicity event and an assistance from a phone, in a real browser:
from the duty page's quick actions, one screen each, well under a minute; then taps a love
station's visit counter. No horizontal scroll at 360 px.

Runs in Chinese (the default) and in English; screenshots under
artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from brigade.core.roles import Role
from outreach.choices import AssistanceKind, VenueKind
from outreach.models import AssistanceEvent, PublicityEvent, StationVisitDay
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.outreach.factories import LoveStationFactory

PASSWORD = "pw-for-tests-1"

TEXT = {
    "zh-hans": {"logged": "宣传活动已登记", "helped": "便民服务已登记"},
    "en": {"logged": "Publicity event logged", "helped": "Assistance logged"},
}


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on a phone"


@pytest.fixture
def officer_on_duty(transactional_db):
    unit = UnitFactory(code="sq1", name="一中队")
    user = UserFactory(username="sunhao", password=PASSWORD, roles=[Role.OFFICER])
    officer = OfficerFactory(user=user, unit=unit, name="孙浩")
    colleague = OfficerFactory(unit=unit, name="周晓东")
    station = LoveStationFactory(unit=unit, name="花园路爱心驿站")
    return officer, colleague, station


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_officer_logs_outreach_and_assistance_on_a_phone(phone: Page, officer_on_duty, lang):
    officer, colleague, station = officer_on_duty
    text = TEXT[lang]
    shot = phone.shots

    phone.goto("/accounts/login/")
    phone.fill("input[name=username]", "sunhao")
    phone.fill("input[name=password]", PASSWORD)
    phone.get_by_test_id("login-submit").click()
    expect(phone.get_by_test_id("quick-log-outreach")).to_be_visible()
    shot("duty-quick-actions")

    # when: a publicity event, from the quick action (the clock runs from the tap)
    started = time.monotonic()
    phone.get_by_test_id("quick-log-outreach").click()
    expect(phone.get_by_test_id("event-form")).to_be_visible()
    _no_horizontal_scroll(phone)
    phone.get_by_test_id(f"venue_kind-{VenueKind.SCHOOL}").click()
    phone.fill("input[name=venue_name]", "花园路实验小学")
    phone.fill("input[name=topic]", "开学交通安全第一课")
    phone.fill("input[name=audience]", "480")
    phone.fill("input[name=consultations]", "36")
    phone.locator(f"label[for=officers-{colleague.pk}]").click()
    shot("event-form")
    phone.get_by_test_id("event-save").click()
    expect(phone.get_by_role("alert").first).to_contain_text(text["logged"])
    elapsed = time.monotonic() - started
    shot("event-logged")
    _no_horizontal_scroll(phone)

    # then: saved for the officer's unit, with both officers
    event = PublicityEvent.objects.get()
    assert (event.venue_kind, event.audience, event.consultations) == ("school", 480, 36)
    assert set(event.officers.values_list("name", flat=True)) == {"孙浩", "周晓东"}
    assert elapsed < 60

    # when: an assistance, from the duty page
    started = time.monotonic()
    phone.goto("/duty/")
    phone.get_by_test_id("quick-log-assistance").click()
    phone.get_by_test_id(f"kind-{AssistanceKind.REUNITED}").click()
    phone.fill("input[name=location]", "百货大楼路口")
    phone.fill("input[name=outcome]", "走失老人已交还家属")
    _no_horizontal_scroll(phone)
    shot("assistance-form")
    phone.get_by_test_id("assistance-save").click()
    expect(phone.get_by_role("alert").first).to_contain_text(text["helped"])
    assert time.monotonic() - started < 60
    shot("assistance-logged")
    help_ = AssistanceEvent.objects.get()
    assert help_.kind == AssistanceKind.REUNITED and help_.unit_id == officer.unit_id

    # and: two taps on the love station's counter (htmx swaps the count in place)
    phone.goto("/outreach/love-stations/")
    _no_horizontal_scroll(phone)
    phone.get_by_test_id(f"station-plus-{station.pk}").click()
    expect(phone.get_by_test_id(f"station-count-{station.pk}")).to_have_text("1")
    phone.get_by_test_id(f"station-plus-{station.pk}").click()
    expect(phone.get_by_test_id(f"station-count-{station.pk}")).to_have_text("2")
    expect(phone.get_by_test_id(f"station-total-{station.pk}")).to_have_text("2")
    shot("station-tally")
    assert StationVisitDay.objects.get(station=station).visits == 2

    # and: the lists and my own outreach page read on a phone, without sideways scrolling
    for path, testid in (
        ("/outreach/events/", f"event-row-{event.pk}"),
        ("/outreach/assistance/", f"assistance-row-{help_.pk}"),
        (f"/outreach/officers/{officer.pk}/", "venue-school"),
        (f"/outreach/units/{officer.unit_id}/", "venue-school"),
    ):
        phone.goto(path)
        expect(phone.get_by_test_id(testid)).to_be_visible()
        _no_horizontal_scroll(phone)
    shot("my-outreach")
