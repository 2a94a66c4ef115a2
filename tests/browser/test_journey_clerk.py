"""Journey: the clerk's 12345 ticket from import to callback, in Chinese and in English.

Import the platform's CSV export (a dry-run preview, then confirm) → the queue shows the
ticket → the first ticket of the queue signed with the keyboard → the imported one signed,
assigned, replied to from the category's template and closed, all in the queue's side
panel → its caller's phone number shown on request only, the viewing recorded → a
different user (the squadron's commander) records the callback, satisfied → the ticket
shows closed with its callback, and the week's figures on the dashboard moved: tickets
received, the closure rate (办结率) and the callbacks counted in the satisfaction rate.
Screenshots: artifacts/journeys/clerk-<language>-<NN>-<step>.png.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brigade.core.kpi import engine
from brigade.core.roles import Role
from petitions import services
from petitions.choices import CallbackResult, TicketChannel, TicketStatus
from petitions.models import Ticket
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.petitions.factories import TicketCategoryFactory

PASSWORD = "pw-for-tests-1"
NUMBER = "2022061300001"
TEMPLATE = "您反映的路口拥堵问题，我大队已在高峰时段增派警力疏导。"
EXPORT = (
    "工单编号,受理时间,诉求分类,诉求内容,承办单位,来源渠道,诉求人,联系电话,事发地点\n"
    f"{NUMBER},{{received}},交通拥堵,花园路早高峰拥堵，请求增派警力,一中队,12345,"
    "张三丰,13812345678,花园路与东昌东路交叉口\n"
)
RECEIVED = "kpi-value-petitions.received"
CLOSURE = "kpi-value-petitions.closure_rate"
CLOSURE_FRACTION = "kpi-fraction-petitions.closure_rate"
SATISFACTION_FRACTION = "kpi-fraction-petitions.satisfaction_rate"

TEXT = {
    "zh-hans": {
        "queue": "12345工单",
        "preview": "新增 1 件，更新 0 件，未变 0 件。",
        "imported": "导入完成：新增 1 件",
        "received": "已受理",
        "signed": "已签收",
        "assigned": "已指派给 孙浩。",
        "replied": "已反馈",
        "closed": "已办结",
        "satisfied": "满意",
        "dashboard": "指标看板",
    },
    "en": {
        "queue": "12345 tickets",
        "preview": "1 new, 0 updated, 0 unchanged.",
        "imported": "Imported: 1 new",
        "received": "Received",
        "signed": "Signed",
        "assigned": "Assigned to 孙浩.",
        "replied": "Replied",
        "closed": "Closed",
        "satisfied": "Satisfied",
        "dashboard": "Dashboard",
    },
}


@pytest.fixture
def desk(transactional_db):
    """一中队's clerk and commander, an officer to handle tickets, and three tickets of
    this year already: one closed and called back (satisfied), two just received; the
    handler, and the first of the two in the queue."""
    unit = UnitFactory(code="sq1", name="一中队")
    clerk = UserFactory(username="xuting", password=PASSWORD, roles=[Role.CLERK])
    OfficerFactory(user=clerk, unit=unit, name="许婷")
    commander = UserFactory(username="wangjg", password=PASSWORD, roles=[Role.COMMANDER])
    OfficerFactory(user=commander, unit=unit, name="王建国")
    handler = OfficerFactory(unit=unit, name="孙浩")
    category = TicketCategoryFactory(code="jam", name="交通拥堵", reply_templates=[TEMPLATE])
    received = timezone.now() - dt.timedelta(minutes=30)
    tickets = [
        services.ticket_create(
            number=f"20220601{n:05d}",
            category=category,
            unit=unit,
            content="路口信号灯配时不合理",
            received_at=received,
            channel=TicketChannel.HOTLINE,
        )
        for n in range(3)
    ]
    done = services.ticket_sign(ticket=tickets[0], by=clerk)
    done = services.ticket_assign(ticket=done, handler=handler, by=clerk)
    done = services.ticket_reply(ticket=done, text="已调整配时。", by=clerk)
    done = services.ticket_close(ticket=done, by=clerk)
    services.ticket_callback(ticket=done, result=CallbackResult.SATISFIED, by=commander)
    engine.recompute_all()
    return handler, tickets[1]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_clerk_ticket_from_import_to_callback(journey, desk, lang, tmp_path):
    handler, first_in_queue = desk
    text = TEXT[lang]
    trip = journey("clerk")

    # the commander's dashboard before: 3 received, 1 closed, 1 callback
    boss = trip.page()
    trip.sign_in(boss, "wangjg", PASSWORD)
    expect(boss.get_by_test_id("page-title")).to_contain_text(text["dashboard"])
    expect(boss.get_by_test_id(RECEIVED)).to_have_text("3")
    expect(boss.get_by_test_id(CLOSURE)).to_have_text("33.3%")
    expect(boss.get_by_test_id(CLOSURE_FRACTION)).to_have_text("1 / 3")
    expect(boss.get_by_test_id(SATISFACTION_FRACTION)).to_have_text("1 / 1")
    trip.shot(boss, "dashboard-before")

    # the clerk lands on the queue
    clerk = trip.page()
    trip.sign_in(clerk, "xuting", PASSWORD)
    expect(clerk.get_by_test_id("page-title")).to_have_text(text["queue"])
    expect(clerk.get_by_test_id("count-received")).to_contain_text("2")
    trip.shot(clerk, "queue")

    # import the platform's export: the preview writes nothing
    export = tmp_path / "export.csv"
    received = (timezone.localtime() - dt.timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M")
    export.write_text(EXPORT.format(received=received), encoding="utf-8")
    clerk.get_by_test_id("import-link").click()
    clerk.set_input_files("input[name=file]", str(export))
    clerk.get_by_test_id("import-upload").click()
    expect(clerk.get_by_test_id("import-preview")).to_contain_text(NUMBER)
    expect(clerk.get_by_test_id("import-summary")).to_have_text(text["preview"])
    assert not Ticket.objects.filter(number=NUMBER).exists()
    assert Ticket.objects.count() == 3
    trip.shot(clerk, "import-preview")

    # confirm: back on the queue, the ticket is there, received, the phone masked
    clerk.get_by_test_id("import-confirm").click()
    expect(clerk.get_by_test_id("messages")).to_contain_text(text["imported"])
    ticket = Ticket.objects.get(number=NUMBER)
    row = clerk.get_by_test_id(f"ticket-row-{ticket.pk}")
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("13812345678")
    expect(clerk.get_by_test_id(f"ticket-status-{ticket.pk}")).to_have_text(text["received"])
    expect(clerk.get_by_test_id("count-received")).to_contain_text("3")
    trip.shot(clerk, "imported")

    # the keyboard: j selects the queue's first row, a runs its next action (sign)
    clerk.wait_for_load_state("load")
    clerk.keyboard.press("j")
    expect(clerk.locator("tr.queue-row").first).to_have_class(re.compile(r"\btable-active\b"))
    clerk.keyboard.press("a")
    expect(clerk.get_by_test_id(f"panel-ticket-{first_in_queue.pk}")).to_be_visible()
    expect(clerk.get_by_test_id("ticket-status")).to_have_text(text["signed"])
    trip.shot(clerk, "signed-by-keyboard")

    # the side panel: sign, assign, reply from the template, close
    clerk.get_by_test_id(f"ticket-open-{ticket.pk}").click()
    panel = clerk.get_by_test_id("ticket-panel")
    expect(panel.get_by_test_id(f"panel-ticket-{ticket.pk}")).to_be_visible()
    panel.get_by_test_id("action-sign").click()
    expect(panel.get_by_test_id("ticket-status")).to_have_text(text["signed"])
    trip.shot(clerk, "signed")

    panel.locator("select[name=handler]").select_option(str(handler.pk))
    panel.get_by_test_id("action-assign").click()
    expect(panel.get_by_test_id("panel-done")).to_have_text(text["assigned"])
    expect(panel.get_by_test_id("ticket-handler")).to_have_text("孙浩")
    trip.shot(clerk, "assigned")

    panel.get_by_test_id("reply-templates").get_by_role("button").first.click()
    expect(panel.get_by_test_id("reply-text")).to_have_value(TEMPLATE)
    panel.get_by_test_id("action-reply").click()
    expect(panel.get_by_test_id("ticket-status")).to_have_text(text["replied"])
    trip.shot(clerk, "replied")

    panel.get_by_test_id("action-close").click()
    expect(panel.get_by_test_id("ticket-status")).to_have_text(text["closed"])
    trip.shot(clerk, "closed")
    # it has left the open queue, and is listed with the closed ones
    clerk.reload()
    expect(row).to_have_count(0)
    clerk.get_by_test_id("count-closed").click()
    expect(clerk.get_by_test_id(f"ticket-status-{ticket.pk}")).to_have_text(text["closed"])

    # the caller's phone number, shown on request only, and the viewing recorded
    clerk.goto(f"/petitions/tickets/{ticket.pk}/")
    expect(clerk.get_by_test_id("citizen-masked")).to_contain_text("138****5678")
    clerk.get_by_test_id("reveal-phone").click()
    expect(clerk.get_by_test_id("citizen-revealed")).to_contain_text("13812345678")
    assert ticket.phone_views.count() == 1
    trip.shot(clerk, "phone-revealed")

    # a different user, the commander, records the callback on the ticket's page
    boss.goto(f"/petitions/tickets/{ticket.pk}/")
    boss.locator(f"input[name=result][value={CallbackResult.SATISFIED}]").check()
    boss.get_by_test_id("action-callback").click()
    expect(boss.get_by_test_id("callback-1")).to_contain_text(text["satisfied"])
    expect(boss.get_by_test_id("ticket-status")).to_have_text(text["closed"])
    expect(boss.get_by_test_id("ticket-history")).to_contain_text(text["closed"])
    trip.shot(boss, "called-back")

    # the week's figures moved: 4 received, 2 closed, 2 callbacks
    boss.goto("/dashboard/")
    expect(boss.get_by_test_id(RECEIVED)).to_have_text("4")
    expect(boss.get_by_test_id(CLOSURE)).to_have_text("50.0%")
    expect(boss.get_by_test_id(CLOSURE_FRACTION)).to_have_text("2 / 4")
    expect(boss.get_by_test_id(SATISFACTION_FRACTION)).to_have_text("2 / 2")
    trip.shot(boss, "dashboard-after")

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.handler == handler
    assert ticket.closed_on_time
    assert ticket.reply == TEMPLATE
    assert list(ticket.callbacks.values_list("result", "by__username")) == [
        (CallbackResult.SATISFIED, "wangjg")
    ]
