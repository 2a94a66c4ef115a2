"""The period report on the demo brigade (``manage.py seed_demo``): every figure of
seed/FIGURES.md, each asked with the dates the half-year report gives it; the same numbers
whether the weekly flows or the records are read; the dashboard's figures for a week; the
lists behind the figures."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from brigade.core.dates import local_tz
from brigade.core.kpi.models import KpiRollup
from brigade.core.kpi.read import FigureScope
from brigade.core.kpi.registry import registry
from brigade.core.kpi.weeks import parse_week
from brigade.core.report.compute import Need, compute
from brigade.core.report.figures import FIGURES, ROWS_WITH_A_FIGURE, M
from brigade.core.report.period import Period
from brigade.core.report.report import build_report
from brigade.duty.models import Unit

pytestmark = pytest.mark.django_db

REPORT = reverse("dashboard-api:report")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

H1 = ("2022-01-01", "2022-06-30")  # "今年以来": the half year the report covers
JUNE_13 = ("2022-01-01", "2022-06-13")  # "截至6月13日"
END_OF_MAY = ("2022-01-01", "2022-05-31")  # "截止5月底"
JUNE_14 = ("2022-01-01", "2022-06-14")  # "截止6月14日"
ALL = "all"  # a rate whose numerator equals its denominator, of at least one
# the black spots' section after the six areas: no row of FIGURES.md
BLACK_SPOT_FIGURES = [
    "incidents.black_spots_found",
    "incidents.black_spots_investigated",
    "incidents.black_spots_treated",
    "incidents.black_spot_accidents_after",
]

# FIGURES.md, row by row: the dates the report names for the row, and each figure the
# report must give for them: a count or sum, (numerator, denominator) of a rate, or ALL.
EXPECTED: dict[int, tuple[tuple[str, str], dict[str, Any]]] = {
    1: (H1, {"training.study": 8}),
    2: (H1, {"training.lecture": 2}),
    3: (H1, {"training.education": 4}),
    4: (H1, {"training.drill": 6, "training.drill_participants": 150}),
    5: (H1, {"training.motorcycle_trainees": 18, "training.motorcycle_passed": (18, 18)}),
    6: (
        JUNE_13,
        {"hazards.found": 13, "hazards.verified": 13, "hazards.rectification_rate": (13, 13)},
    ),
    7: (H1, {"hazards.key_vehicle_clearance_rate": ALL}),
    8: (
        H1,
        {
            "hazards.facility_works.signal": 15,
            "hazards.facility_works.sign_pole": 18,
            "hazards.facility_works.school_front": 6,
            "hazards.facility_works.parking_bay": 260,
        },
    ),
    9: (H1, {"incidents.hit_and_run_solve_rate": ALL}),
    11: (END_OF_MAY, {"incidents.fund_advanced_cny": Decimal("558717.00")}),
    12: (H1, {"petitions.received": 1620}),
    13: (H1, {"petitions.consultations": 592}),
    14: (
        H1,
        {
            "petitions.closure_rate": (1620, 1620),
            "petitions.feedback_rate": (1620, 1620),
            "petitions.satisfaction_rate": ALL,
        },
    ),
    15: (H1, {"petitions.proposals_answered": 5, "petitions.proposals_answered_in_person": 5}),
    16: (H1, {"outreach.banners": 15}),
    17: (H1, {"outreach.assistance": 40}),  # "近40起": about 40
    18: (H1, {"outreach.love_stations": 5}),
    19: (
        JUNE_14,
        {
            "outreach.events.enterprise": 6,
            "outreach.events.school": 10,
            "outreach.events.community": 8,
            "outreach.events.key_date": 7,
        },
    ),
    20: (JUNE_14, {"outreach.consultations": 1500, "outreach.people_educated": 15000}),
    22: (H1, {"brigade.road_works": 4}),
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo brigade, seeded once for the module inside a transaction rolled back at
    its end, so the rest of the suite never sees it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, DEMO_PASSWORD="demo-pass-1"),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        try:
            yield
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def commander_api(seeded) -> APIClient:
    """The demo's brigade commander (at headquarters: every unit), through the API."""
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username="commander"))
    return client


def ask(client: APIClient, dates: tuple[str, str], **extra: Any) -> dict[str, Any]:
    response = client.get(REPORT, {"from": dates[0], "to": dates[1], **extra})
    assert response.status_code == 200, response.content
    return {figure["key"]: figure for figure in response.json()["figures"]}


# --- FIGURES.md, row by row -----------------------------------------------------------------


def _rows_stating_a_figure() -> set[int]:
    """The rows of FIGURES.md whose figure column holds a figure: read from the file where
    the shared seed sits beside the project, else the rows the report knows."""
    path = Path(settings.BASE_DIR).parent / "shared" / "seed" / "FIGURES.md"
    if not path.exists():
        return set(ROWS_WITH_A_FIGURE)
    rows = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and re.fullmatch(r"\d+", cells[0]) and cells[3] != "(no figure)":
            rows.add(int(cells[0]))
    return rows


def test_every_row_that_states_a_figure_is_checked_below():
    assert _rows_stating_a_figure() == set(ROWS_WITH_A_FIGURE) == set(EXPECTED)
    # and the report has figures for every row of FIGURES.md, those without one too
    assert {figure.row for figure in FIGURES if figure.row is not None} == set(range(1, 24))
    # the other figures are the sections apps add after the six areas, with no row
    assert [(f.key, f.area) for f in FIGURES if f.row is None] == [
        (key, "black_spots") for key in BLACK_SPOT_FIGURES
    ]
    assert [f.row for f in FIGURES[: -len(BLACK_SPOT_FIGURES)]] == sorted(
        f.row for f in FIGURES if f.row is not None
    )


@pytest.mark.parametrize("row", sorted(EXPECTED))
def test_report_reproduces_figures_md(commander_api, row):
    dates, figures = EXPECTED[row]
    got = ask(commander_api, dates)
    for key, want in figures.items():
        figure = got[key]
        assert figure["row"] == row, key
        if want == ALL:
            assert figure["denominator"] >= 1, key
            assert figure["numerator"] == figure["denominator"], key
            assert figure["value"] == 1, key
        elif isinstance(want, tuple):
            assert (figure["numerator"], figure["denominator"]) == want, key
            assert figure["value"] == 1, key  # every rate the report states is 100%
        else:
            assert figure["denominator"] is None, key
            assert Decimal(str(figure["value"])) == want, key


def test_row_22_names_the_four_roads_under_works(commander_api):
    response = commander_api.get(REPORT, {"from": H1[0], "to": H1[1]})
    assert set(response.json()["roads"]) == {"花园路", "东昌东路", "建设东路", "兴华路大桥"}


def test_figures_asked_for_other_dates_say_other_things(commander_api):
    """The report's own dates matter: the half year has more hazards than 13 June, more
    money than the end of May, a last community visit after 13 June."""
    half_year = ask(commander_api, H1)
    assert half_year["hazards.found"]["value"] == 15  # two found late in June, still open
    assert half_year["hazards.rectification_rate"]["numerator"] == 13
    assert half_year["incidents.fund_advanced_cny"]["value"] > 558717
    june_13 = ask(commander_api, JUNE_13)
    assert june_13["outreach.events.community"]["value"] == 7


# --- the same numbers, however they are read -------------------------------------------------


def _numbers(report: Any) -> dict[str, tuple[Decimal, Decimal | None]]:
    """Every figure's numbers, exactly: the days read from the records are summed by week,
    cohort year and unit at four decimals, as the weekly flows keep them (patrol hours
    included, whose hours have many more; SQLite keeps the floats, hence the rounding)."""
    return {fv.figure.key: (_places(fv.numerator), fv.denominator) for fv in report.figures}


def _places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert set(a) == set(b)
    for key in a:
        assert a[key] == b[key], (key, a[key], b[key])


PERIODS = [
    ("2022-01-01", "2022-06-30"),  # from 1 January: cohorts read from the flows too
    ("2022-03-03", "2022-05-17"),  # mid-week to mid-week, cohorts from the records
    ("2022-02-07", "2022-06-19"),  # whole weeks only
    ("2022-06-15", "2022-06-16"),  # no whole week at all
    ("2021-12-20", "2022-01-09"),  # across the new year
    ("2022-01-01", "2022-12-31"),  # a calendar year: both its edge weeks split by a new year
]


@pytest.mark.parametrize("dates", PERIODS)
@pytest.mark.parametrize("unit_code", [None, "sq2"])
def test_weekly_flows_and_records_give_the_same_report(seeded, dates, unit_code):
    unit_id = Unit.objects.get(code=unit_code).pk if unit_code else None
    period = Period(dt.date.fromisoformat(dates[0]), dt.date.fromisoformat(dates[1]))
    scope = FigureScope(unit_id=unit_id, name="-")
    from_flows = build_report(period, scope)
    from_records = build_report(period, scope, use_flows=False)
    _same(_numbers(from_flows), _numbers(from_records))


def test_the_half_year_reads_the_weekly_flows(seeded):
    half_year = Period(dt.date(2022, 1, 1), dt.date(2022, 6, 30))
    assert compute(half_year, None).flows_used
    assert not compute(half_year, None, use_flows=False).flows_used


# --- the dashboard's figures ------------------------------------------------------------------


def _metric_figures() -> list[tuple[str, Need, M, M | None]]:
    """(report key, need, numerator ref, denominator ref) of every metric-backed figure."""
    out = []
    for figure in FIGURES:
        if isinstance(figure.numerator, M):
            denominator = figure.denominator if isinstance(figure.denominator, M) else None
            need = Need(registry.owner(figure.numerator.key), figure.numerator.side)
            out.append((figure.key, need, figure.numerator, denominator))
    return out


def _rollups(week: str, scope: str) -> dict[str, KpiRollup]:
    return {
        row.metric: row
        for row in KpiRollup.objects.filter(week=parse_week(week), scope=scope).only(
            "metric", "numerator", "denominator"
        )
    }


@pytest.mark.parametrize("week", ["2022-W10", "2022-W24", "2022-W26"])
@pytest.mark.parametrize("unit_code", [None, "sq1", "sq3"])
def test_report_to_a_weeks_end_equals_the_dashboards_year_to_date(seeded, week, unit_code):
    """From 1 January to a week's Sunday the report says what the dashboard says for that
    week (year to date as of its end), figure by figure."""
    unit_id = Unit.objects.get(code=unit_code).pk if unit_code else None
    monday = parse_week(week)
    report = build_report(
        Period(dt.date(2022, 1, 1), monday + dt.timedelta(days=6)), FigureScope(unit_id, "-")
    )
    rollups = _rollups(week, str(unit_id) if unit_id else "brigade")
    checked = 0
    for key, need, numerator, denominator in _metric_figures():
        fv = report.get(key)
        rollup = rollups.get(numerator.key) or rollups.get(need.metric.key)
        if numerator.side == "d" or rollup is None:
            # no rollup: the dashboard counts nothing for this scope yet
            assert rollup is not None or not fv.numerator, key
            continue
        if key == "brigade.patrol_hours":
            assert abs(fv.numerator - rollup.numerator) < Decimal("0.01"), key
        else:
            assert fv.numerator == rollup.numerator, key
        if denominator is not None:
            assert fv.denominator == rollup.denominator, key
        checked += 1
    assert checked >= 30


@pytest.mark.parametrize("week", ["2022-W10", "2022-W24"])
def test_one_weeks_report_equals_the_dashboards_change_over_that_week(seeded, week):
    """For counts and sums without a cohort, Monday to Sunday of a week is the dashboard's
    year-to-date figure of that week less the week before's."""
    monday = parse_week(week)
    report = build_report(Period(monday, monday + dt.timedelta(days=6)), FigureScope(None, "-"))
    now = _rollups(week, "brigade")
    before = {
        row.metric: row
        for row in KpiRollup.objects.filter(week=monday - dt.timedelta(days=7), scope="brigade")
    }
    checked = 0
    for key, need, numerator, denominator in _metric_figures():
        if denominator is not None or need.has_cohort or need.cumulative:
            continue
        fv = report.get(key)
        this = now.get(numerator.key)
        last = before.get(numerator.key)
        moved = (this.numerator if this else 0) - (last.numerator if last else 0)
        if key == "brigade.patrol_hours":
            assert abs(fv.numerator - moved) < Decimal("0.01"), key
        else:
            assert fv.numerator == moved, key
        checked += 1
    assert checked >= 20


# --- the records behind the figures -------------------------------------------------------------

LISTED = [
    "training.study",
    "training.drill",
    "hazards.found",
    "petitions.received",
    "petitions.consultations",
    "outreach.banners",
    "outreach.assistance",
    "outreach.assistance.exam_escort",
    "outreach.events.school",
    "outreach.events",
    "incidents.quick_settlements",
    "brigade.patrols",
]


@pytest.mark.parametrize("unit_code", [None, "sq2"])
def test_each_figures_link_lists_the_records_it_counts(seeded, client, unit_code):
    client.force_login(get_user_model().objects.get(username="commander"))
    extra = {"unit": Unit.objects.get(code=unit_code).pk} if unit_code else {}
    figures = ask_api_as(client, H1, **extra)
    for key in LISTED:
        figure = figures[key]
        page = client.get(figure["records_url"])
        assert page.status_code == 200, key
        assert listed(page) == figure["numerator"], key


def listed(page: Any) -> int:
    """How many records a list page says it has (all pages)."""
    paginator = page.context.get("paginator")
    if paginator is not None:
        return int(paginator.count)
    return len(page.context["object_list"])


def ask_api_as(client: Any, dates: tuple[str, str], **extra: Any) -> dict[str, Any]:
    response = client.get(REPORT, {"from": dates[0], "to": dates[1], **extra})
    assert response.status_code == 200
    return {figure["key"]: figure for figure in response.json()["figures"]}


# --- the black spots: the nightly recompute replayed over the half year ----------------------


def test_the_half_year_counts_the_black_spots_identified_then(commander_api):
    from incidents.models import BlackSpot

    figures = ask(commander_api, H1)
    found = figures["incidents.black_spots_found"]
    start = dt.datetime(2022, 1, 1, tzinfo=local_tz())
    in_half_year = BlackSpot.objects.filter(
        created_at__gte=start, created_at__lt=start.replace(month=7)
    )

    assert found["numerator"] > 0
    assert found["numerator"] == in_half_year.count()
    listed = commander_api.get(found["records_api"]).json()
    assert listed["count"] == found["numerator"]
    assert {row["id"] for row in listed["results"]} == set(
        in_half_year.values_list("pk", flat=True)
    )
    # no hazard was opened from a demo spot: none investigated, none treated
    assert figures["incidents.black_spots_investigated"]["numerator"] == 0
    assert figures["incidents.black_spots_treated"]["numerator"] == 0


def test_each_black_spot_is_dated_by_the_replayed_night_it_was_found_on(seeded):
    from incidents.demo import replay_nights
    from incidents.models import BlackSpot

    nights = {night for _day, night in replay_nights()}
    created = set(BlackSpot.objects.values_list("created_at", flat=True))
    assert created and created <= nights
    assert len(created) > 1  # found on several nights, not all at once
