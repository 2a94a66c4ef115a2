"""The officer's patrol, on a phone, in a real browser: sign in, see today's shift, start,
tally, check in, note the weather, be refused a second start, end, find it in my patrols.

Runs in Chinese (the default) and in English; each step is screenshotted under
artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from brigade.core.roles import Role
from brigade.duty.choices import PatrolMode, PostKind, Weather
from brigade.duty.models import PatrolLog
from tests.brigade.factories import (
    DutyPostFactory,
    OfficerFactory,
    ShiftFactory,
    UnitFactory,
    UserFactory,
)

PASSWORD = "pw-for-tests-1"

TEXT = {
    "zh-hans": {
        "title": "今日勤务",
        "refused": "您已有一次正在进行的巡逻",
        "below_zero": "不能小于零",
    },
    "en": {
        "title": "My duty today",
        "refused": "You already have a patrol in progress",
        "below_zero": "cannot go below zero",
    },
}


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on a phone"


@pytest.fixture
def on_duty(transactional_db):
    """An officer with a login and a shift at a peak-hour post today."""
    unit = UnitFactory(code="sq1", name="一中队")
    user = UserFactory(username="sunhao", password=PASSWORD, roles=[Role.OFFICER])
    officer = OfficerFactory(user=user, unit=unit, name="孙浩")
    post = DutyPostFactory(unit=unit, name="花园路高峰岗", kind=PostKind.PEAK_HOUR)
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    shift = ShiftFactory(
        officer=officer,
        post=post,
        starts_at=start - dt.timedelta(hours=1),
        ends_at=start + dt.timedelta(hours=3),
    )
    return officer, post, shift


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_officer_patrol_journey_on_a_phone(phone: Page, on_duty, lang):
    officer, post, shift = on_duty
    text = TEXT[lang]
    shot = phone.shots

    # given: the officer signs in and lands on "my duty today"
    phone.goto("/accounts/login/")
    phone.fill("input[name=username]", "sunhao")
    phone.fill("input[name=password]", PASSWORD)
    shot("login")
    phone.get_by_test_id("login-submit").click()
    expect(phone.get_by_test_id("page-title")).to_have_text(text["title"])
    expect(phone.get_by_test_id(f"shift-{shift.pk}")).to_contain_text("花园路高峰岗")
    _no_horizontal_scroll(phone)
    shot("duty-today")

    # a second tab, still showing the start form, for the refused second start later
    stale = phone.context.new_page()
    stale.goto("/duty/")

    # when: they start the shift's patrol on a motorcycle
    phone.locator(f'label[for="mode-{shift.pk}-motorcycle"]').click()
    phone.get_by_test_id(f"shift-start-{shift.pk}").click()
    expect(phone.get_by_test_id("open-patrol")).to_be_visible()
    shot("patrol-started")

    # tally: two helmets corrected, one tap undone; one speeding undone past zero
    plus, minus = (
        phone.get_by_test_id("tally-plus-no_helmet"),
        phone.get_by_test_id("tally-minus-no_helmet"),
    )
    plus.click()
    expect(phone.get_by_test_id("tally-count-no_helmet")).to_have_text("1")
    plus.click()
    expect(phone.get_by_test_id("tally-count-no_helmet")).to_have_text("2")
    minus.click()
    expect(phone.get_by_test_id("tally-count-no_helmet")).to_have_text("1")
    phone.get_by_test_id("tally-plus-speeding").click()
    expect(phone.get_by_test_id("tally-count-speeding")).to_have_text("1")
    phone.get_by_test_id("tally-minus-speeding").click()
    expect(phone.get_by_test_id("tally-count-speeding")).to_have_text("0")
    phone.get_by_test_id("tally-minus-speeding").click()
    expect(phone.locator("#tally-feedback")).to_contain_text(text["below_zero"])
    expect(phone.get_by_test_id("tally-count-speeding")).to_have_text("0")
    expect(phone.get_by_test_id("tally-total")).to_have_text("1")
    _no_horizontal_scroll(phone)
    shot("tallied")

    # check in at the post, note the rain
    phone.select_option("#check-in-form select[name=post]", str(post.pk))
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("checkin-status")).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))
    phone.select_option("#details-form select[name=weather]", Weather.RAIN.value)
    phone.get_by_test_id("save-details").click()
    shot("checked-in")

    # a second start, from the stale tab, is refused with a clear message
    stale.get_by_test_id("patrol-start").click()
    expect(stale.get_by_test_id("messages")).to_contain_text(text["refused"])
    stale.shots = type(phone.shots)(stale, f"{phone.shots.folder.name}-second-tab")
    stale.shots("second-start-refused")
    stale.close()

    # end the patrol
    phone.reload()
    phone.get_by_test_id("patrol-end").click()
    phone.get_by_test_id("patrol-end-confirm").click()
    expect(phone.get_by_test_id("open-patrol")).to_have_count(0)
    shot("ended")

    # then: it is in "my patrols" with its total, and the record holds what was done
    phone.get_by_test_id("quick-my-patrols").click()
    patrol = PatrolLog.objects.get(officer=officer)
    row = phone.get_by_test_id(f"patrol-row-{patrol.pk}")
    expect(row).to_be_visible()
    expect(phone.get_by_test_id(f"patrol-total-{patrol.pk}")).to_have_text("1")
    _no_horizontal_scroll(phone)
    shot("my-patrols")

    assert patrol.mode == PatrolMode.MOTORCYCLE
    assert patrol.post == post
    assert patrol.checked_in_at is not None
    assert patrol.weather == Weather.RAIN
    assert patrol.ended_at is not None and patrol.ended_at > patrol.started_at
    assert dict(patrol.tallies.values_list("kind", "count")) == {"no_helmet": 1, "speeding": 0}
    assert PatrolLog.objects.filter(officer=officer).count() == 1
