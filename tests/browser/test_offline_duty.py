"""The duty page in a dead zone, on a 360×740 phone: taps made offline are kept on the phone,
shown as waiting, survive a reload and are sent by themselves when the connection returns,
once each, at the times they were tapped (brigade/static/brigade/offline.js).

Screenshots: artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page, expect

from brigade.core.roles import Role
from brigade.duty import services
from brigade.duty.choices import PatrolMode
from brigade.duty.models import PatrolLog, ViolationTally
from tests.brigade.factories import DutyPostFactory, OfficerFactory, UnitFactory, UserFactory
from tests.browser.conftest import Settle, Shots, no_horizontal_scroll
from tests.security import hostile

pytestmark = [pytest.mark.browser, pytest.mark.clock]

PASSWORD = "pw-for-tests-1"
PHONE_740 = {"width": 360, "height": 740}
# a send has ended (the queue emptied, or it stopped at an unanswered request)
IDLE = "() => !document.getElementById('offline-queue').dataset.sending"
# nothing waits any more: the page reloaded with the server's state
SENT = "() => { const q = document.getElementById('offline-queue'); return !q || q.hidden; }"


@pytest.fixture
def road(transactional_db):  # type: ignore[no-untyped-def]
    unit = UnitFactory(code="sq1", name="一中队")
    user = UserFactory(username="liqiang", password=PASSWORD, roles=[Role.OFFICER])
    officer = OfficerFactory(user=user, unit=unit, name="李强")
    post = DutyPostFactory(unit=unit, name="东昌路高峰岗")
    return officer, post


@pytest.fixture
def phone740(browser: Browser, live_server, request) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport=PHONE_740,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
        service_workers="allow",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    if os.environ.get("BRIGADE_TEST_NOW"):
        # the server's clock is pinned (tests/clock_plugin.py): the phone's starts there
        # too, or every tap would be a day away from the server's window
        page.clock.install(time=timezone.now())
    page.shots = Shots(page, request.node.name)  # type: ignore[attr-defined]
    yield page
    context.close()


def zh(msgid: str) -> str:
    """A new sentence in Chinese, read through the catalogs (English until they carry it)."""
    with translation.override("zh-hans"):
        return gettext(msgid)


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "liqiang")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/duty/")


def ready_offline(page: Page) -> None:
    """The service worker runs and holds this copy of the duty page."""
    page.wait_for_function("() => document.documentElement.dataset.offlineReady === '1'")


def tap_at(page: Page, when: dt.datetime, test_id: str) -> None:
    page.clock.set_fixed_time(when)
    page.get_by_test_id(test_id).click()


def waiting(page: Page) -> Any:
    return page.get_by_test_id("queue-count")


def api_patrols(page: Page) -> list[dict[str, Any]]:
    answer = page.request.get("/api/v1/brigade/patrols/?ordering=started_at")
    assert answer.status == 200
    return answer.json()["results"]  # type: ignore[no-any-return]


def _iso(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_patrol_made_offline_is_sent_once_at_the_times_it_was_tapped(phone740: Page, road):
    _officer, post = road
    page = phone740
    context = page.context
    # given: the duty page loaded online, the service worker holding it
    sign_in(page)
    ready_offline(page)
    base = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=50)
    times = {
        "start": base,
        "tally1": base + dt.timedelta(minutes=5),
        "tally2": base + dt.timedelta(minutes=6),
        "tally3": base + dt.timedelta(minutes=7),
        "checkin": base + dt.timedelta(minutes=10),
        "end": base + dt.timedelta(minutes=40),
    }

    # when: offline, the officer starts a patrol at the post, tallies three, checks in, ends
    context.set_offline(True)
    page.select_option("#start-form select[name=post]", str(post.pk))
    tap_at(page, times["start"], "patrol-start")
    expect(page.get_by_test_id("offline-patrol")).to_be_visible()
    for n in (1, 2, 3):
        tap_at(page, times[f"tally{n}"], "tally-plus-red_light")
    expect(page.get_by_test_id("tally-count-red_light")).to_have_text("3")
    tap_at(page, times["checkin"], "check-in")
    tap_at(page, times["end"], "patrol-end-confirm")
    # start, the three taps on one counter (one request carrying +3), check-in, end
    expect(waiting(page)).to_have_text("4")
    page.shots("offline-waiting")  # type: ignore[attr-defined]

    # the page reloaded while still offline: the same four actions wait
    page.clock.resume()
    page.reload()
    expect(waiting(page)).to_have_text("4")
    expect(page.get_by_test_id("queue-item")).to_have_count(4)
    expect(page.get_by_test_id("queue-list")).to_contain_text(zh("waiting to send"))
    no_horizontal_scroll(page)
    page.shots("reloaded-offline")  # type: ignore[attr-defined]
    assert PatrolLog.objects.count() == 0

    # then: online again, the queue goes by itself and the page shows the server's state
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(SENT)
    expect(page.get_by_test_id("patrol-start")).to_be_visible()
    patrols = api_patrols(page)
    assert len(patrols) == 1
    patrol = patrols[0]
    assert _iso(patrol["started_at"]) == times["start"]
    assert _iso(patrol["checked_in_at"]) == times["checkin"]
    assert _iso(patrol["ended_at"]) == times["end"]
    tallies = {row.kind: row.count for row in ViolationTally.objects.filter(patrol_id=patrol["id"])}
    assert tallies == {"red_light": 3}
    page.shots("sent")  # type: ignore[attr-defined]


def test_a_queue_sent_twice_over_a_flaky_line_writes_once(phone740: Page, road):
    officer, post = road
    patrol = services.patrol_start(
        officer=officer,
        mode=PatrolMode.FOOT,
        post=post,
        started_at=timezone.now() - dt.timedelta(minutes=30),
    )
    page = phone740
    sign_in(page)
    ready_offline(page)
    page.context.set_offline(True)
    for _ in range(2):
        page.get_by_test_id("tally-plus-no_helmet").click()
    page.get_by_test_id("tally-minus-no_helmet").click()
    page.get_by_test_id("tally-plus-red_light").click()
    expect(waiting(page)).to_have_text("2")
    expect(page.get_by_test_id("tally-total")).to_have_text("2")

    # the first answer to each request is lost on the way back, after the server acted
    lost: list[str] = []

    def lose_first_answer(route):  # type: ignore[no-untyped-def]
        key = route.request.headers.get("idempotency-key")
        if key not in lost:
            lost.append(key)
            route.fetch()  # the server carries it out
            route.abort("connectionreset")
            return
        route.continue_()

    page.route("**/api/v1/brigade/patrols/*/tally/", lose_first_answer)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    # each send stops at a lost answer; "send now" sends it again with the same key, and
    # the server answers the repeat as the first time without carrying it out again
    for tries, left in ((1, "2"), (2, "1")):
        while len(lost) < tries:  # the answer to this try was lost
            page.wait_for_timeout(50)
        page.wait_for_function(IDLE)
        expect(waiting(page)).to_have_text(left)
        page.get_by_test_id("queue-send").click()
    page.wait_for_function(SENT, timeout=20_000)
    counts = dict(patrol.tallies.values_list("kind", "count"))
    assert counts == {"no_helmet": 1, "red_light": 1}
    assert len(lost) == 2


def test_a_patrol_ended_elsewhere_shows_why_the_taps_were_not_sent(phone740: Page, road):
    officer, post = road
    patrol = services.patrol_start(
        officer=officer,
        mode=PatrolMode.CAR,
        post=post,
        started_at=timezone.now() - dt.timedelta(minutes=30),
    )
    page = phone740
    sign_in(page)
    ready_offline(page)
    page.context.set_offline(True)
    page.get_by_test_id("tally-plus-red_light").click()
    expect(waiting(page)).to_have_text("1")
    # meanwhile the commander ends the patrol at the desk
    services.patrol_end(patrol=patrol, ended_at=timezone.now() - dt.timedelta(minutes=1))

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    failed = page.get_by_test_id("queue-failed")
    expect(failed).to_contain_text("巡逻已结束")
    expect(waiting(page)).to_have_text("0")
    page.shots("not-sent")  # type: ignore[attr-defined]
    assert not ViolationTally.objects.filter(patrol=patrol).exists()
    # kept until the officer discards it, across a reload
    page.reload()
    expect(failed).to_contain_text("巡逻已结束")
    page.get_by_role("button", name=zh("Discard")).click()
    expect(page.get_by_test_id("offline-queue")).to_be_hidden()


def test_an_expired_session_keeps_the_queue_until_sign_in(phone740: Page, road):
    officer, post = road
    patrol = services.patrol_start(
        officer=officer,
        mode=PatrolMode.CAR,
        post=post,
        started_at=timezone.now() - dt.timedelta(minutes=30),
    )
    page = phone740
    sign_in(page)
    ready_offline(page)
    page.context.set_offline(True)
    page.get_by_test_id("tally-plus-red_light").click()
    expect(waiting(page)).to_have_text("1")
    page.context.clear_cookies()  # the session ended on the server's side
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    login = page.get_by_test_id("queue-login")
    expect(login).to_be_visible()
    expect(login).to_contain_text(zh("Please sign in again"))
    expect(waiting(page)).to_have_text("1")
    # signed in again, the duty page sends what waited
    login.get_by_role("link").click()
    page.fill("input[name=username]", "liqiang")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/duty/")
    page.wait_for_function(SENT)
    assert dict(patrol.tallies.values_list("kind", "count")) == {"red_light": 1}


def test_the_offline_state_runs_no_hostile_text(phone740: Page, road):
    officer, post = road
    page = phone740
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    page.settle = Settle(page)  # type: ignore[attr-defined]
    hostile.plant(hostile.free_text_fields())
    services.patrol_start(
        officer=officer,
        mode=PatrolMode.CAR,
        post=post,
        started_at=timezone.now() - dt.timedelta(minutes=30),
    )
    sign_in(page)
    ready_offline(page)
    page.settle()  # type: ignore[attr-defined]
    page.context.set_offline(True)
    page.get_by_test_id("tally-plus-red_light").click()
    page.get_by_test_id("bar-check-in").click()
    expect(waiting(page)).to_have_text("2")
    page.reload()
    expect(waiting(page)).to_have_text("2")
    page.mouse.move(5, 5)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.shots("offline-hostile")  # type: ignore[attr-defined]
    assert not opened, opened
    assert page.evaluate("document.querySelectorAll('[onerror],[onload],[ontoggle]').length") == 0


def test_a_hazard_reported_offline_with_its_photo_and_position_is_sent_once(
    phone740: Page, road, tmp_path
):
    from hazards.models import Hazard
    from tests.browser.test_hazards_journey import _png

    page = phone740
    photo = _png(tmp_path / "rail.png")
    sign_in(page)
    page.get_by_test_id("quick-report-hazard").click()
    ready_offline(page)
    # when: offline, the officer reports a broken guard rail with a photo and the position
    page.context.set_offline(True)
    page.get_by_test_id("element-road").click()
    page.fill("#id_road", "花园路")
    page.fill("#id_location", "花园路与东昌东路交叉口")
    page.fill("#id_description", "中央隔离护栏被撞断约6米")
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 36.4565, "longitude": 116.006})
    page.get_by_test_id("use-position").click()
    expect(page.locator("#id_latitude")).to_have_value("36.456500")
    page.get_by_test_id("severity-high").click()
    page.set_input_files("#id_photos", photo)
    page.get_by_test_id("hazard-submit").click()
    expect(waiting(page)).to_have_text("1")
    page.reload()
    expect(waiting(page)).to_have_text("1")
    assert not Hazard.objects.exists()

    # then: online, it is sent by itself, once, with its photo and position
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(SENT)
    hazard = Hazard.objects.get()
    assert hazard.road == "花园路" and hazard.photos.count() == 1
    assert float(hazard.latitude) == pytest.approx(36.4565)


def test_an_assistance_logged_offline_keeps_the_time_it_was_logged(phone740: Page, road):
    from outreach.choices import AssistanceKind
    from outreach.models import AssistanceEvent

    page = phone740
    sign_in(page)
    page.get_by_test_id("quick-log-assistance").click()
    ready_offline(page)
    # the form was loaded a while ago; the officer logs the assistance later, offline
    logged = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(minutes=2)
    page.context.set_offline(True)
    page.clock.set_fixed_time(logged)
    page.get_by_test_id(f"kind-{AssistanceKind.REUNITED}").click()
    page.fill("input[name=location]", "百货大楼路口")
    page.fill("input[name=outcome]", "走失老人已交还家属")
    page.get_by_test_id("assistance-save").click()
    expect(waiting(page)).to_have_text("1")
    page.clock.resume()
    assert not AssistanceEvent.objects.exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(SENT)
    help_ = AssistanceEvent.objects.get()
    assert help_.kind == AssistanceKind.REUNITED and help_.location == "百货大楼路口"
    assert help_.occurred_at == logged
