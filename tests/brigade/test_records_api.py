"""The records behind a figure (``/api/v1/dashboard/records/`` and ``/dashboard/records/``):
who may read them, scope (another unit's → 404), the windows a week's figure counts (year
to date from the week that spans New Year, cumulative, a period), the answers to bad input,
paging, and the page's own statements (how many, the sum, the empty state)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from brigade.core.kpi import engine
from brigade.core.kpi.weeks import current_week, week_key
from tests.brigade.factories import (
    AttendanceFactory,
    OfficerFactory,
    PatrolLogFactory,
    TrainingSessionFactory,
    ViolationTallyFactory,
)

pytestmark = pytest.mark.django_db

RECORDS = reverse("dashboard-api:records")
PAGE = reverse("dashboard_records")
KPIS = reverse("dashboard-api:kpis")
# the week after this one: a real week in the date window, with no records yet
NEXT_WEEK = week_key(current_week() + dt.timedelta(days=7))


def local(year, month, day, hour=8):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def patrol(unit, started_at, hours=2, **tallies):
    log = PatrolLogFactory(
        officer=OfficerFactory(unit=unit),
        started_at=started_at,
        ended_at=started_at + dt.timedelta(hours=hours),
    )
    for kind, count in tallies.items():
        ViolationTallyFactory(patrol=log, kind=kind, count=count)
    return log


@pytest.fixture
def records(unit, other_unit):
    """Patrols around New Year 2022 and in June, in two squadrons; a training session."""
    patrols = {
        "dec29": patrol(unit, local(2021, 12, 29), no_helmet=9),  # 2021-W52, but of 2021
        "jan1": patrol(unit, local(2022, 1, 1), hours=1.5, speeding=2),  # 2021-W52, of 2022
        "jun14": patrol(unit, local(2022, 6, 14), hours=1, speeding=4),
        "other": patrol(other_unit, local(2022, 6, 15), hours=4, no_helmet=5),
    }
    session = TrainingSessionFactory(unit=unit, held_on=dt.date(2022, 6, 14))
    AttendanceFactory(session=session, attended=True)
    AttendanceFactory(session=session, attended=False)
    engine.recompute_all()
    return patrols


def ask(api, **params):
    return api.get(RECORDS, params)


# --- who -----------------------------------------------------------------------------------


def test_officers_may_not_read_figures_records(api_as, client, officer, records):
    assert ask(api_as(officer), metric="brigade.patrols", week="2022-W24").status_code == 403
    client.force_login(officer)
    page = client.get(PAGE, {"metric": "brigade.patrols", "week": "2022-W24"})
    assert page.status_code == 403


def test_a_clerk_reads_their_units_figures_only(api_as, clerk, unit, other_unit, records):
    api = api_as(clerk)
    own = ask(api, metric="brigade.patrols", week="2022-W24").json()
    assert own["scope"]["unit"] == unit.pk and own["count"] == 2
    other = ask(api, metric="brigade.patrols", week="2022-W24", unit=other_unit.pk)
    assert other.status_code == 404


def test_anonymous_is_asked_to_sign_in(api, client, records):
    assert ask(api, metric="brigade.patrols", week="2022-W24").status_code == 401
    page = client.get(PAGE, {"metric": "brigade.patrols", "week": "2022-W24"})
    assert page.status_code == 302 and reverse("login") in page["Location"]


def test_a_squadron_commander_reads_their_unit_and_not_another(
    api_as, client, commander, unit, other_unit, records
):
    api = api_as(commander)
    own = ask(api, metric="brigade.patrols", week="2022-W24").json()
    assert own["scope"] == {"kind": "unit", "unit": unit.pk, "name": unit.name}
    assert own["count"] == 2  # 1 January and 14 June: not the other squadron's
    assert {row["id"] for row in own["results"]} == {records["jan1"].pk, records["jun14"].pk}
    other = ask(api, metric="brigade.patrols", week="2022-W24", unit=other_unit.pk)
    assert other.status_code == 404
    client.force_login(commander)
    page = client.get(
        PAGE, {"metric": "brigade.patrols", "week": "2022-W24", "unit": other_unit.pk}
    )
    assert page.status_code == 404


def test_the_brigade_commander_and_admin_read_the_brigade_and_any_unit(
    api_as, brigade_commander, admin_user, other_unit, records
):
    for user in (brigade_commander, admin_user):
        body = ask(api_as(user), metric="brigade.patrols", week="2022-W24").json()
        assert body["scope"]["kind"] == "brigade" and body["count"] == 3
        unit = ask(api_as(user), metric="brigade.patrols", week="2022-W24", unit=other_unit.pk)
        assert unit.json()["count"] == 1


# --- what ----------------------------------------------------------------------------------


def test_a_row_names_its_record_time_unit_amount_and_links(api_as, brigade_commander, records):
    body = ask(api_as(brigade_commander), metric="brigade.patrol_hours", week="2022-W24").json()
    assert body["is_sum"] is True
    assert body["count"] == 3 and body["total"] == 6.5  # 1.5 + 1 + 4
    first = body["results"][0]  # latest first
    jun15 = records["other"]
    assert first["id"] == jun15.pk
    assert first["amount"] == 4
    assert first["unit"] == jun15.unit_id and first["unit_name"] == jun15.unit.name
    assert first["url"] == reverse("brigade:patrollog_detail", args=[jun15.pk])
    assert first["api_url"] == reverse("brigade-api:patrol-detail", args=[jun15.pk])
    assert dt.datetime.fromisoformat(first["when"]) == jun15.started_at


def test_the_week_spanning_new_year_counts_only_the_new_years_events(
    api_as, brigade_commander, records
):
    api = api_as(brigade_commander)
    figure = api.get(KPIS, {"week": "2021-W52"}).json()["metrics"]["brigade.violations_corrected"]
    body = ask(api, metric="brigade.violations_corrected", week="2021-W52").json()
    assert figure["numerator"] == body["total"] == 2  # 29 December's 9 are 2021's
    assert body["count"] == 1


def test_a_rates_denominator_lists_its_own_records(api_as, brigade_commander, records):
    api = api_as(brigade_commander)
    key = "brigade.training_attendance_rate"
    figure = api.get(KPIS, {"week": "2022-W24"}).json()["metrics"][key]
    assert (figure["numerator"], figure["denominator"]) == (1, 2)
    assert api.get(figure["records_api"]).json()["count"] == 1
    assert api.get(figure["denominator_records_api"]).json()["count"] == 2


def test_a_period_lists_what_the_report_counts(api_as, brigade_commander, records):
    api = api_as(brigade_commander)
    body = ask(api, metric="brigade.patrols", **{"from": "2021-12-29", "to": "2022-01-01"}).json()
    assert body["count"] == 2 and body["from"] == "2021-12-29"
    assert "week" not in body


# --- bad input -----------------------------------------------------------------------------


TREND = reverse("dashboard-api:trend")


@pytest.mark.parametrize(
    ("metric", "unit_scope"),
    [
        ("brigade.patrol_hours", False),
        ("brigade.training_attendance_rate", False),
        ("brigade.violations.speeding", True),
    ],
)
def test_each_trend_point_lists_the_records_it_counts(
    api_as, brigade_commander, unit, records, metric, unit_scope
):
    api = api_as(brigade_commander)
    scope = {"unit": unit.pk} if unit_scope else {}
    points = api.get(TREND, {"metric": metric, "week": "2022-W26", **scope}).json()["points"]
    assert len(points) == 26 and any(point["numerator"] for point in points)
    for point in points:
        body = api.get(point["records_api"]).json()
        listed = body["total"] if body["is_sum"] else body["count"]
        assert listed == point["numerator"], (point["week"], body, point)
        if point["denominator"] is not None:
            below = api.get(point["denominator_records_api"]).json()
            assert below["count"] == point["denominator"], point
        else:
            assert point["denominator_records_api"] is None


def test_a_trend_point_before_the_date_window_links_nowhere(api_as, brigade_commander, records):
    points = (
        api_as(brigade_commander)
        .get(TREND, {"metric": "brigade.patrols", "week": "2000-W05"})
        .json()["points"]
    )
    assert [p["records_api"] for p in points[:4]] == [None] * 4  # 1999-W37 .. 1999-W40
    assert points[-1]["records_api"].endswith("week=2000-W05")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "metric"),
        ({"metric": "no.such"}, "metric"),
        ({"metric": "brigade.patrols", "side": "d"}, "side"),
        ({"metric": "brigade.patrols", "side": "x"}, "side"),
        ({"metric": "brigade.patrols", "week": "2022-W60"}, "week"),
        ({"metric": "brigade.patrols", "week": "9999-W52"}, "week"),
        ({"metric": "brigade.patrols", "week": "0001-W01"}, "week"),
        ({"metric": "brigade.patrols", "from": "0001-01-01", "to": "0001-01-02"}, "from"),
        ({"metric": "brigade.patrols", "from": "9999-12-30", "to": "9999-12-31"}, "to"),
        ({"metric": "brigade.patrols", "from": "2022-01-01"}, "to"),
        ({"metric": "brigade.patrols", "from": "2022-02-01", "to": "2022-01-01"}, "to"),
        (
            {
                "metric": "brigade.patrols",
                "week": "2022-W01",
                "from": "2022-01-01",
                "to": "2022-01-02",
            },
            "week",
        ),
        ({"metric": "brigade.patrols", "page_size": "1.0"}, "page_size"),
        ({"metric": "brigade.patrols\x00"}, "metric"),
        ({"metric": "brigade.patrols", "figure": "training.drill"}, "metric"),
        ({"figure": "no.such", "from": "2022-01-01", "to": "2022-01-02"}, "figure"),
        ({"figure": "training.drill", "week": "2022-W01"}, "from"),
        (
            {"figure": "petitions.received", "side": "d", "from": "2022-01-01", "to": "2022-01-02"},
            "side",
        ),
        ({"list": "no.such"}, "list"),
        ({"list": "petitions.weekly.overdue", "from": "2022-01-01", "to": "2022-01-02"}, "from"),
        ({"list": "petitions.weekly.overdue", "part": "x1"}, "part"),
        ({"metric": "brigade.patrols", "part": "1"}, "part"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_as, brigade_commander, params, field):
    response = ask(api_as(brigade_commander), **params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "2099-W10", NEXT_WEEK])
def test_a_real_week_outside_the_window_is_named_as_such(api_as, brigade_commander, week):
    response = ask(api_as(brigade_commander), metric="brigade.patrols", week=week)
    assert response.status_code == 400
    # the weeks it accepts (not "enter an ISO week" for a week that is one), filled in
    assert response.json()["week"] == ["请输入1999-W52至本周之间的一周。"]


def test_the_page_states_bad_input(client, brigade_commander):
    client.force_login(brigade_commander)
    response = client.get(PAGE, {"metric": "no.such"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert 'data-testid="records-errors"' in response.text


def test_pages_follow_on_and_a_page_past_the_end_is_404(api_as, brigade_commander, records):
    api = api_as(brigade_commander)
    first = ask(api, metric="brigade.patrols", week="2022-W24", page_size=2).json()
    assert len(first["results"]) == 2 and first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]
    ids = {row["id"] for row in first["results"] + second["results"]}
    assert len(ids) == 3
    assert (
        ask(api, metric="brigade.patrols", week="2022-W24", page=3, page_size=2).status_code == 404
    )


# --- the page ------------------------------------------------------------------------------


def test_the_page_says_how_many_and_the_sum_and_links_each_record(
    client, brigade_commander, records
):
    client.force_login(brigade_commander)
    response = client.get(
        PAGE, {"metric": "brigade.patrol_hours", "week": "2022-W24"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert 'data-count="3"' in response.text and "3 records" in response.text
    assert "Sum: 6.5" in response.text
    for log in ("jan1", "jun14", "other"):
        assert reverse("brigade:patrollog_detail", args=[records[log].pk]) in response.text
    assert reverse("brigade:patrollog_detail", args=[records["dec29"].pk]) not in response.text


def test_the_page_of_a_figure_with_no_records_says_so(client, brigade_commander, records):
    client.force_login(brigade_commander)
    response = client.get(PAGE, {"metric": "brigade.patrols", "week": "2020-W10"})
    assert response.status_code == 200
    assert 'data-count="0"' in response.text and 'data-testid="empty-state"' in response.text


def _queries(client, params):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("metric", ["brigade.patrols", "brigade.training_attendance_rate"])
def test_the_page_reads_a_fixed_number_of_queries(client, brigade_commander, unit, metric):
    client.force_login(brigade_commander)
    params = {"metric": metric, "week": "2022-W24"}
    patrol(unit, local(2022, 6, 13), speeding=1)
    AttendanceFactory(session=TrainingSessionFactory(unit=unit, held_on=dt.date(2022, 6, 13)))
    _queries(client, params)  # warm: the session and roles
    few = _queries(client, params)
    for day in range(1, 9):
        patrol(unit, local(2022, 6, day), speeding=1)
        AttendanceFactory(
            session=TrainingSessionFactory(unit=unit, held_on=dt.date(2022, 6, day)), attended=True
        )
    assert _queries(client, params) == few
