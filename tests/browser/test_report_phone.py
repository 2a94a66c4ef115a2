"""The period report on a 360 px phone, in a real browser (Debian's chromium through
Playwright): a commander picks a preset and a unit, reads the figures without sideways
scrolling, opens the records behind one (and one of them), and finds both exports. Screenshots under
artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from brigade.core.roles import Role
from brigade.duty.choices import UnitKind
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.browser.conftest import no_horizontal_scroll
from tests.hazards.factories import HazardFactory
from tests.petitions.factories import TicketFactory

pytestmark = pytest.mark.browser

PASSWORD = "pw-for-tests-1"
TEXT = {
    "zh-hans": {"title": "统计报表", "hazards": "隐患排查", "found": "排查隐患"},
    "en": {"title": "Period report", "hazards": "Hazard investigation", "found": "Hazards found"},
}


@pytest.fixture
def brigade(transactional_db):
    hq = UnitFactory(code="hq", name="大队部", kind=UnitKind.HEADQUARTERS)
    sq1 = UnitFactory(code="sq1", name="一中队")
    user = UserFactory(username="wangjianguo", password=PASSWORD, roles=[Role.COMMANDER])
    OfficerFactory(user=user, unit=hq, name="王建国")
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    found = timezone.make_aware(dt.datetime.combine(last_month.replace(day=10), dt.time(9)))
    for hour in range(3):
        HazardFactory(unit=sq1, found_at=found + dt.timedelta(hours=hour), road="花园路")
    TicketFactory(unit=sq1, received_at=found)
    return sq1


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_commander_reads_last_months_report_on_a_phone(phone: Page, brigade, lang):
    text = TEXT[lang]  # the phone's browser asks for the language (Accept-Language)
    phone.goto("/accounts/login/")
    phone.fill("input[name=username]", "wangjianguo")
    phone.fill("input[name=password]", PASSWORD)
    phone.get_by_test_id("login-submit").click()
    phone.goto("/report/")
    expect(phone.get_by_test_id("page-title")).to_contain_text(text["title"])
    no_horizontal_scroll(phone)
    phone.shots("this-half-year")

    # when: last month, for the first squadron
    phone.get_by_test_id("preset-last_month").click()
    phone.get_by_test_id("report-unit").select_option(str(brigade.pk))
    phone.get_by_test_id("report-show").click()

    # then: its figures, by area, on a phone's width
    expect(phone.get_by_test_id("report-scope")).to_have_text("一中队")
    expect(phone.get_by_test_id("report-area-hazards")).to_contain_text(text["hazards"])
    expect(phone.get_by_test_id("value-hazards.found")).to_have_text("3")
    expect(phone.get_by_test_id("value-petitions.received")).to_have_text("1")
    expect(phone.get_by_test_id("export-xlsx")).to_be_visible()
    expect(phone.get_by_test_id("export-docx")).to_be_visible()
    no_horizontal_scroll(phone)
    phone.shots("last-month-sq1")

    # and: the hazards behind the figure are a tap away, exactly the three it counts
    phone.get_by_test_id("value-hazards.found").click()
    expect(phone).to_have_url(
        re.compile(rf"/dashboard/records/\?figure=hazards.found.*unit={brigade.pk}")
    )
    expect(phone.get_by_test_id("records-count")).to_have_attribute("data-count", "3")
    expect(phone.get_by_test_id("record-row")).to_have_count(3)
    no_horizontal_scroll(phone)
    phone.shots("the-hazards")
    # each one a tap from its own page
    phone.get_by_test_id("record-row").first.get_by_role("link").click()
    expect(phone).to_have_url(re.compile(r"/hazards/\d+/$"))
