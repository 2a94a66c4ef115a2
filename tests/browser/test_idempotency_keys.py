"""A double click is one write, and rapid taps are as many, in a real browser: the pages'
script gives every rendered form an Idempotency-Key, sends it from htmx, and draws a new
one once an answer has come. Screenshots under artifacts/screenshots/<test>/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from brigade.core.idempotency import IdempotencyKey
from brigade.core.roles import Role
from brigade.duty.choices import ViolationKind
from brigade.duty.models import PatrolLog, ViolationTally
from petitions.choices import TicketStatus
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.petitions.factories import TicketFactory

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def people(transactional_db):
    unit = UnitFactory(code="sq1", name="一中队")
    officer = UserFactory(username="sunhao", password=PASSWORD, roles=[Role.OFFICER])
    OfficerFactory(user=officer, unit=unit, name="孙浩")
    clerk = UserFactory(username="xuting", password=PASSWORD, roles=[Role.CLERK])
    OfficerFactory(user=clerk, unit=unit, name="许婷")
    return unit, officer, clerk


def _sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()


def test_rapid_tally_taps_count_each_and_every_write_carries_a_key(phone: Page, people):
    _unit, officer, _clerk = people
    sent: list[dict[str, str]] = []
    phone.on(
        "request",
        lambda r: sent.append(r.headers) if r.method == "POST" and "/tally/" in r.url else None,
    )
    _sign_in(phone, "sunhao")
    # the start form carries its key as a hidden field
    key = phone.locator('[data-testid="patrol-start"]').locator(
        "xpath=ancestor::form//input[@name='idempotency_key']"
    )
    expect(key).to_have_count(1)
    assert len(key.input_value()) == 32
    phone.get_by_test_id("patrol-start").click()
    expect(phone.get_by_test_id("open-patrol")).to_be_visible()

    # three quick taps on +1, without waiting for the answers
    plus = phone.get_by_test_id("tally-plus-no_helmet")
    for _ in range(3):
        plus.click()
    expect(phone.get_by_test_id("tally-count-no_helmet")).to_have_text("3")
    phone.shots("three-taps")

    patrol = PatrolLog.objects.get(officer__user=officer)
    assert ViolationTally.objects.get(patrol=patrol, kind=ViolationKind.NO_HELMET).count == 3
    keys = [headers.get("idempotency-key") for headers in sent]
    assert len(keys) == 3 and len(set(keys)) == 3 and all(keys)
    assert IdempotencyKey.objects.filter(user=officer).count() == 4  # the start + 3 taps


def test_a_double_click_on_sign_in_the_side_panel_signs_once_and_shows_signed(
    browser, live_server, request, people
):
    unit, _officer, _clerk = people
    ticket = TicketFactory(unit=unit, received_at=timezone.now() - dt.timedelta(hours=1))
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    from tests.browser.conftest import Shots

    shots = Shots(page, request.node.name)
    _sign_in(page, "xuting")
    row = page.get_by_test_id(f"ticket-row-{ticket.pk}")
    expect(row).to_be_visible()
    # the queue's keys answer once its scripts have run (a loaded machine can be slower)
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    expect(row).to_have_class(re.compile(r"\btable-active\b"))
    page.keyboard.press("Enter")
    panel = page.get_by_test_id("ticket-panel")
    expect(page.get_by_test_id(f"panel-ticket-{ticket.pk}")).to_be_visible()

    panel.get_by_test_id("action-sign").dblclick()

    expect(page.get_by_test_id("ticket-status")).to_have_text("已签收")
    expect(page.get_by_test_id("panel-error")).to_have_count(0)
    shots("signed-once")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SIGNED
    assert ticket.history.filter(status=TicketStatus.SIGNED).count() == 1
    context.close()
