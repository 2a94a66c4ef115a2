"""The officer records a quick settlement (快处快赔) on a phone, in a real browser: from
the duty page's quick action, one screen, time already filled in, well under a minute; then
the accident page and the fund's ledger at 360 px without horizontal scroll.

Runs in Chinese (the default) and in English; screenshots under
artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from brigade.choices import Role
from incidents.choices import HandlingMode, Severity
from incidents.models import Accident
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory

PASSWORD = "pw-for-tests-1"

TEXT = {
    "zh-hans": {"recorded": "事故已登记", "quick": "快处快赔"},
    "en": {"recorded": "Accident recorded", "quick": "Quick settlement"},
}


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on a phone"


@pytest.fixture
def officer_on_duty(transactional_db):
    unit = UnitFactory(code="sq1", name="一中队")
    user = UserFactory(username="sunhao", password=PASSWORD, roles=[Role.OFFICER])
    return OfficerFactory(user=user, unit=unit, name="孙浩")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_officer_records_a_quick_settlement_on_a_phone(phone: Page, officer_on_duty, lang):
    text = TEXT[lang]
    shot = phone.shots
    phone.goto("/accounts/login/")
    phone.fill("input[name=username]", "sunhao")
    phone.fill("input[name=password]", PASSWORD)
    phone.get_by_test_id("login-submit").click()
    expect(phone.get_by_test_id("quick-quick-settlement")).to_be_visible()
    shot("duty-quick-actions")

    # when: the quick action, the road and two plates (the time is already there)
    started = time.monotonic()
    phone.get_by_test_id("quick-quick-settlement").click()
    expect(phone.get_by_test_id("quick-form")).to_be_visible()
    _no_horizontal_scroll(phone)
    assert phone.input_value("input[name=occurred_at]")
    phone.fill("input[name=road]", "花园路")
    phone.fill("input[name=plate_a]", "鲁PA1234")
    phone.fill("input[name=insurer_a]", "人保财险")
    phone.fill("input[name=plate_b]", "鲁PB5678")
    phone.fill("input[name=insurer_b]", "平安产险")
    shot("quick-form")
    phone.get_by_test_id("submit").click()
    expect(phone.get_by_role("alert").first).to_contain_text(text["recorded"])
    elapsed = time.monotonic() - started
    shot("accident-page")
    _no_horizontal_scroll(phone)
    expect(phone.get_by_test_id("accident-handling")).to_have_text(text["quick"])

    # then: recorded for the officer's unit with both vehicles, well under a minute
    accident = Accident.objects.get()
    assert (accident.severity, accident.handling_mode) == (Severity.PROPERTY, HandlingMode.QUICK)
    assert accident.unit_id == officer_on_duty.unit_id
    assert sorted(accident.parties.values_list("plate", flat=True)) == ["鲁PA1234", "鲁PB5678"]
    assert elapsed < 60

    # and: the ledger reads on a phone too
    phone.goto("/incidents/fund/ledger/")
    expect(phone.get_by_test_id("ledger-totals")).to_be_visible()
    _no_horizontal_scroll(phone)
    shot("ledger")
