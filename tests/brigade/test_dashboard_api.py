"""The dashboard's API and the KPI read side: figures checked against the records they
count, scopes, trends, drift from published figures, recomputes, roles and query counts."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from brigade.core.kpi import engine, read
from brigade.core.kpi.models import KpiRun
from brigade.core.kpi.read import FigureScope
from brigade.core.kpi.weeks import current_week, week_key
from brigade.duty.models import PatrolLog, ViolationTally
from brigade.tasks import recompute_all_task
from tests.brigade.factories import (
    AttendanceFactory,
    OfficerFactory,
    PatrolLogFactory,
    TrainingSessionFactory,
    UnitFactory,
    ViolationTallyFactory,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]
# a weekday mid-morning, in a week that ends in its own year: the tests pinned to it
# check change tracking, not the calendar (a week ending in the next year, as on 31
# December 2026, counts next year's year to date)
WEDNESDAY = dt.datetime(2026, 12, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

KPIS = reverse("dashboard-api:kpis")
TREND = reverse("dashboard-api:trend")
RECOMPUTE = reverse("dashboard-api:recompute")
W23, W24 = dt.date(2022, 6, 6), dt.date(2022, 6, 13)
EN = {"Accept-Language": "en"}


def local(year, month, day, hour=8):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def patrol(unit, started_at, hours=2, **tallies):
    officer = OfficerFactory(unit=unit)
    log = PatrolLogFactory(
        officer=officer, started_at=started_at, ended_at=started_at + dt.timedelta(hours=hours)
    )
    for kind, count in tallies.items():
        ViolationTallyFactory(patrol=log, kind=kind, count=count)
    return log


@pytest.fixture
def records(unit, other_unit):
    """Patrols in two squadrons around 2022-W24 (13–19 June), one a year before, and one
    after the week, then the KPIs computed from them."""
    patrol(unit, local(2021, 12, 30), no_helmet=9)  # last year: not in 2022's figures
    patrol(unit, local(2022, 3, 1), hours=3, no_helmet=2, speeding=1)
    patrol(unit, local(2022, 6, 7), no_helmet=1)  # W23
    patrol(unit, local(2022, 6, 14), hours=1, speeding=4)  # W24
    patrol(other_unit, local(2022, 6, 15), hours=4, no_helmet=5, red_light=2)  # W24
    patrol(other_unit, local(2022, 6, 19, 23), no_helmet=1)  # W24's last evening
    patrol(other_unit, local(2022, 6, 20), no_helmet=7)  # W25: after the week
    session = TrainingSessionFactory(unit=unit, held_on=dt.date(2022, 6, 14))
    AttendanceFactory(session=session, attended=True)
    AttendanceFactory(session=session, attended=True)
    AttendanceFactory(session=session, attended=False)
    engine.recompute_all()


def ytd(week_monday, unit=None):
    """Direct counts over the records: the year to date as of the week's Sunday."""
    start = local(week_monday.year, 1, 1, 0)
    end = timezone.make_aware(dt.datetime.combine(week_monday + dt.timedelta(days=7), dt.time()))
    patrols = PatrolLog.objects.filter(started_at__gte=start, started_at__lt=end)
    tallies = ViolationTally.objects.filter(
        patrol__started_at__gte=start, patrol__started_at__lt=end
    )
    if unit is not None:
        patrols = patrols.filter(unit=unit)
        tallies = tallies.filter(patrol__unit=unit)
    hours = sum((p.ended_at - p.started_at).total_seconds() / 3600 for p in patrols)
    return {
        "patrols": patrols.count(),
        "hours": hours,
        "violations": tallies.aggregate(n=Sum("count"))["n"] or 0,
        "no_helmet": tallies.filter(kind="no_helmet").aggregate(n=Sum("count"))["n"] or 0,
    }


# --- figures equal the records ------------------------------------------------------------


def test_brigade_figures_equal_direct_counts_with_last_week_and_change(
    api_as, brigade_commander, records
):
    # when
    response = api_as(brigade_commander).get(KPIS, {"week": "2022-W24"})

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["week"] == "2022-W24"
    assert body["scope"] == {"kind": "brigade", "unit": None, "name": body["scope"]["name"]}
    assert body["has_data"] is True
    assert body["computed_at"] is not None
    assert body["stale"] is None
    now, before = ytd(W24), ytd(W23)
    m = body["metrics"]
    assert m["brigade.patrols"]["value"] == now["patrols"] == 5
    assert m["brigade.patrols"]["numerator"] == 5
    assert m["brigade.patrols"]["denominator"] is None
    assert m["brigade.patrols"]["previous"] == before["patrols"] == 2
    assert m["brigade.patrols"]["change"] == 3
    assert m["brigade.patrol_hours"]["value"] == pytest.approx(now["hours"]) == 12
    assert m["brigade.violations_corrected"]["value"] == now["violations"] == 16
    assert m["brigade.violations_corrected"]["previous"] == before["violations"] == 4
    assert m["brigade.violations_corrected"]["change"] == 12


def test_unit_figures_count_only_that_units_records(api_as, brigade_commander, unit, records):
    response = api_as(brigade_commander).get(KPIS, {"week": "2022-W24", "unit": unit.pk})

    body = response.json()
    assert body["scope"] == {"kind": "unit", "unit": unit.pk, "name": unit.name}
    m = body["metrics"]
    now = ytd(W24, unit)
    assert m["brigade.patrols"]["value"] == now["patrols"] == 3
    assert m["brigade.patrol_hours"]["value"] == pytest.approx(now["hours"]) == 6
    assert m["brigade.violations_corrected"]["value"] == now["violations"] == 8
    assert m["brigade.patrols"]["previous"] == 2
    assert m["brigade.patrols"]["change"] == 1


def test_split_parts_are_figures_but_not_tiles(api_as, brigade_commander, records):
    m = api_as(brigade_commander).get(KPIS, {"week": "2022-W24"}).json()["metrics"]

    part = m["brigade.violations.no_helmet"]
    assert part["value"] == ytd(W24)["no_helmet"] == 9
    assert part["tile"] is False
    assert part["part_of"] == "brigade.violations"
    assert m["brigade.violations.red_light"]["value"] == 2
    assert m["brigade.patrols"]["tile"] is True
    assert "brigade.violations" not in m  # the split itself is only its parts


def test_a_rate_has_numerator_denominator_and_a_fractional_value(
    api_as, brigade_commander, unit, records
):
    m = api_as(brigade_commander).get(KPIS, {"week": "2022-W24"}).json()["metrics"]

    rate = m["brigade.training_attendance_rate"]
    assert rate["is_rate"] is True
    assert (rate["numerator"], rate["denominator"]) == (2, 3)
    assert rate["value"] == 0.6667
    assert rate["previous"] is None  # nothing to divide by the week before
    assert rate["change"] is None


def test_figures_carry_labels_in_the_request_language_and_links_to_the_records(
    api_as, brigade_commander, unit, records
):
    api = api_as(brigade_commander)

    english = api.get(KPIS, {"week": "2022-W24"}, headers=EN).json()
    chinese = api.get(KPIS, {"week": "2022-W24"}, headers={"Accept-Language": "zh-hans"}).json()

    assert english["metrics"]["brigade.patrols"]["label"] == "Patrols"
    assert chinese["metrics"]["brigade.patrols"]["label"] == "巡逻记录"
    assert chinese["metrics"]["brigade.patrol_hours"]["unit_label"] == "小时"
    url = english["metrics"]["brigade.patrols"]["records_url"]
    assert url.startswith(reverse("dashboard_records"))
    assert "metric=brigade.patrols" in url and "week=2022-W24" in url
    listed = api.get(english["metrics"]["brigade.patrols"]["records_api"]).json()
    assert listed["count"] == english["metrics"]["brigade.patrols"]["numerator"] == 5
    rate = english["metrics"]["brigade.training_attendance_rate"]
    assert api.get(rate["denominator_records_api"]).json()["count"] == rate["denominator"]


# --- scope --------------------------------------------------------------------------------


def test_squadron_commander_reads_own_unit_by_default(api_as, commander, unit, records):
    body = api_as(commander).get(KPIS, {"week": "2022-W24"}).json()

    assert body["scope"]["kind"] == "unit"
    assert body["scope"]["unit"] == unit.pk
    assert body["metrics"]["brigade.patrols"]["value"] == 3


def test_squadron_commander_gets_404_for_another_unit(api_as, commander, other_unit, records):
    api = api_as(commander)

    assert api.get(KPIS, {"week": "2022-W24", "unit": other_unit.pk}).status_code == 404
    trend = api.get(TREND, {"metric": "brigade.patrols", "unit": other_unit.pk})
    assert trend.status_code == 404


def test_brigade_commander_sees_the_brigade_and_any_unit(
    api_as, brigade_commander, unit, other_unit, records
):
    api = api_as(brigade_commander)

    assert api.get(KPIS, {"week": "2022-W24"}).json()["scope"]["kind"] == "brigade"
    for u, patrols in ((unit, 3), (other_unit, 2)):
        body = api.get(KPIS, {"week": "2022-W24", "unit": u.pk}).json()
        assert body["metrics"]["brigade.patrols"]["value"] == patrols
    assert api.get(KPIS, {"week": "2022-W24", "unit": 999999}).status_code == 404


def test_admin_reads_the_brigade_by_default(api_as, admin_user, records):
    body = api_as(admin_user).get(KPIS, {"week": "2022-W24"}).json()

    assert body["scope"]["kind"] == "brigade"
    assert body["metrics"]["brigade.patrols"]["value"] == 5


def test_default_week_is_the_latest_week_with_records_when_this_week_has_none(
    api_as, brigade_commander, commander, unit, records
):
    this_week = week_key(current_week())

    # the brigade's last records are in W25; the squadron's in W24
    body = api_as(brigade_commander).get(KPIS).json()
    assert (body["week"], body["current_week"]) == ("2022-W25", this_week)
    assert body["metrics"]["brigade.patrols"]["value"] == 6
    body = api_as(commander).get(KPIS).json()
    assert (body["week"], body["current_week"]) == ("2022-W24", this_week)
    assert body["metrics"]["brigade.patrols"]["value"] == 3
    # a week asked for is the week answered
    body = api_as(brigade_commander).get(KPIS, {"week": this_week}).json()
    assert (body["week"], body["current_week"]) == (this_week, this_week)
    # the trend ends at the same week
    points = api_as(brigade_commander).get(TREND, {"metric": "brigade.patrols"}).json()["points"]
    assert points[-1]["week"] == "2022-W25"


@time_machine.travel(WEDNESDAY, tick=True)
def test_default_week_is_the_current_week_when_it_has_records(api_as, brigade_commander, unit):
    patrol(unit, timezone.now(), hours=0.05, no_helmet=1)
    engine.recompute_all()

    body = api_as(brigade_commander).get(KPIS).json()

    assert body["week"] == body["current_week"] == week_key(current_week())
    assert body["metrics"]["brigade.patrols"]["value"] == 1


def test_default_week_without_any_record_is_the_current_week(api_as, brigade_commander):
    body = api_as(brigade_commander).get(KPIS).json()

    assert body["week"] == body["current_week"] == week_key(current_week())
    assert body["has_data"] is False


# --- invalid input ------------------------------------------------------------------------


@pytest.mark.parametrize("week", ["2022-24", "2022-W60", "last week", "2022-W00"])
def test_a_bad_week_is_a_400_with_a_field_message(api_as, brigade_commander, week):
    response = api_as(brigade_commander).get(KPIS, {"week": week}, headers=EN)

    assert response.status_code == 400
    assert response.json()["week"] == ["Enter an ISO week like 2022-W24."]


def test_a_unit_that_is_not_a_number_is_a_400(api_as, brigade_commander):
    response = api_as(brigade_commander).get(KPIS, {"unit": "sq1"})

    assert response.status_code == 400
    assert "unit" in response.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"metric": "brigade.nothing"}, "metric"),
        ({}, "metric"),
        ({"metric": "brigade.patrols", "weeks": 0}, "weeks"),
        ({"metric": "brigade.patrols", "weeks": 157}, "weeks"),
        ({"metric": "brigade.patrols", "week": "W24"}, "week"),
    ],
)
def test_trend_refuses_unknown_metric_and_bad_ranges(api_as, brigade_commander, params, field):
    response = api_as(brigade_commander).get(TREND, params)

    assert response.status_code == 400
    assert field in response.json()


# --- trend --------------------------------------------------------------------------------


def test_trend_has_26_weeks_zero_filled_before_the_first_record(api_as, brigade_commander, unit):
    # given: patrols from 2022-W10 only
    patrol(unit, local(2022, 3, 8), no_helmet=1)
    patrol(unit, local(2022, 6, 14))
    engine.recompute_all()

    # when
    response = api_as(brigade_commander).get(
        TREND, {"metric": "brigade.patrols", "week": "2022-W24"}
    )

    # then
    body = response.json()
    assert response.status_code == 200
    assert body["metric"] == "brigade.patrols"
    assert body["is_rate"] is False
    points = body["points"]
    assert len(points) == 26
    assert points[0]["week"] == "2021-W51"
    assert points[-1]["week"] == "2022-W24"
    by_week = {p["week"]: p for p in points}
    assert by_week["2022-W05"] == {
        "week": "2022-W05",
        "numerator": 0,
        "denominator": None,
        "value": None,
        # an empty week still links its (empty) list, as a tile does
        "records_url": "/dashboard/records/?metric=brigade.patrols&side=n&week=2022-W05",
        "records_api": "/api/v1/dashboard/records/?metric=brigade.patrols&side=n&week=2022-W05",
        "denominator_records_url": None,
        "denominator_records_api": None,
    }
    assert by_week["2022-W10"]["value"] == 1
    assert by_week["2022-W23"]["value"] == 1  # year to date: nothing new, still 1
    assert by_week["2022-W24"]["value"] == 2


def test_trend_of_a_rate_zero_fills_with_a_denominator(db):
    points = read.trend(
        "brigade.training_attendance_rate", FigureScope(None, "b"), weeks=3, until=W24
    )

    key = "brigade.training_attendance_rate"
    assert points == [
        {
            "week": week,
            "numerator": 0,
            "denominator": 0,
            "value": None,
            "records_url": f"/dashboard/records/?metric={key}&side=n&week={week}",
            "records_api": f"/api/v1/dashboard/records/?metric={key}&side=n&week={week}",
            "denominator_records_url": f"/dashboard/records/?metric={key}&side=d&week={week}",
            "denominator_records_api": (
                f"/api/v1/dashboard/records/?metric={key}&side=d&week={week}"
            ),
        }
        for week in ("2022-W22", "2022-W23", "2022-W24")
    ]


def test_trend_length_follows_weeks(api_as, brigade_commander, records):
    body = api_as(brigade_commander).get(
        TREND, {"metric": "brigade.violations.no_helmet", "weeks": 156, "week": "2022-W24"}
    )

    assert len(body.json()["points"]) == 156


def test_unit_table_has_a_row_per_unit_in_the_given_order(unit, other_unit, records):
    rows = read.unit_table(
        W24, ["brigade.patrols"], units={other_unit.pk: other_unit.name, unit.pk: unit.name}
    )

    assert [(r["unit"], r["name"]) for r in rows] == [
        (other_unit.pk, other_unit.name),
        (unit.pk, unit.name),
    ]
    assert rows[0]["metrics"]["brigade.patrols"]["value"] == 2
    assert rows[1]["metrics"]["brigade.patrols"]["value"] == 3


# --- published figures and drift ----------------------------------------------------------


def test_drift_when_a_record_changes_after_the_week_was_published(
    api_as, brigade_commander, unit, records
):
    # given: W24 published with 5 patrols
    engine.publish_week(W24)

    # when: a W24 patrol is recorded late and the figures recomputed
    patrol(unit, local(2022, 6, 16))
    engine.recompute_all()

    # then
    m = api_as(brigade_commander).get(KPIS, {"week": "2022-W24"}).json()["metrics"]
    patrols = m["brigade.patrols"]
    assert patrols["value"] == 6
    assert patrols["published"]["value"] == 5
    assert patrols["published"]["numerator"] == 5
    assert patrols["published"]["published_at"]
    assert patrols["drifted"] is True
    violations = m["brigade.violations_corrected"]
    assert violations["published"]["value"] == violations["value"]
    assert violations["drifted"] is False


def test_an_unpublished_week_has_no_published_figure(api_as, brigade_commander, records):
    m = api_as(brigade_commander).get(KPIS, {"week": "2022-W24"}).json()["metrics"]

    assert m["brigade.patrols"]["published"] is None
    assert m["brigade.patrols"]["drifted"] is False


def test_stale_warning_when_an_enqueue_failed(api_as, brigade_commander, records):
    engine.mark_stale()

    body = api_as(brigade_commander).get(KPIS, {"week": "2022-W24"}).json()

    assert body["stale"] is not None
    engine.recompute_all()  # a finished recompute clears it
    assert api_as(brigade_commander).get(KPIS, {"week": "2022-W24"}).json()["stale"] is None


def test_no_rollups_yet_is_an_empty_payload(api_as, brigade_commander):
    body = api_as(brigade_commander).get(KPIS, {"week": "2022-W24"}).json()

    assert body["has_data"] is False
    assert body["computed_at"] is None
    assert body["metrics"]["brigade.patrols"]["value"] is None


# --- recompute ----------------------------------------------------------------------------


def test_recompute_is_accepted_and_its_run_reaches_done(api_as, brigade_commander, unit):
    # given: a patrol the figures do not count yet
    patrol(unit, local(2022, 6, 14))
    api = api_as(brigade_commander)

    # when
    response = api.post(RECOMPUTE, {}, format="json")

    # then
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "done"  # tasks run eagerly without a broker
    assert response["Location"] == body["status_url"]
    status = api.get(body["status_url"])
    assert status.status_code == 200
    run = status.json()
    assert run["run_id"] == body["run_id"]
    assert run["state"] == "done"
    assert run["total"] > 0 and run["done"] == run["total"]
    assert run["error"] == ""
    assert run["started_at"] and run["finished_at"]
    figures = api.get(KPIS, {"week": "2022-W24"}).json()
    assert figures["metrics"]["brigade.patrols"]["value"] == 1


def test_recompute_from_a_week(api_as, commander):
    response = api_as(commander).post(RECOMPUTE, {"since": "2022-W01"}, format="json")

    assert response.status_code == 202
    assert KpiRun.objects.get(pk=response.json()["run_id"]).since == dt.date(2022, 1, 3)


def test_recompute_with_a_bad_week_is_a_400(api_as, commander):
    response = api_as(commander).post(RECOMPUTE, {"since": "January"}, format="json")

    assert response.status_code == 400
    assert "since" in response.json()
    assert not KpiRun.objects.exists()


@pytest.mark.parametrize("error", [OperationalError("refused"), OSError("no route")])
def test_recompute_answers_503_when_the_broker_does_not_answer(
    api_as, brigade_commander, monkeypatch, error
):
    def down(*args, **kwargs):
        raise error

    monkeypatch.setattr(recompute_all_task, "apply_async", down)

    response = api_as(brigade_commander).post(RECOMPUTE, {}, format="json", headers=EN)

    assert response.status_code == 503
    assert "does not answer" in response.json()["detail"]
    assert KpiRun.objects.get().state == KpiRun.State.FAILED


@pytest.fixture
def unreachable_broker():
    """A broker address where nothing listens, tasks really sent (not run in-process)."""
    from brigade.celery import app

    def fresh_pools() -> None:
        # The app caches its pools of the broker address it first used: forget them so the
        # next send looks its address up again. Not closed: kombu keeps one pool per address
        # and would hand a closed one back to the next test.
        app._pool = None
        app.amqp._producer_pool = None

    saved = app.conf.broker_url, app.conf.task_always_eager
    fresh_pools()
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        fresh_pools()


def test_recompute_with_the_broker_down_answers_503_within_seconds(
    api_as, brigade_commander, unreachable_broker
):
    started = time.monotonic()
    response = api_as(brigade_commander).post(RECOMPUTE, {}, format="json")

    assert response.status_code == 503
    assert time.monotonic() - started < 10
    run = KpiRun.objects.get()
    assert run.state == KpiRun.State.FAILED
    assert run.finished_at is not None


def test_status_of_an_unknown_run_is_404(api_as, brigade_commander):
    url = reverse(
        "dashboard-api:recompute-status", kwargs={"pk": "4f9d7d3c-0000-4000-8000-000000000000"}
    )

    assert api_as(brigade_commander).get(url).status_code == 404


# --- roles --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "clerk"])
def test_officers_and_clerks_get_403(api_as, request, persona):
    api = api_as(request.getfixturevalue(persona))
    run = KpiRun.objects.create()

    assert api.get(KPIS).status_code == 403
    assert api.get(TREND, {"metric": "brigade.patrols"}).status_code == 403
    assert api.post(RECOMPUTE, {}, format="json").status_code == 403
    status_url = reverse("dashboard-api:recompute-status", kwargs={"pk": run.pk})
    assert api.get(status_url).status_code == 403
    assert KpiRun.objects.count() == 1


def test_anonymous_gets_401(api):
    assert api.get(KPIS).status_code == 401
    assert api.get(TREND, {"metric": "brigade.patrols"}).status_code == 401
    assert api.post(RECOMPUTE, {}, format="json").status_code == 401


# --- queries ------------------------------------------------------------------------------


def _brigade(units: int) -> None:
    """``units`` squadrons, each with patrols in 2022-W23 and W24, and training."""
    for n in range(units):
        u = UnitFactory(code=f"q{units}-{n}", name=f"中队{units}-{n}")
        patrol(u, local(2022, 6, 7), no_helmet=1)
        patrol(u, local(2022, 6, 14), speeding=2)
        session = TrainingSessionFactory(unit=u, held_on=dt.date(2022, 6, 14))
        AttendanceFactory(session=session)
    engine.recompute_all()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return ctx.captured_queries


def _rollup_queries(queries):
    return [q["sql"] for q in queries if "kpirollup" in q["sql"] or "kpipublished" in q["sql"]]


def test_kpis_queries_do_not_grow_with_units_and_a_repeat_is_served_from_the_cache(
    client, brigade_commander
):
    client.force_login(brigade_commander)
    url = f"{KPIS}?week=2022-W24"
    _brigade(2)
    two = _queries(client, url)
    _brigade(6)  # 8 units now; the recompute moves the cache version on
    eight = _queries(client, url)
    again = _queries(client, url)

    assert len(two) == len(eight)
    assert len(_rollup_queries(eight)) == 2  # the weeks' rollups, the published ones
    assert _rollup_queries(again) == []
    assert client.get(url).json()["metrics"]["brigade.patrols"]["value"] == 16


def test_the_default_week_costs_two_flow_queries_whatever_the_units(client, brigade_commander):
    client.force_login(brigade_commander)
    _brigade(2)
    two = _queries(client, KPIS)
    _brigade(6)
    eight = _queries(client, KPIS)

    assert len(two) == len(eight)
    # which tiles ever counted something; the latest week where half of them do
    assert len([q for q in eight if "brigade_kpiflow" in q["sql"]]) == 2
    assert client.get(KPIS).json()["week"] == "2022-W24"


def test_trend_is_one_query_whatever_the_units(client, brigade_commander):
    client.force_login(brigade_commander)
    url = f"{TREND}?metric=brigade.patrols&week=2022-W24"
    _brigade(2)
    two = _queries(client, url)
    _brigade(6)
    eight = _queries(client, url)

    assert len(two) == len(eight)
    assert len(_rollup_queries(eight)) == 1
    assert _rollup_queries(_queries(client, url)) == []


def test_a_cache_outage_still_answers(api_as, brigade_commander, records, monkeypatch):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("cache down")

            return fail

    monkeypatch.setattr("django.core.cache.cache", Down())

    response = api_as(brigade_commander).get(KPIS, {"week": "2022-W24"})

    assert response.status_code == 200
    assert response.json()["metrics"]["brigade.patrols"]["value"] == 5


def test_numbers_are_json_numbers(records):
    assert read.number(Decimal("967.0000")) == 967
    assert read.number(Decimal("0.457860")) == 0.4579
    assert read.number(Decimal("2249.683333")) == 2249.6833
    assert read.number(None) is None
