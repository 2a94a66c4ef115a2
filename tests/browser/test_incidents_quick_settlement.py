"""The officer records a quick settlement (快处快赔) on a phone, in a real browser: from
the duty page's quick action, one screen, time already filled in, well under a minute; then
the accident page and the fund's ledger at 360 px without horizontal scroll.

Runs in Chinese (the default) and in English; screenshots under
artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from brigade.core.roles import Role
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


@pytest.fixture
def fund_desk(transactional_db):
    from decimal import Decimal

    from tests.incidents.factories import AccidentFactory, FundAdvanceFactory, paid_advance

    unit = UnitFactory(code="sq1", name="一中队")
    requester = UserFactory(username="sunhao", password=PASSWORD, roles=[Role.OFFICER])
    OfficerFactory(user=requester, unit=unit, name="孙浩")
    commander = UserFactory(username="wangjg", password=PASSWORD, roles=[Role.COMMANDER])
    OfficerFactory(user=commander, unit=unit, name="王建国")
    accident = AccidentFactory(unit=unit, severity=Severity.INJURY, hit_and_run=True)
    advance = FundAdvanceFactory(
        accident=accident,
        beneficiary="张桂兰",
        payee="市人民医院",
        amount=Decimal("86500.00"),
        requested_by=requester,
    )
    # an older advance whose recovery deadline has passed
    paid_advance(
        "45230.50",
        accident=accident,
        beneficiary="王秀英",
        recovery_due=timezone.localdate() - dt.timedelta(days=3),
    )
    return advance


def test_commander_approves_pays_and_recovers_on_a_phone(phone: Page, fund_desk):
    from incidents.models import FundAdvance

    shot = phone.shots
    phone.goto("/accounts/login/")
    phone.fill("input[name=username]", "wangjg")
    phone.fill("input[name=password]", PASSWORD)
    phone.get_by_test_id("login-submit").click()

    # the dashboard's work panel lists the request and the overdue recovery
    phone.goto("/dashboard/")
    expect(phone.get_by_test_id("panel-incidents")).to_be_visible()
    expect(phone.get_by_test_id("panel-incidents-awaiting")).to_contain_text("1")
    expect(phone.get_by_test_id("panel-incidents-recovery")).to_contain_text("1")
    shot("dashboard-panel")

    phone.goto(f"/incidents/fund/{fund_desk.pk}/")
    _no_horizontal_scroll(phone)
    phone.get_by_test_id("approve").click()
    # a recovery deadline within the date window (at most a year ahead)
    due = timezone.localdate() + dt.timedelta(days=180)
    phone.fill("input[name=recovery_due]", due.isoformat())
    phone.get_by_test_id("pay").click()
    phone.fill("input[name=payer]", "肇事司机")
    phone.fill("input[name=amount]", "30000.00")
    shot("recovery-form")
    phone.get_by_test_id("recover").click()
    expect(phone.get_by_test_id("advance-outstanding")).to_contain_text("56")
    _no_horizontal_scroll(phone)
    shot("advance-paid-and-recovered")

    advance = FundAdvance.objects.get(pk=fund_desk.pk)
    assert advance.status == "paid"
    assert str(advance.outstanding) == "56500.00"

    phone.goto("/incidents/fund/ledger/")
    expect(phone.get_by_test_id("ledger-totals")).to_be_visible()
    expect(phone.get_by_test_id("warning-overdue")).to_be_visible()
    _no_horizontal_scroll(phone)
    shot("ledger")
    phone.goto("/incidents/hit-and-run/")
    _no_horizontal_scroll(phone)
    shot("hit-and-run-cases")
