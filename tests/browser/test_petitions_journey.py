"""A clerk works a 12345 ticket at the desk, in a real browser: import the platform's
export (preview, then confirm), sign it from the queue with the keyboard, assign, reply
from a template and close in the side panel; then a commander records the callback on
the ticket's page. Screenshots of each step under artifacts/screenshots/<test>/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from brigade.core.roles import Role
from petitions.choices import CallbackResult, TicketStatus
from petitions.models import Ticket, TicketCallback
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.petitions.factories import TicketCategoryFactory

PASSWORD = "pw-for-tests-1"
DESK = {"width": 1400, "height": 900}
EXPORT = (
    "工单编号,受理时间,诉求分类,诉求内容,承办单位,来源渠道,诉求人,联系电话,事发地点\n"
    "2022061300001,{received},交通拥堵,花园路早高峰拥堵，请求增派警力,一中队,12345,"
    "张三丰,13812345678,花园路与东昌东路交叉口\n"
)


@pytest.fixture
def desk(transactional_db):
    unit = UnitFactory(code="sq1", name="一中队")
    clerk = UserFactory(username="xuting", password=PASSWORD, roles=[Role.CLERK])
    OfficerFactory(user=clerk, unit=unit, name="许婷")
    commander = UserFactory(username="wangjg", password=PASSWORD, roles=[Role.COMMANDER])
    OfficerFactory(user=commander, unit=unit, name="王建国")
    handler = OfficerFactory(unit=unit, name="孙浩")
    TicketCategoryFactory(
        code="jam",
        name="交通拥堵",
        reply_templates=["您反映的路口拥堵问题，我大队已在高峰时段增派警力疏导。"],
    )
    return handler


def _page(browser, live_server, request, who: str) -> Page:  # type: ignore[no-untyped-def]
    from tests.browser.conftest import Shots

    context = browser.new_context(viewport=DESK, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.shots = Shots(page, f"{request.node.name}-{who}")  # type: ignore[attr-defined]
    return page


def _sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()


def test_clerk_imports_signs_replies_closes_and_another_calls_back(
    browser, live_server, request, desk, tmp_path
):
    handler = desk
    clerk = _page(browser, live_server, request, "clerk")
    shot = clerk.shots  # type: ignore[attr-defined]

    # the clerk lands on the queue, empty
    _sign_in(clerk, "xuting")
    expect(clerk.get_by_test_id("page-title")).to_have_text("12345工单")
    expect(clerk.get_by_test_id("empty-state")).to_be_visible()
    shot("empty-queue")

    # import the platform's export: preview first, nothing written yet
    export = tmp_path / "export.csv"
    received = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    export.write_text(EXPORT.format(received=received), encoding="utf-8")
    clerk.get_by_test_id("import-link").click()
    clerk.set_input_files("input[name=file]", str(export))
    clerk.get_by_test_id("import-upload").click()
    expect(clerk.get_by_test_id("import-preview")).to_contain_text("2022061300001")
    assert not Ticket.objects.exists()
    shot("import-preview")
    clerk.get_by_test_id("import-confirm").click()
    ticket = Ticket.objects.get(number="2022061300001")
    row = clerk.get_by_test_id(f"ticket-row-{ticket.pk}")
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("13812345678")
    expect(clerk.get_by_test_id("count-received")).to_contain_text("1")
    shot("imported")

    # sign from the queue with the keyboard: j selects the row, a runs its next action
    clerk.keyboard.press("j")
    clerk.keyboard.press("a")
    expect(clerk.get_by_test_id(f"panel-ticket-{ticket.pk}")).to_be_visible()
    expect(clerk.get_by_test_id("ticket-status")).to_have_text("已签收")
    shot("signed")

    # in the side panel: assign, reply from the category's template, close
    panel = clerk.get_by_test_id("ticket-panel")
    panel.locator("select[name=handler]").select_option(str(handler.pk))
    panel.get_by_test_id("action-assign").click()
    expect(clerk.get_by_test_id("ticket-handler")).to_have_text("孙浩")
    panel.get_by_test_id("reply-templates").get_by_role("button").first.click()
    expect(panel.get_by_test_id("reply-text")).to_have_value(
        "您反映的路口拥堵问题，我大队已在高峰时段增派警力疏导。"
    )
    panel.get_by_test_id("action-reply").click()
    expect(clerk.get_by_test_id("ticket-status")).to_have_text("已反馈")
    shot("replied")
    panel.get_by_test_id("action-close").click()
    expect(clerk.get_by_test_id("ticket-status")).to_have_text("已办结")
    shot("closed")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.closed_on_time

    # the phone number, shown on request only, and the viewing recorded
    clerk.goto(f"/petitions/tickets/{ticket.pk}/")
    expect(clerk.get_by_test_id("citizen-masked")).to_contain_text("138****5678")
    clerk.get_by_test_id("reveal-phone").click()
    expect(clerk.get_by_test_id("citizen-revealed")).to_contain_text("13812345678")
    assert ticket.phone_views.count() == 1
    clerk.context.close()

    # another user, the commander, records the callback
    commander = _page(browser, live_server, request, "commander")
    _sign_in(commander, "wangjg")
    commander.goto(f"/petitions/tickets/{ticket.pk}/")
    commander.locator(f"input[name=result][value={CallbackResult.SATISFIED}]").check()
    commander.get_by_test_id("action-callback").click()
    expect(commander.get_by_test_id("callback-1")).to_contain_text("满意")
    expect(commander.get_by_test_id("ticket-history")).to_contain_text("已办结")
    commander.shots("called-back")  # type: ignore[attr-defined]
    assert TicketCallback.objects.get(ticket=ticket).result == CallbackResult.SATISFIED
    commander.context.close()


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on a phone"


def test_officer_logs_a_question_answered_on_a_phone(phone: Page, transactional_db):
    from petitions.models import Consultation

    unit = UnitFactory(code="sq1", name="一中队")
    user = UserFactory(username="sunhao", password=PASSWORD, roles=[Role.OFFICER])
    OfficerFactory(user=user, unit=unit, name="孙浩")
    _sign_in(phone, "sunhao")
    phone.get_by_test_id("quick-log-consultation").click()
    expect(phone.get_by_test_id("page-title")).to_have_text("登记咨询答复")
    _no_horizontal_scroll(phone)
    phone.locator("input[name=channel][value=in_person]").check()
    phone.fill("input[name=topic]", "电动车上牌地点")
    phone.fill("textarea[name=answer]", "到东关街登记点办理")
    phone.shots("consultation-form")  # type: ignore[attr-defined]
    phone.get_by_test_id("consultation-save").click()
    expect(phone.get_by_test_id("consultation-table")).to_contain_text("电动车上牌地点")
    _no_horizontal_scroll(phone)
    phone.shots("consultation-listed")  # type: ignore[attr-defined]
    logged = Consultation.objects.get()
    assert (logged.channel, logged.unit, logged.answered_by.name) == ("in_person", unit, "孙浩")


def test_a_ticket_moved_by_another_clerk_shows_why_in_the_panel(
    browser, live_server, request, desk
):
    """Two clerks on one ticket: once another has returned it, the second one's sign is
    refused (409) and the side panel says which state the ticket is in now. (Had the other
    signed it, the panel would simply show it signed: the outcome asked for is there.)"""
    from petitions import services
    from tests.petitions.factories import TicketFactory

    ticket = TicketFactory(unit=desk.unit, category=TicketCategoryFactory(code="jam"))
    clerk = _page(browser, live_server, request, "clerk")
    _sign_in(clerk, "xuting")
    clerk.get_by_test_id(f"ticket-open-{ticket.pk}").click()
    expect(clerk.get_by_test_id(f"panel-ticket-{ticket.pk}")).to_be_visible()
    # meanwhile the commander returns it to the platform
    services.ticket_return(ticket=ticket, reason="不属于交警职责", by=None)
    clerk.get_by_test_id("ticket-panel").get_by_test_id("action-sign").click()
    expect(clerk.get_by_test_id("panel-error")).to_contain_text("已退单")
    clerk.shots("refused-in-panel")  # type: ignore[attr-defined]
    clerk.context.close()
