"""Journey: the officer's patrol on a 360 px phone, in Chinese and in English.

Duty page → start the shift's patrol → tally violations with +/− (a tap below zero is
refused) → check in at the post → note the weather → a second start, from a stale tab,
is refused → end → the patrol is in "my patrols" with its tallies; no step scrolls
sideways. The language is switched with the app's own control on the login page.
Screenshots: artifacts/journeys/officer-<language>-<NN>-<step>.png.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import F
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
from tests.browser.conftest import no_horizontal_scroll

PASSWORD = "pw-for-tests-1"

TEXT = {
    "zh-hans": {
        "duty": "今日勤务",
        "started": "巡逻已开始。",
        "checked_in": "已于 {time} 在花园路高峰岗签到",
        "refused": "您已有一次正在进行的巡逻",
        "below_zero": "不能小于零",
        "ended": "巡逻已结束",
        "corrected": "纠正违法行为3起",
        "my_patrols": "我的巡逻",
        "no_helmet": "不戴头盔",
        "speeding": "超速",
        "mode": "铁骑",
    },
    "en": {
        "duty": "My duty today",
        "started": "Patrol started.",
        "checked_in": "Checked in at 花园路高峰岗 at {time}",
        "refused": "You already have a patrol in progress",
        "below_zero": "cannot go below zero",
        "ended": "Patrol ended",
        "corrected": "3 violations corrected",
        "my_patrols": "My patrols",
        "no_helmet": "No helmet",
        "speeding": "Speeding",
        "mode": "Motorcycle",
    },
}


@pytest.fixture
def on_duty(transactional_db):
    """An officer of 一中队 with a shift at a peak-hour post that started an hour ago."""
    unit = UnitFactory(code="sq1", name="一中队")
    user = UserFactory(username="sunhao", password=PASSWORD, roles=[Role.OFFICER])
    officer = OfficerFactory(user=user, unit=unit, name="孙浩")
    post = DutyPostFactory(unit=unit, name="花园路高峰岗", kind=PostKind.PEAK_HOUR)
    hour = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    shift = ShiftFactory(
        officer=officer,
        post=post,
        starts_at=hour - dt.timedelta(hours=1),
        ends_at=hour + dt.timedelta(hours=3),
    )
    return officer, post, shift


def tap(phone: Page, sign: str, kind: str, expected: str) -> None:
    """One tap on a tally's + or − button, and the counter's new value."""
    phone.get_by_test_id(f"tally-{sign}-{kind}").click()
    expect(phone.get_by_test_id(f"tally-count-{kind}")).to_have_text(expected)


def expect_checked_in(phone: Page, officer, text: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """The duty page says where and when the open patrol checked in, as the record has it."""
    patrol = PatrolLog.objects.get(officer=officer)
    at = timezone.localtime(patrol.checked_in_at).strftime("%H:%M")
    expect(phone.get_by_test_id("checkin-status")).to_contain_text(
        text["checked_in"].format(time=at)
    )


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_officer_patrol_on_a_phone(journey, on_duty, lang):
    officer, post, shift = on_duty
    text = TEXT[lang]
    trip = journey("officer")
    phone = trip.page(phone=True)

    # the duty page: today's shift with its Start button
    trip.sign_in(phone, "sunhao", PASSWORD)
    expect(phone.get_by_test_id("page-title")).to_have_text(text["duty"])
    expect(phone.get_by_test_id(f"shift-{shift.pk}")).to_contain_text("花园路高峰岗")
    no_horizontal_scroll(phone)
    trip.shot(phone, "duty-page")

    # a second tab, still showing the start form, for the refused second start later
    stale = phone.context.new_page()
    stale.goto("/duty/")

    # start the shift's patrol on a motorcycle
    phone.locator(f'label[for="mode-{shift.pk}-motorcycle"]').click()
    phone.get_by_test_id(f"shift-start-{shift.pk}").click()
    expect(phone.get_by_test_id("messages")).to_contain_text(text["started"])
    expect(phone.get_by_test_id("open-patrol")).to_be_visible()
    expect(phone.get_by_test_id("patrol-mode")).to_have_text(text["mode"])
    # started from the shift: already checked in at its post, which counts as staffed
    expect_checked_in(phone, officer, text)
    no_horizontal_scroll(phone)
    trip.shot(phone, "patrol-started")

    # tally: three helmets, one tap taken back; one speeding driver; a red light tapped
    # and taken back, then taken back once more: refused, the counter stays at zero
    for expected in ("1", "2", "3"):
        tap(phone, "plus", "no_helmet", expected)
    tap(phone, "minus", "no_helmet", "2")
    tap(phone, "plus", "speeding", "1")
    tap(phone, "plus", "red_light", "1")
    tap(phone, "minus", "red_light", "0")
    tap(phone, "minus", "red_light", "0")
    expect(phone.locator("#tally-feedback")).to_contain_text(text["below_zero"])
    expect(phone.get_by_test_id("tally-count-red_light")).to_have_text("0")
    expect(phone.get_by_test_id("tally-total")).to_have_text("3")
    expect(phone.get_by_test_id("tally-row-no_helmet")).to_contain_text(text["no_helmet"])
    no_horizontal_scroll(phone)
    trip.shot(phone, "tallied")

    # check in at the post, note the rain
    phone.select_option("#check-in-form select[name=post]", str(post.pk))
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("checkin-status")).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))
    expect_checked_in(phone, officer, text)
    phone.select_option("#details-form select[name=weather]", Weather.RAIN.value)
    phone.get_by_test_id("save-details").click()
    no_horizontal_scroll(phone)
    trip.shot(phone, "checked-in")

    # a second start, from the stale tab, is refused with a clear message
    stale.get_by_test_id("patrol-start").click()
    expect(stale.get_by_test_id("messages")).to_contain_text(text["refused"])
    trip.shot(stale, "second-start-refused")
    stale.close()

    # end it, an hour on (a patrol of 0 minutes is asked about first: test_ux_officer.py)
    PatrolLog.objects.filter(officer=officer).update(
        started_at=F("started_at") - dt.timedelta(hours=1)
    )
    phone.reload()
    phone.get_by_test_id("patrol-end").click()
    phone.get_by_test_id("patrol-end-confirm").click()
    expect(phone.get_by_test_id("messages")).to_contain_text(text["ended"])
    expect(phone.get_by_test_id("messages")).to_contain_text(text["corrected"])
    expect(phone.get_by_test_id("open-patrol")).to_have_count(0)
    expect(phone.get_by_test_id(f"shift-{shift.pk}")).to_be_visible()
    no_horizontal_scroll(phone)
    trip.shot(phone, "ended")

    # my patrols: the patrol with its total, and its tallies one by one
    phone.get_by_test_id("quick-my-patrols").click()
    patrol = PatrolLog.objects.get(officer=officer)
    expect(phone.get_by_test_id("page-title")).to_have_text(text["my_patrols"])
    expect(phone.get_by_test_id(f"patrol-row-{patrol.pk}")).to_be_visible()
    expect(phone.get_by_test_id(f"patrol-total-{patrol.pk}")).to_have_text("3")
    no_horizontal_scroll(phone)
    trip.shot(phone, "my-patrols")
    phone.get_by_test_id(f"patrol-row-{patrol.pk}").get_by_role("link").first.click()
    tallies = phone.get_by_test_id("patrol-tallies")
    expect(tallies.get_by_role("row", name=re.compile(text["no_helmet"]))).to_contain_text("2")
    expect(tallies.get_by_role("row", name=re.compile(text["speeding"]))).to_contain_text("1")
    expect(phone.get_by_test_id("patrol-violations-total")).to_have_text("3")
    no_horizontal_scroll(phone)
    trip.shot(phone, "patrol-tallies")

    # the record holds what was done, and only one patrol was started
    patrol.refresh_from_db()
    assert patrol.mode == PatrolMode.MOTORCYCLE and patrol.post == post
    assert patrol.checked_in_at is not None
    assert patrol.weather == Weather.RAIN
    assert patrol.ended_at is not None and patrol.ended_at > patrol.started_at
    assert dict(patrol.tallies.values_list("kind", "count")) == {
        "no_helmet": 2,
        "speeding": 1,
        "red_light": 0,
    }
    assert PatrolLog.objects.filter(officer=officer).count() == 1
