"""The petitions desk in a real browser, beside the clerk's journey (test_journey_clerk.py):
a clerk with no ticket sees the queue's empty state, an officer logs a question answered
on a phone, and a ticket another clerk moved meanwhile says why in the side panel.
Screenshots of each step under artifacts/screenshots/<test>/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from brigade.core.roles import Role
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.browser.conftest import no_horizontal_scroll
from tests.petitions.factories import TicketCategoryFactory

PASSWORD = "pw-for-tests-1"
DESK = {"width": 1400, "height": 900}


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


def test_a_clerk_with_no_ticket_lands_on_an_empty_queue(browser, live_server, request, desk):
    clerk = _page(browser, live_server, request, "clerk")
    _sign_in(clerk, "xuting")
    expect(clerk.get_by_test_id("page-title")).to_have_text("12345工单")
    expect(clerk.get_by_test_id("empty-state")).to_be_visible()
    clerk.shots("empty-queue")  # type: ignore[attr-defined]
    clerk.context.close()


def test_officer_logs_a_question_answered_on_a_phone(phone: Page, transactional_db):
    from petitions.models import Consultation

    unit = UnitFactory(code="sq1", name="一中队")
    user = UserFactory(username="sunhao", password=PASSWORD, roles=[Role.OFFICER])
    OfficerFactory(user=user, unit=unit, name="孙浩")
    _sign_in(phone, "sunhao")
    phone.get_by_test_id("quick-log-consultation").click()
    expect(phone.get_by_test_id("page-title")).to_have_text("登记咨询答复")
    no_horizontal_scroll(phone)
    phone.locator("input[name=channel][value=in_person]").check()
    phone.fill("input[name=topic]", "电动车上牌地点")
    phone.fill("textarea[name=answer]", "到东关街登记点办理")
    phone.shots("consultation-form")  # type: ignore[attr-defined]
    phone.get_by_test_id("consultation-save").click()
    expect(phone.get_by_test_id("consultation-table")).to_contain_text("电动车上牌地点")
    no_horizontal_scroll(phone)
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
