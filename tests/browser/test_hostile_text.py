"""Hostile text in a real browser: with every free-text field of every record holding a
payload (tests/security/hostile.py), a commander and a clerk open the pages where user
text is shown through scripts as well as templates (the hazard map's popups, the ticket
queue's side panel, the dashboard's charts), and nothing runs: no dialog opens, no
injected handler fires."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Settle
from tests.matrix import CLERK, COMMANDER
from tests.security import hostile
from tests.test_permission_matrix import build_world

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def hostile_world(transactional_db):  # type: ignore[no-untyped-def]
    from hazards.models import Hazard

    world = build_world()
    # a point on the map for the hazards of the own unit
    Hazard.objects.filter(unit=world.own["unit"]).update(latitude=36.46, longitude=116.00)
    hostile.plant(hostile.free_text_fields())
    return world


def _watch(page: Page) -> list[str]:
    """Every dialog the page opens (an executed alert), dismissed and recorded."""
    opened: list[str] = []

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        opened.append(f"{page.url}: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened


def _sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()


def _visit(page: Page, url: str) -> None:
    page.goto(url)
    page.settle()
    # hover and focus everything that could carry an injected handler
    page.mouse.move(5, 5)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")


def test_nothing_runs_on_the_commanders_pages(phone: Page, hostile_world):
    world = hostile_world
    opened = _watch(phone)
    phone.settle = Settle(phone)
    _sign_in(phone, world.users[COMMANDER].username)

    for url in (
        "/dashboard/",
        "/hazards/",
        f"/hazards/{world.own['hazard'].pk}/",
        "/incidents/",
        f"/incidents/{world.own['accident'].pk}/",
        "/outreach/events/",
        "/patrols/",
    ):
        _visit(phone, url)

    # the map's popups are built by script from the hazards' text
    _visit(phone, "/hazards/map/")
    markers = phone.locator(".leaflet-interactive")
    assert markers.count() >= 1
    markers.first.click(force=True)
    popup = phone.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "xq" in popup.inner_text()  # the road's payload, shown as text
    assert popup.locator("script, img, svg, iframe").count() == 0
    phone.shots("map")

    assert not opened, opened
    assert phone.evaluate("document.querySelectorAll('[onerror],[onload],[ontoggle]').length") == 0


def test_nothing_runs_in_the_clerks_queue_and_side_panel(phone: Page, hostile_world):
    world = hostile_world
    opened = _watch(phone)
    phone.settle = Settle(phone)
    _sign_in(phone, world.users[CLERK].username)

    _visit(phone, "/petitions/")
    ticket = world.own["ticket"]
    opener = phone.get_by_test_id(f"ticket-open-{ticket.pk}")
    if opener.count():
        opener.first.click()
        phone.settle()
    _visit(phone, f"/petitions/tickets/{ticket.pk}/")
    phone.shots("ticket")

    assert not opened, opened
    assert phone.evaluate("document.querySelectorAll('[onerror],[onload],[ontoggle]').length") == 0
