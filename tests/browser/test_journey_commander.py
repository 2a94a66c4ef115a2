"""Journey: the commander's dashboard to a verified fix and a recompute, in Chinese and in
English, with the recompute on a real Celery worker through Redis (as deployed).

Dashboard (the rectification rate, brigade and per unit) → drill down from the per-unit
table to the hazards that squadron's rate counts, and from a week of the trend → the
brigade's denominator, the hazards found → open the one awaiting its check → verify it → back on
the dashboard, Recompute: the htmx progress shows the run queued on the worker, then done
→ the new figures: the rate moved for the brigade and the squadron. Screenshots:
artifacts/journeys/commander-<language>-<NN>-<step>.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRun
from brigade.core.roles import Role
from brigade.duty.choices import UnitKind
from hazards import services
from hazards.choices import Element, HazardStatus
from hazards.models import Hazard
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.brigade.test_celery_worker import Worker, worker  # noqa: F401
from tests.brigade.test_kpi_worker import routed_to  # noqa: F401

pytestmark = pytest.mark.redis

PASSWORD = "pw-for-tests-1"
RATE = "hazards.rectification_rate"
WORKER_TIMEOUT = 60_000  # ms: the worker's boot is part of the first run's wait

TEXT = {
    "zh-hans": {
        "dashboard": "指标看板",
        "rate": "隐患整改率",
        "hazards": "隐患排查",
        "awaiting": "已整改待验收",
        "verified": "已验收",
        "verified_message": "整改已验收，隐患办结。",
        "done": "重新计算完成：指标已是最新。",
    },
    "en": {
        "dashboard": "Dashboard",
        "rate": "Hazard rectification rate",
        "hazards": "Hazards",
        "awaiting": "Rectified, awaiting check",
        "verified": "Verified",
        "verified_message": "Rectification verified: the hazard is closed.",
        "done": "Recompute finished: the figures are up to date.",
    },
}


def _hazard(unit, road: str, *, to: str, by, rectifier) -> Hazard:  # type: ignore[no-untyped-def]
    """A hazard reported this year and taken through the services up to state ``to``: put
    right by ``rectifier``, checked by ``by`` (whoever did the work does not check it)."""
    hazard = services.hazard_report(
        unit=unit, element=Element.ROAD, road=road, description="护栏缺损约6米"
    )
    if to == HazardStatus.REPORTED:
        return hazard
    hazard = services.hazard_assign(hazard=hazard, responsible_party="市政设施养护所", by=by)
    if to == HazardStatus.ASSIGNED:
        return hazard
    hazard = services.hazard_rectify(hazard=hazard, measures="更换护栏，设置警示桩", by=rectifier)
    if to == HazardStatus.RECTIFIED:
        return hazard
    return services.hazard_verify(hazard=hazard, by=by)


@pytest.fixture
def brigade(routed_to: Worker):  # noqa: F811
    """The brigade commander at headquarters; 一中队 with four hazards this year (one
    verified, one awaiting its check), 二中队 with two (one verified); figures computed."""
    hq = UnitFactory(code="hq", name="大队部", kind=UnitKind.HEADQUARTERS)
    sq1 = UnitFactory(code="sq1", name="一中队")
    sq2 = UnitFactory(code="sq2", name="二中队")
    commander = UserFactory(username="wangjg", password=PASSWORD, roles=[Role.COMMANDER])
    OfficerFactory(user=commander, unit=hq, name="王建国")
    rectifier = UserFactory(username="limq", password=PASSWORD, roles=[Role.OFFICER])
    OfficerFactory(user=rectifier, unit=sq1, name="李明清")
    _hazard(sq1, "花园路", to=HazardStatus.VERIFIED, by=commander, rectifier=rectifier)
    awaiting = _hazard(
        sq1, "东昌东路", to=HazardStatus.RECTIFIED, by=commander, rectifier=rectifier
    )
    _hazard(sq1, "建设东路", to=HazardStatus.ASSIGNED, by=commander, rectifier=rectifier)
    _hazard(sq1, "兴华路", to=HazardStatus.REPORTED, by=commander, rectifier=rectifier)
    _hazard(sq2, "滨河路", to=HazardStatus.VERIFIED, by=commander, rectifier=rectifier)
    _hazard(sq2, "人民路", to=HazardStatus.REPORTED, by=commander, rectifier=rectifier)
    engine.recompute_all()
    return sq1, awaiting


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_commander_dashboard_drill_down_verify_recompute(journey, brigade, lang):
    sq1, awaiting = brigade
    text = TEXT[lang]
    trip = journey("commander")
    desk = trip.page()

    # the dashboard: 2 of 6 hazards verified brigade-wide, 1 of 4 in 一中队
    trip.sign_in(desk, "wangjg", PASSWORD)
    expect(desk.get_by_test_id("page-title")).to_contain_text(text["dashboard"])
    expect(desk.get_by_test_id(f"kpi-tile-{RATE}")).to_contain_text(text["rate"])
    expect(desk.get_by_test_id(f"kpi-value-{RATE}")).to_have_text("33.3%")
    expect(desk.get_by_test_id(f"kpi-fraction-{RATE}")).to_have_text("2 / 6")
    cell = desk.get_by_test_id(f"unit-cell-{sq1.pk}-{RATE}")
    expect(cell).to_have_text("25.0%")
    trip.shot(desk, "dashboard")

    # drill down from 一中队's cell to the hazards its rate counts as verified: one
    cell.get_by_role("link").click()
    expect(desk.get_by_test_id("page-title")).to_contain_text(text["rate"])
    expect(desk.get_by_test_id("records-count")).to_have_attribute("data-count", "1")
    expect(desk.get_by_test_id("record-row")).to_have_count(1)
    trip.shot(desk, "drill-down")

    # a week of the rate's trend opens the records of that week's figure
    desk.go_back()
    chart = desk.locator(f'[data-chart="{RATE}"]')
    expect(chart).to_have_attribute("data-rendered", "true")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box
    desk.mouse.click(box["x"] + box["width"] - 20, box["y"] + box["height"] / 2)
    expect(desk).to_have_url(
        re.compile(rf"/dashboard/records/\?metric={re.escape(RATE)}&side=n&week=")
    )
    expect(desk.get_by_test_id("records-count")).to_have_attribute("data-count", "2")
    desk.go_back()

    # the brigade's denominator: the six hazards found this year, one awaiting its check
    desk.get_by_test_id(f"kpi-denominator-{RATE}").click()
    expect(desk.get_by_test_id("records-count")).to_have_attribute("data-count", "6")
    expect(desk.get_by_test_id("record-row")).to_have_count(6)
    trip.shot(desk, "denominator")

    # open the one awaiting its check and verify it
    desk.locator(f'[data-testid=record-row][data-record="{awaiting.pk}"]').get_by_role(
        "link"
    ).click()
    expect(desk.get_by_test_id("hazard-status")).to_have_text(text["awaiting"])
    desk.get_by_test_id("verify-submit").click()
    expect(desk.get_by_test_id("messages")).to_contain_text(text["verified_message"])
    expect(desk.get_by_test_id("hazard-status")).to_have_text(text["verified"])
    trip.shot(desk, "verified")

    # recompute from the dashboard: htmx shows the run's progress until the worker is done
    desk.goto("/dashboard/")
    desk.get_by_test_id("recompute-button").click()
    progress = desk.get_by_test_id("recompute-progress")
    expect(progress).to_be_visible()
    trip.shot(desk, "recompute-progress")
    expect(desk.get_by_test_id("recompute-done")).to_contain_text(
        text["done"], timeout=WORKER_TIMEOUT
    )
    expect(progress).to_have_attribute("data-state", "done")
    trip.shot(desk, "recompute-done")
    run = KpiRun.objects.get()
    assert run.state == KpiRun.State.DONE and run.requested_by.username == "wangjg"

    # the new figures: 3 of 6 brigade-wide, 2 of 4 in 一中队
    desk.get_by_test_id("recompute-refresh").click()
    expect(desk.get_by_test_id(f"kpi-value-{RATE}")).to_have_text("50.0%")
    expect(desk.get_by_test_id(f"kpi-fraction-{RATE}")).to_have_text("3 / 6")
    expect(desk.get_by_test_id(f"unit-cell-{sq1.pk}-{RATE}")).to_have_text("50.0%")
    trip.shot(desk, "figure-moved")

    awaiting.refresh_from_db()
    assert awaiting.status == HazardStatus.VERIFIED
    assert awaiting.verified_by is not None and awaiting.verified_by.username == "wangjg"
