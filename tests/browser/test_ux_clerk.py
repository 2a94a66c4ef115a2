"""The clerk's 12345 queue at the desk (1366×768) and on a phone (360 px), in both languages
(issue 17, "Clerk"): the side panel stays below the sticky navbar, labels never break into
stacked characters, categories take two lines at most, the key columns need no sideways
scroll; on a phone the queue is a list of cards with their next step; a close can be undone
for a few seconds; the new-ticket form marks its required fields and the server says what
to fix. Screenshots under artifacts/screenshots/<test>/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from brigade.core.roles import Role
from petitions.choices import TicketStatus
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.browser.conftest import PHONE, Shots, no_horizontal_scroll
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

PASSWORD = "pw-for-tests-1"
DESK_1366 = {"width": 1366, "height": 768}
LANGS = ("zh-hans", "en")
LOCALE = {"zh-hans": "zh-CN", "en": "en-US"}
REPLIED = {"zh-hans": "已反馈", "en": "Replied"}
REQUIRED = {"zh-hans": "(必填)", "en": "(required)"}


@pytest.fixture
def queue(transactional_db) -> dict[str, Any]:
    """A clerk's unit with a dozen open tickets in every open state, one of them overdue,
    under categories with long names."""
    unit = UnitFactory(code="sq1", name="一中队")
    clerk = UserFactory(username="xuting", password=PASSWORD, roles=[Role.CLERK])
    OfficerFactory(user=clerk, unit=unit, name="许婷")
    handler = OfficerFactory(unit=unit, name="孙浩")
    long_names = ("交通信号灯故障及配时调整", "机动车乱停乱放占用人行道", "交通拥堵")
    categories = [
        TicketCategoryFactory(code=f"c{i}", name=name) for i, name in enumerate(long_names)
    ]
    now = timezone.now()
    tickets: dict[str, Any] = {"received": [], "replied": []}
    for i in range(12):
        state = (TicketStatus.RECEIVED, TicketStatus.SIGNED, TicketStatus.REPLIED)[i % 3]
        fields: dict[str, Any] = {}
        if state != TicketStatus.RECEIVED:
            fields.update(signed_at=now, signed_by=clerk, handler=handler)
        if state == TicketStatus.REPLIED:
            fields.update(replied_at=now, reply="已安排警力疏导。")
        ticket = TicketFactory(
            unit=unit, category=categories[i % 3], status=state, number=f"2026120700{i:03d}"
        )
        if fields:
            type(ticket).objects.filter(pk=ticket.pk).update(**fields)
        tickets.setdefault(state, []).append(ticket)
    # one overdue: its signing deadline passed three days ago
    late = tickets["received"][0]
    type(late).objects.filter(pk=late.pk).update(
        sign_due=timezone.localdate() - dt.timedelta(days=3),
        next_due=timezone.localdate() - dt.timedelta(days=3),
    )
    return {"unit": unit, "clerk": clerk, "tickets": tickets}


def _page(browser, live_server, request, lang: str, viewport: dict[str, int], **extra) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport=viewport, locale=LOCALE[lang], base_url=live_server.url, **extra
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.shots = Shots(page, request.node.name)  # type: ignore[attr-defined]
    return page


def _phone(browser, live_server, request, lang: str) -> Page:  # type: ignore[no-untyped-def]
    return _page(
        browser,
        live_server,
        request,
        lang,
        PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


def _sign_in(page: Page, lang: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "xuting")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("ticket-table")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def _box(page: Page, testid: str) -> dict[str, float]:
    box = page.get_by_test_id(testid).bounding_box()
    assert box is not None, testid
    return dict(box)


def _heights(page: Page, selector: str) -> list[float]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => e.getBoundingClientRect().height)"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_queue_at_1366_panel_below_the_navbar_and_labels_on_one_line(
    browser, live_server, request, queue, lang
):
    page = _page(browser, live_server, request, lang, DESK_1366)
    _sign_in(page, lang)
    page.shots("queue")  # type: ignore[attr-defined]

    # the key columns fit: no sideways scroll in the table's box, the next steps on screen
    wrap = page.locator(".queue-table-wrap")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")
    first = queue["tickets"]["received"][1]
    action = _box(page, f"row-action-{first.pk}")
    assert action["x"] + action["width"] <= DESK_1366["width"]
    # every button label on one line: 签收 / Sign is one line high, wider than high
    for height in _heights(page, "[data-testid^=row-action-]"):
        assert height < 36, height
    assert action["width"] > action["height"]
    # a category takes two lines at most
    line = page.locator(".queue-category-name").first.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight)"
    )
    for height in _heights(page, ".queue-category-name"):
        assert height <= 2 * line + 1, (height, line)
    # the first screen (768 px) shows the queue itself: five tickets at least
    visible = page.eval_on_selector_all(
        "tr.queue-row", "rows => rows.filter(r => r.getBoundingClientRect().bottom <= 768).length"
    )
    assert visible >= 5, visible
    # the panel beside the table, not below it
    panel = _box(page, "ticket-panel")
    table = _box(page, "ticket-table")
    assert panel["x"] >= table["x"] + table["width"]

    # open a ticket, scroll down: the panel stays below the navbar, the navbar's links and
    # language switch stay visible and on top
    page.get_by_test_id(f"ticket-open-{first.pk}").click()
    expect(page.get_by_test_id(f"panel-ticket-{first.pk}")).to_be_visible()
    page.evaluate("window.scrollTo(0, 900)")
    assert page.evaluate("window.scrollY") > 200
    nav = page.locator("nav.navbar").bounding_box()
    assert nav is not None
    panel = _box(page, "ticket-panel")
    assert panel["y"] >= nav["y"] + nav["height"] - 0.5, (panel, nav)
    switch = page.get_by_test_id("lang-en" if lang == "zh-hans" else "lang-zh-hans")
    expect(switch).to_be_in_viewport()
    on_top = switch.evaluate(
        """e => { const r = e.getBoundingClientRect();
                  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                  return e === hit || e.contains(hit); }"""
    )
    assert on_top
    page.screenshot(path=str(page.shots.folder / "scrolled.png"))  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_queue_on_a_phone_is_a_list_of_cards(browser, live_server, request, queue, lang):
    page = _phone(browser, live_server, request, lang)
    _sign_in(page, lang)
    no_horizontal_scroll(page)
    page.shots("cards")  # type: ignore[attr-defined]
    # no shortcut help, no empty "choose a ticket" panel
    expect(page.get_by_test_id("shortcuts-help")).to_be_hidden()
    expect(page.get_by_test_id("ticket-panel")).to_be_hidden()
    # each ticket a card within the screen: number, category, state, deadline, next step
    ticket = queue["tickets"]["received"][1]
    row = page.get_by_test_id(f"ticket-row-{ticket.pk}")
    assert row.evaluate("e => getComputedStyle(e).display") == "grid"
    card = row.bounding_box()
    assert card is not None and card["x"] >= 0 and card["x"] + card["width"] <= PHONE["width"]
    for part in ("ticket-open", "ticket-status", "ticket-category", "ticket-due", "row-action"):
        box = _box(page, f"{part}-{ticket.pk}")
        assert box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"], part
    # a thumb's target
    action = _box(page, f"row-action-{ticket.pk}")
    assert action["height"] >= 44 and action["width"] >= 44
    assert _box(page, f"ticket-open-{ticket.pk}")["height"] >= 44

    # the next step on the card: signing opens the ticket as a sheet over the list
    page.get_by_test_id(f"row-action-{ticket.pk}").click()
    panel = page.get_by_test_id("ticket-panel")
    expect(panel.get_by_test_id(f"panel-ticket-{ticket.pk}")).to_be_visible()
    expect(panel.get_by_test_id("panel-done")).to_be_visible()
    sheet = _box(page, "ticket-panel")
    assert sheet["y"] + sheet["height"] <= PHONE["height"] + 1
    assert sheet["width"] <= PHONE["width"]
    page.screenshot(path=str(page.shots.folder / "signed-sheet.png"))  # type: ignore[attr-defined]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SIGNED
    # closing the sheet gives the list back
    panel.locator("[data-panel-close]").click()
    expect(page.get_by_test_id("ticket-panel")).to_be_hidden()
    page.context.close()


def _close_and_undo(page: Page, ticket: Any, lang: str, *, from_card: bool) -> None:
    where = "phone" if from_card else "desk"
    panel = page.get_by_test_id("ticket-panel")
    if from_card:
        page.get_by_test_id(f"row-action-{ticket.pk}").click()
    else:
        page.get_by_test_id(f"ticket-open-{ticket.pk}").click()
        panel.get_by_test_id("action-close").click()
    undo = panel.get_by_test_id("undo-close")
    expect(undo).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    # the seconds count down
    left = undo.locator("[data-undo-left]")
    start = int(left.inner_text())
    assert 10 <= start <= 15
    expect(left).not_to_have_text(str(start), timeout=3_000)
    page.screenshot(path=str(page.shots.folder / f"{where}-closed-with-undo.png"))  # type: ignore[attr-defined]
    panel.get_by_test_id("action-undo_close").click()
    expect(panel.get_by_test_id("ticket-status")).to_have_text(REPLIED[lang])
    expect(panel.get_by_test_id("undo-close")).to_have_count(0)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REPLIED
    assert ticket.history.first().history_change_reason


@pytest.mark.parametrize("lang", LANGS)
def test_close_can_be_undone_at_the_desk_and_on_a_phone(browser, live_server, request, queue, lang):
    first, second = queue["tickets"][TicketStatus.REPLIED][:2]
    desk = _page(browser, live_server, request, lang, DESK_1366)
    _sign_in(desk, lang)
    _close_and_undo(desk, first, lang, from_card=False)
    # the history says so on the ticket's page
    desk.goto(f"/petitions/tickets/{first.pk}/")
    expect(desk.get_by_test_id("history-reason").first).to_be_visible()
    desk.shots("history")  # type: ignore[attr-defined]
    desk.context.close()

    phone = _phone(browser, live_server, request, lang)
    _sign_in(phone, lang)
    _close_and_undo(phone, second, lang, from_card=True)
    phone.shots("undone-on-phone")  # type: ignore[attr-defined]
    phone.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_new_ticket_form_marks_required_fields_and_the_server_says_what_to_fix(
    browser, live_server, request, queue, lang
):
    for who, page in (
        ("desk", _page(browser, live_server, request, lang, DESK_1366)),
        ("phone", _phone(browser, live_server, request, lang)),
    ):
        _sign_in(page, lang)
        page.get_by_test_id("create-link").click()
        form = page.get_by_test_id("ticket-form")
        expect(form).to_be_visible()
        # a * beside each required label, read out as "required"
        number = form.locator("label[for=id_number]")
        expect(number.get_by_test_id("required-mark")).to_have_text("*")
        expect(number.get_by_test_id("required-mark")).to_be_visible()
        optional = form.locator("label[for=id_citizen_name] [data-testid=required-mark]")
        expect(optional).to_have_count(0)
        expect(number.locator(".visually-hidden")).to_have_text(REQUIRED[lang])
        expect(page.get_by_test_id("required-note")).to_be_visible()
        page.shots(f"{who}-form")  # type: ignore[attr-defined]
        # an empty form goes to the server, which names each field to fix
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_test_id("ticket-save").click()
        assert answer.value.status == 400
        expect(page.get_by_test_id("form-errors-summary")).to_be_visible()
        expect(page.get_by_test_id("error-number")).to_be_visible()
        expect(page.get_by_test_id("error-content")).to_be_visible()
        if who == "phone":
            no_horizontal_scroll(page)
        page.shots(f"{who}-errors")  # type: ignore[attr-defined]
        page.context.close()
