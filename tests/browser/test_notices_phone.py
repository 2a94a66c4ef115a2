"""The notices' bell on the officer's phone (360 x 740, a real browser): visible without
opening the menu, a thumb-sized target with the unread count, tapped to the notices page;
a notice tapped there opens its record and the count goes. Screenshots under
artifacts/screenshots/<test>/."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from brigade.core.notices.models import Notice, NoticeAction, NoticeKind
from brigade.core.roles import Role
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.browser.conftest import Shots, no_horizontal_scroll

pytestmark = pytest.mark.browser

PASSWORD = "pw-for-tests-1"
PHONE_740 = {"width": 360, "height": 740}
MIN_TAP = 44


@pytest.fixture
def officer_with_notices(transactional_db):
    unit = UnitFactory(code="sq1", name="一中队")
    user = UserFactory(username="sunhao", password=PASSWORD, roles=[Role.OFFICER])
    OfficerFactory(user=user, unit=unit, name="孙浩")
    for n, title in enumerate(["工单 2022000123 今日到期，请签收", "隐患整改已逾期"]):
        Notice.objects.create(
            user=user,
            kind=NoticeKind.REMINDER,
            action=NoticeAction.SIGN,
            title=title,
            url=reverse("brigade:duty"),
            key=f"phone:{n}",
        )
    return user


def test_the_officer_taps_the_bell_on_a_phone(browser, live_server, officer_with_notices, request):
    context = browser.new_context(
        viewport=PHONE_740,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    shots = Shots(page, request.node.name)
    try:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "sunhao")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("page-title")).to_have_text("今日勤务")

        # then: the bell is on the bar, menu closed, with the count, 44 px or more
        bell = page.get_by_test_id("nav-bell")
        expect(bell).to_be_visible()
        expect(page.get_by_test_id("nav-bell-count")).to_have_text("2")
        box = bell.bounding_box()
        assert box is not None
        assert box["width"] >= MIN_TAP - 0.5 and box["height"] >= MIN_TAP - 0.5, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_740["width"]
        no_horizontal_scroll(page)
        shots("duty-with-bell")

        # when: tapped
        bell.tap()
        expect(page).to_have_url(f"{live_server.url}/notices/")
        expect(page.get_by_test_id("notice-list").locator("li")).to_have_count(2)
        no_horizontal_scroll(page)
        shots("notices")

        # and: one notice opened, the other marked with "mark all read"
        first = Notice.objects.filter(user=officer_with_notices).order_by("-created_at", "-pk")[0]
        page.get_by_test_id(f"notice-open-{first.pk}").tap()
        expect(page.get_by_test_id("page-title")).to_have_text("今日勤务")
        expect(page.get_by_test_id("nav-bell-count")).to_have_text("1")
        page.get_by_test_id("nav-bell").tap()
        page.get_by_test_id("notices-read-all").tap()
        expect(page.get_by_test_id("nav-bell-count")).to_have_count(0)
        expect(page.get_by_test_id("nav-bell")).to_be_visible()
        shots("all-read")
    finally:
        context.close()
