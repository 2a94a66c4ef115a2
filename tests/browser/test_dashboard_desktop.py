"""The commander's dashboard on a 1440×900 desktop, in Chinese and in English: opened
without a week on a brigade whose records stop in 2022, it shows the latest week with
records, says so, and the first KPI tile starts above the fold.

Screenshots: artifacts/screenshots/<test>/NN-<step>.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brigade.core.kpi import engine
from brigade.core.kpi.weeks import current_week, week_key
from brigade.core.roles import Role
from brigade.duty.choices import UnitKind
from hazards import services as hazard_services
from hazards.choices import Element
from hazards.models import Hazard
from tests.brigade.factories import (
    OfficerFactory,
    PatrolLogFactory,
    UnitFactory,
    UserFactory,
    ViolationTallyFactory,
)
from tests.browser.conftest import Shots

PASSWORD = "pw-for-tests-1"
DESKTOP = {"width": 1440, "height": 900}
NOTICE = {
    "zh-hans": "显示有记录的最近一周 2022-W26",
    "en": "showing 2022-W26, the latest week with records",
}


@pytest.fixture
def brigade(db):
    """Headquarters and three squadrons, patrols up to 2022-W26, an overdue hazard in each
    squadron (so that the work panels have rows), the figures computed."""
    hq = UnitFactory(code="hq", name="大队部", kind=UnitKind.HEADQUARTERS)
    commander = UserFactory(username="wangjg", password=PASSWORD, roles=[Role.COMMANDER])
    OfficerFactory(user=commander, unit=hq, name="王建国")
    for n, code in enumerate(("sq1", "sq2", "sq3")):
        unit = UnitFactory(code=code, name=f"{'一二三'[n]}中队")
        officer = OfficerFactory(unit=unit)
        for week in range(26):
            start = timezone.make_aware(dt.datetime(2022, 1, 3, 8) + dt.timedelta(weeks=week))
            log = PatrolLogFactory(
                officer=officer, started_at=start, ended_at=start + dt.timedelta(hours=2)
            )
            ViolationTallyFactory(patrol=log, kind="no_helmet", count=1 + (week + n) % 5)
        hazard = hazard_services.hazard_report(
            unit=unit, element=Element.ROAD, road="花园路", description="护栏缺损约6米"
        )
        hazard_services.hazard_assign(
            hazard=hazard, responsible_party="市政设施养护所", by=commander
        )
        # its deadline passed three days ago (a service refuses to set one in the past)
        Hazard.objects.filter(pk=hazard.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=3)
        )
    engine.recompute_all()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_dashboard_opens_on_the_latest_week_with_records_tiles_above_the_fold(
    browser, live_server, brigade, request, lang
):
    context = browser.new_context(
        viewport=DESKTOP, locale="en-US" if lang == "en" else "zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    shots = Shots(page, request.node.name)
    try:
        page.goto("/accounts/login/")
        page.get_by_test_id(f"lang-{lang}").click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        page.fill("input[name=username]", "wangjg")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_test_id("login-submit").click()
        page.goto("/dashboard/")

        # the latest week with records, said so, with a link to the current week
        expect(page.get_by_test_id("week-input")).to_have_value("2022-W26")
        notice = page.get_by_test_id("week-fallback")
        expect(notice).to_contain_text(NOTICE[lang])
        expect(page.get_by_test_id("week-fallback-current")).to_have_attribute(
            "href", f"?week={week_key(current_week())}"
        )
        expect(page.get_by_test_id("kpi-value-brigade.patrols")).to_have_text("78")

        # the first KPI tile starts above the fold of a 1440×900 desktop
        first_tile = page.locator("[data-testid^=kpi-tile-]").first
        box = first_tile.bounding_box()
        assert box is not None
        assert box["y"] < DESKTOP["height"], f"first tile at {box['y']} px"
        page.screenshot(path=str(shots.folder / "00-viewport.png"))  # what the eye sees first
        shots("dashboard")

        # the current week, when asked for: no notice
        page.get_by_test_id("week-fallback-current").click()
        expect(page.get_by_test_id("week-input")).to_have_value(week_key(current_week()))
        expect(page.get_by_test_id("week-fallback")).to_have_count(0)
        shots("current-week")
    finally:
        context.close()
