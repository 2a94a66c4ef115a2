"""The officer's duty page on a 360 px phone (and a 1366×768 desk), in Chinese and English:

- the open patrol's total and End (and check-in) stay on screen, scrolled to the bottom or
  to the top, however many counters; a tap updates the total; the officer's most used
  kinds come first;
- after an end time before the start, the address ``/duty/<id>/end/`` reloaded (or opened
  again, as a phone restoring the tab does) is never the browser's "HTTP ERROR 405";
- a patrol of 0 minutes is asked about once, then ended.

Screenshots: artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, FloatRect, Page, ViewportSize, expect

from brigade.core.roles import Role
from brigade.duty import services
from brigade.duty.choices import PatrolMode, PostKind
from brigade.duty.models import DutyPost, Officer, PatrolLog
from tests.brigade.factories import (
    DutyPostFactory,
    OfficerFactory,
    PatrolLogFactory,
    UnitFactory,
    UserFactory,
    ViolationTallyFactory,
)
from tests.browser.conftest import Shots, no_horizontal_scroll

pytestmark = pytest.mark.browser

PASSWORD = "pw-for-tests-1"
DESK_1366: ViewportSize = {"width": 1366, "height": 768}
TEXT = {
    "zh-hans": {
        "total": "合计",
        "end": "结束巡逻",
        "check_in": "签到",
        "after_start": "结束时间必须晚于巡逻开始时间。",
        "ended": "巡逻已结束",
        "duty": "今日勤务",
    },
    "en": {
        "total": "Total",
        "end": "End patrol",
        "check_in": "Check in",
        "after_start": "The end must be after the start of the patrol.",
        "ended": "Patrol ended",
        "duty": "My duty today",
    },
}


# New sentences read through the catalogs, in the language under test (their Chinese
# arrives with the catalogs' update; until then Django shows the English).
NEW = ("Most used", "This patrol lasted 0 minutes: end it anyway?", "Yes, end it anyway")


def new_text(lang: str, msgid: str) -> str:
    assert msgid in NEW
    with translation.override(lang):
        return gettext(msgid)


@pytest.fixture
def road(transactional_db):
    """An officer of 一中队 at the 东昌路 peak-hour post, with two past patrols in which
    red lights and helmets were what they corrected most."""
    unit = UnitFactory(code="sq1", name="一中队")
    user = UserFactory(username="liqiang", password=PASSWORD, roles=[Role.OFFICER])
    officer = OfficerFactory(user=user, unit=unit, name="李强")
    post = DutyPostFactory(unit=unit, name="东昌路高峰岗", kind=PostKind.PEAK_HOUR)
    for counts in ({"red_light": 6, "no_helmet": 2}, {"no_helmet": 3, "illegal_parking": 1}):
        past = PatrolLogFactory(officer=officer, started_at=timezone.now() - dt.timedelta(days=2))
        for kind, count in counts.items():
            ViolationTallyFactory(patrol=past, kind=kind, count=count)
    return officer, post


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "liqiang")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()


def open_patrol(officer: Officer, post: DutyPost, *, minutes: int = 45) -> PatrolLog:
    return services.patrol_start(
        officer=officer,
        mode=PatrolMode.MOTORCYCLE,
        post=post,
        started_at=timezone.now() - dt.timedelta(minutes=minutes),
    )


def in_viewport(page: Page, test_id: str) -> FloatRect:
    """The element's box, asserted wholly inside the visible window."""
    box = page.get_by_test_id(test_id).bounding_box()
    assert box is not None, test_id
    view = page.viewport_size
    assert view is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= view["height"], (test_id, box, view)
    assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"], (test_id, box, view)
    return box


def scroll_to(page: Page, where: str) -> None:
    script = "0" if where == "top" else "document.documentElement.scrollHeight"
    page.evaluate(f"window.scrollTo(0, {script})")
    page.wait_for_function(
        "window.scrollY === 0"
        if where == "top"
        else "Math.ceil(window.scrollY + window.innerHeight) >= "
        "document.documentElement.scrollHeight - 1"
    )


def settle(page: Page) -> None:
    """Until a smooth scroll (Bootstrap's ``scroll-behavior``) has come to rest."""
    page.evaluate(
        """() => new Promise((done) => {
            let last = -1;
            const look = () => {
                if (window.scrollY === last) return done();
                last = window.scrollY;
                setTimeout(look, 150);
            };
            look();
        })"""
    )


def view_shot(page: Page, shots: Shots, step: str) -> None:
    """What the screen shows (not the full page): where the bar really is."""
    settle(page)
    shots.n += 1
    page.screenshot(path=str(shots.folder / f"{shots.n:02d}-{step}.png"))


@pytest.fixture
def desk(browser: Browser, request: pytest.FixtureRequest, live_server: Any) -> Iterator[Page]:
    lang = request.node.callspec.params["lang"]
    context = browser.new_context(
        viewport=DESK_1366,
        locale="en-US" if lang == "en" else "zh-CN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.shots = Shots(page, request.node.name + "-desk")  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_total_and_end_stay_on_screen_and_most_used_come_first(phone: Page, road, lang):
    officer, post = road
    text = TEXT[lang]
    open_patrol(officer, post)
    # the page's own script runs under the CSP: no console error (the favicon aside)
    errors: list[str] = []
    phone.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "favicon" not in (message.location.get("url") or "")
            else None
        ),
    )
    sign_in(phone)
    expect(phone.get_by_test_id("page-title")).to_have_text(text["duty"])

    # the officer's most used kinds head the counters: red lights (6), helmets (5), parking
    expect(phone.get_by_test_id("tally-group-most-used")).to_have_text(new_text(lang, "Most used"))
    rows = phone.locator("[data-testid^=tally-row-]")
    expect(rows.nth(0)).to_have_attribute("data-testid", "tally-row-red_light")
    expect(rows.nth(1)).to_have_attribute("data-testid", "tally-row-no_helmet")
    expect(rows.nth(2)).to_have_attribute("data-testid", "tally-row-illegal_parking")

    # three kinds tallied, one of them twice: the bar's total follows each tap
    bar = phone.get_by_test_id("duty-bar")
    expect(bar).to_contain_text(text["total"])
    expect(phone.get_by_test_id("tally-total")).to_have_text("0")
    for n, kind in enumerate(("red_light", "no_helmet", "speeding", "red_light"), start=1):
        phone.get_by_test_id(f"tally-plus-{kind}").click()
        expect(phone.get_by_test_id("tally-total")).to_have_text(str(n))
    expect(phone.get_by_test_id("tally-count-red_light")).to_have_text("2")
    no_horizontal_scroll(phone)

    # the page is several screens long, and the bar is on every one of them
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height > 2 * 780, height
    for where in ("bottom", "top"):
        scroll_to(phone, where)
        total = in_viewport(phone, "tally-total")
        end = in_viewport(phone, "bar-end")
        check_in = in_viewport(phone, "bar-check-in")
        # End and check-in are thumb-sized, at the bottom of the screen
        assert end["height"] >= 44 and end["width"] >= 44, end
        assert check_in["height"] >= 44, check_in
        assert end["y"] + end["height"] > 780 - 80, end
        assert total["y"] > 780 - 80, total
        view_shot(phone, phone.shots, f"bar-at-the-{where}")  # type: ignore[attr-defined]
    expect(phone.get_by_test_id("bar-end")).to_have_text(text["end"])

    # a tap scrolled to the bottom still counts, on the bar's total
    scroll_to(phone, "bottom")
    phone.get_by_test_id("tally-plus-no_helmet").click()
    expect(phone.get_by_test_id("tally-total")).to_have_text("5")
    in_viewport(phone, "tally-total")

    # the bar's check-in: one tap, at the patrol's post
    phone.get_by_test_id("bar-check-in").click()
    expect(phone.get_by_test_id("bar-checked-in")).to_be_visible()
    expect(phone.get_by_test_id("checkin-status")).to_contain_text("东昌路高峰岗")
    in_viewport(phone, "bar-checked-in")

    # the bar's End opens the end form with its confirm button in view
    scroll_to(phone, "top")
    phone.get_by_test_id("bar-end").click()
    expect(phone.get_by_test_id("patrol-end-confirm")).to_be_in_viewport()
    settle(phone)
    confirm = in_viewport(phone, "patrol-end-confirm")
    bar_box = bar.bounding_box()
    assert bar_box is not None and confirm["y"] + confirm["height"] <= bar_box["y"], (
        "the confirm button is hidden under the bar"
    )
    no_horizontal_scroll(phone)
    view_shot(phone, phone.shots, "end-form-opened")  # type: ignore[attr-defined]
    phone.shots("full-page")  # type: ignore[attr-defined]
    assert not errors, errors


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_bar_on_a_1366_desk(desk: Page, road, lang):
    officer, post = road
    open_patrol(officer, post)
    sign_in(desk)
    desk.get_by_test_id("tally-plus-speeding").click()
    expect(desk.get_by_test_id("tally-total")).to_have_text("1")
    for where in ("bottom", "top"):
        scroll_to(desk, where)
        in_viewport(desk, "tally-total")
        in_viewport(desk, "bar-end")
        view_shot(desk, desk.shots, f"bar-at-the-{where}")  # type: ignore[attr-defined]
    # the bar keeps to the page's column, not the screen's edges
    end = in_viewport(desk, "bar-end")
    main = desk.locator("main").bounding_box()
    assert main is not None and end["x"] + end["width"] <= main["x"] + main["width"], (end, main)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_reloading_the_end_address_after_an_inline_error_is_not_405(phone: Page, road, lang):
    officer, post = road
    text = TEXT[lang]
    patrol = open_patrol(officer, post)
    sign_in(phone)

    # an end time before the start: the good inline error, at /duty/<id>/end/
    phone.get_by_test_id("bar-end").click()
    before = timezone.localtime(patrol.started_at - dt.timedelta(hours=1))
    phone.fill("#end-form input[name=ended_at]", before.strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_test_id("patrol-end-confirm").click()
    expect(phone.get_by_test_id("error-ended_at")).to_have_text(text["after_start"])
    end_url = f"/duty/{patrol.pk}/end/"
    expect(phone).to_have_url(re.compile(re.escape(end_url) + "$"))
    view_shot(phone, phone.shots, "inline-error")  # type: ignore[attr-defined]

    # the phone restores the tab (a GET of that address): the duty page, not 405
    response = phone.goto(phone.url)
    assert response is not None and response.status == 200, response
    expect(phone).to_have_url(re.compile(r"/duty/$"))
    expect(phone.get_by_test_id("page-title")).to_have_text(text["duty"])
    expect(phone.get_by_test_id("open-patrol")).to_be_visible()
    in_viewport(phone, "bar-end")
    phone.shots("tab-restored")  # type: ignore[attr-defined]

    # and the address typed in again, or reloaded from the history: never 405 either
    response = phone.goto(end_url)
    assert response is not None and response.status == 200
    response = phone.reload()
    assert response is not None and response.status == 200
    assert "405" not in phone.title()
    patrol.refresh_from_db()
    assert patrol.is_open  # a GET ends nothing


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_zero_minute_patrol_is_asked_about_once(phone: Page, road, lang):
    officer, post = road
    text = TEXT[lang]
    patrol = open_patrol(officer, post, minutes=0)
    sign_in(phone)

    # End right after Start: asked, with the end form still open and nothing ended
    phone.get_by_test_id("bar-end").click()
    phone.get_by_test_id("patrol-end-confirm").click()
    expect(phone.get_by_test_id("zero-minutes")).to_have_text(
        new_text(lang, "This patrol lasted 0 minutes: end it anyway?")
    )
    expect(phone.get_by_test_id("patrol-end-confirm")).to_have_text(
        new_text(lang, "Yes, end it anyway")
    )
    expect(phone.get_by_test_id("patrol-end-confirm")).to_be_in_viewport()
    no_horizontal_scroll(phone)
    view_shot(phone, phone.shots, "asked")  # type: ignore[attr-defined]
    patrol.refresh_from_db()
    assert patrol.is_open

    # yes: ended, once
    phone.get_by_test_id("patrol-end-confirm").click()
    expect(phone.get_by_test_id("messages")).to_contain_text(text["ended"])
    expect(phone.get_by_test_id("open-patrol")).to_have_count(0)
    expect(phone.get_by_test_id("duty-bar")).to_have_count(0)
    phone.shots("ended")  # type: ignore[attr-defined]
    patrol.refresh_from_db()
    assert not patrol.is_open
