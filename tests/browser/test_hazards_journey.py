"""A hazard from the road to its verified fix, in a real browser: the officer reports it
on a phone with a photo, the commander assigns it, the officer records the rectification
with an after-photo, the commander verifies it, and the dashboard's rectification rate
moves. Each step is screenshotted under artifacts/screenshots/<test>/."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page, expect

from brigade.core.roles import Role
from hazards.models import Hazard
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory

PASSWORD = "pw-for-tests-1"
TILE = "kpi-value-hazards.rectification_rate"


def _png(path) -> str:  # type: ignore[no-untyped-def]
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (220, 60, 40)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on a phone"


def _sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()


@pytest.fixture
def brigade(transactional_db):
    unit = UnitFactory(code="sq1", name="一中队")
    officer = UserFactory(username="sunhao", password=PASSWORD, roles=[Role.OFFICER])
    OfficerFactory(user=officer, unit=unit, name="孙浩")
    commander = UserFactory(username="wangjg", password=PASSWORD, roles=[Role.COMMANDER])
    OfficerFactory(user=commander, unit=unit, name="王建国")
    return unit


def test_hazard_reported_on_a_phone_then_assigned_rectified_and_verified(
    phone: Page, browser, live_server, brigade, tmp_path
):
    shot = phone.shots
    before_photo = _png(tmp_path / "before.png")
    after_photo = _png(tmp_path / "after.png")

    # given: the officer on duty, on a phone
    _sign_in(phone, "sunhao")
    phone.get_by_test_id("quick-report-hazard").click()
    expect(phone.get_by_test_id("page-title")).to_have_text("上报隐患")
    _no_horizontal_scroll(phone)
    shot("report-form")

    # when: they report a broken guard rail with a photo
    phone.get_by_test_id("element-road").click()
    phone.fill("#id_road", "花园路")
    phone.fill("#id_location", "花园路与东昌东路交叉口")
    phone.fill("#id_description", "中央隔离护栏被撞断约6米")
    # the phone's position fills the coordinates
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 36.4565, "longitude": 116.006})
    phone.get_by_test_id("use-position").click()
    expect(phone.locator("#id_latitude")).to_have_value("36.456500")
    expect(phone.locator("#id_longitude")).to_have_value("116.006000")
    phone.get_by_test_id("severity-high").click()
    phone.set_input_files("#id_photos", before_photo)
    shot("report-filled")
    phone.get_by_test_id("hazard-submit").click()

    # then: the hazard page shows it reported, with the photo served to its reporter
    expect(phone.get_by_test_id("hazard-status")).to_have_text("已上报")
    hazard = Hazard.objects.get()
    photo = phone.get_by_test_id("photos-before").locator("img")
    expect(photo).to_have_count(1)
    assert photo.evaluate("img => img.naturalWidth") == 64
    _no_horizontal_scroll(phone)
    shot("reported")

    # it is on the map of open hazards (Leaflet served locally, no tile server set)
    phone.goto("/hazards/map/")
    expect(phone.get_by_test_id("hazard-map")).to_have_attribute("data-points", "1")
    expect(phone.locator("#hazard-map path.leaflet-interactive")).to_have_count(1)
    shot("map")
    phone.goto(f"/hazards/{hazard.pk}/")

    # the commander, on a desktop: the dashboard before, then the assignment
    desk = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    commander = desk.new_page()
    commander.set_default_timeout(10_000)
    _sign_in(commander, "wangjg")
    commander.goto("/dashboard/")
    rate_before = commander.get_by_test_id(TILE).inner_text()
    commander.goto(f"/hazards/{hazard.pk}/")
    commander.fill("#id_responsible_party", "市政设施养护所")
    commander.get_by_test_id("assign-submit").click()
    expect(commander.get_by_test_id("hazard-status")).to_have_text("已交办")
    expect(commander.get_by_test_id("hazard-responsible")).to_have_text("市政设施养护所")
    commander.screenshot(path=str(phone.shots.folder / "assigned-desktop.png"), full_page=True)

    # the officer records the rectification with an after-photo
    phone.reload()
    phone.fill("#id_measures", "更换护栏6米，设置反光警示桩")
    phone.set_input_files("#id_photos", after_photo)
    phone.get_by_test_id("rectify-submit").click()
    expect(phone.get_by_test_id("hazard-status")).to_have_text("已整改待验收")
    expect(phone.get_by_test_id("photos-after").locator("img")).to_have_count(1)
    # an officer is not offered the check
    expect(phone.get_by_test_id("verify-form")).to_have_count(0)
    _no_horizontal_scroll(phone)
    shot("rectified")
    # the unit's hazards, on the phone too
    phone.goto("/hazards/")
    expect(phone.get_by_test_id(f"hazard-status-{hazard.pk}")).to_have_text("已整改待验收")
    _no_horizontal_scroll(phone)
    shot("list")

    # the commander verifies it; the history names every step
    commander.goto(f"/hazards/{hazard.pk}/")
    commander.get_by_test_id("verify-submit").click()
    expect(commander.get_by_test_id("hazard-status")).to_have_text("已验收")
    # report, assignment, rectification, verification; two photos; the passed check
    expect(commander.get_by_test_id("hazard-history").locator("tbody tr")).to_have_count(7)

    # and the dashboard's rectification rate moves to 100%
    commander.goto("/dashboard/")
    tile = commander.get_by_test_id(TILE)
    expect(tile).not_to_have_text(rate_before)
    expect(tile).to_contain_text("100")
    commander.screenshot(path=str(phone.shots.folder / "dashboard-after.png"), full_page=True)
    desk.close()
