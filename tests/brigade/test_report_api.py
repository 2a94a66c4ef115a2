"""``GET /api/v1/dashboard/report/``: the figures of a period against the records they
count, what a period means for a rate, scopes and roles, bad input, the weekly flows and
the changes made since they were computed, query counts, and the OpenAPI description."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiDirty
from brigade.core.kpi.read import FigureScope
from brigade.core.report.figures import FIGURES
from brigade.core.report.period import MAX_DAYS, Period
from brigade.core.report.report import build_report
from brigade.duty.choices import AssessmentResult, TrainingKind
from hazards.choices import FacilityKind, HazardStatus
from incidents.choices import HandlingMode, Severity
from outreach.choices import CommendationKind, VenueKind
from petitions.choices import CallbackResult, TicketStatus
from petitions.models import TicketCallback
from tests.brigade.factories import (
    AttendanceFactory,
    OfficerFactory,
    PatrolLogFactory,
    RoadWorksZoneFactory,
    TrainingSessionFactory,
    ViolationTallyFactory,
)
from tests.hazards.factories import FacilityWorkFactory, HazardFactory, KeyVehicleFactory
from tests.incidents.factories import AccidentFactory, RecoveryFactory, paid_advance
from tests.outreach.factories import (
    CommendationFactory,
    LoveStationFactory,
    PublicityEventFactory,
)
from tests.petitions.factories import ConsultationFactory, TicketFactory

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

REPORT = reverse("dashboard-api:report")
Q1 = {"from": "2022-01-01", "to": "2022-03-31"}


def at(month: int, day: int, hour: int = 10, year: int = 2022) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def figures(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.content
    return {figure["key"]: figure for figure in response.json()["figures"]}


def closed_ticket(unit, received, replied, closed, result=CallbackResult.SATISFIED):
    ticket = TicketFactory(
        unit=unit,
        received_at=received,
        replied_at=replied,
        closed_at=closed,
        status=TicketStatus.CLOSED,
    )
    TicketCallback.objects.create(
        ticket=ticket, unit=unit, round=1, result=result, at=closed + dt.timedelta(hours=30)
    )
    return ticket


@pytest.fixture
def records(unit, other_unit):
    """A first quarter of 2022 in two squadrons, with records on both sides of its edges."""
    # hazards: one found and verified in the quarter, one still open, one rejected (not a
    # hazard), one of the other squadron, one found in April
    HazardFactory(
        unit=unit,
        found_at=at(1, 10),
        status=HazardStatus.VERIFIED,
        verified_at=at(2, 2),
        closed_at=at(2, 2),
    )
    HazardFactory(unit=unit, found_at=at(3, 15))
    HazardFactory(unit=unit, found_at=at(3, 16), status=HazardStatus.REJECTED, closed_at=at(3, 17))
    HazardFactory(
        unit=other_unit,
        found_at=at(3, 20),
        status=HazardStatus.VERIFIED,
        verified_at=at(3, 25),
        closed_at=at(3, 25),
    )
    HazardFactory(unit=unit, found_at=at(4, 2))
    KeyVehicleFactory(unit=unit, flagged_at=at(1, 5), status="cleared", cleared_at=at(2, 1))
    KeyVehicleFactory(unit=unit, flagged_at=at(2, 5))
    FacilityWorkFactory(
        unit=unit, kind=FacilityKind.PARKING_BAY, quantity=80, done_on=dt.date(2022, 3, 16)
    )
    FacilityWorkFactory(
        unit=other_unit, kind=FacilityKind.SIGNAL, quantity=4, done_on=dt.date(2022, 3, 31)
    )
    FacilityWorkFactory(
        unit=unit, kind=FacilityKind.SIGNAL, quantity=9, done_on=dt.date(2022, 4, 1)
    )
    # accidents: a hit-and-run solved, one not, a quick settlement, a property-only one
    AccidentFactory(
        unit=unit,
        occurred_at=at(2, 1),
        hit_and_run=True,
        severity=Severity.INJURY,
        solved_at=at(2, 20),
    )
    AccidentFactory(
        unit=other_unit, occurred_at=at(3, 1), hit_and_run=True, severity=Severity.INJURY
    )
    AccidentFactory(unit=unit, occurred_at=at(3, 3), handling_mode=HandlingMode.QUICK)
    AccidentFactory(unit=unit, occurred_at=at(3, 4))
    advance = paid_advance("1234.56", paid_at=at(3, 10), accident__unit=unit)
    RecoveryFactory(advance=advance, amount=Decimal("100.00"), received_on=dt.date(2022, 3, 30))
    paid_advance("5000.00", paid_at=at(4, 1), accident__unit=unit)
    # the public's voice: three tickets of the quarter (two closed), one of April
    closed_ticket(unit, at(3, 1), at(3, 2), at(3, 3))
    closed_ticket(other_unit, at(3, 5), at(3, 8), at(3, 10), result=CallbackResult.DISSATISFIED)
    TicketFactory(unit=unit, received_at=at(3, 30))
    TicketFactory(unit=unit, received_at=at(4, 3))
    ConsultationFactory(unit=unit, at=at(2, 14))
    ConsultationFactory(unit=other_unit, at=at(3, 31, 23))
    # outreach
    PublicityEventFactory(unit=unit, held_on=dt.date(2022, 3, 10), audience=120, consultations=12)
    PublicityEventFactory(
        unit=other_unit,
        held_on=dt.date(2022, 1, 1),
        venue_kind=VenueKind.KEY_DATE,
        audience=600,
        consultations=40,
    )
    officer = OfficerFactory(unit=unit)
    CommendationFactory(officer=officer, received_on=dt.date(2022, 2, 1))
    CommendationFactory(
        officer=officer, received_on=dt.date(2022, 3, 1), kind=CommendationKind.LETTER
    )
    LoveStationFactory(unit=unit, opened_on=dt.date(2021, 12, 1))
    LoveStationFactory(unit=unit, opened_on=dt.date(2022, 2, 1), is_active=False)
    LoveStationFactory(unit=other_unit, opened_on=dt.date(2022, 5, 1))
    # training, patrols, road works
    TrainingSessionFactory(unit=unit, kind=TrainingKind.STUDY, held_on=dt.date(2022, 3, 1))
    course = TrainingSessionFactory(
        unit=unit, kind=TrainingKind.MOTORCYCLE, held_on=dt.date(2022, 3, 8)
    )
    AttendanceFactory(session=course, result=AssessmentResult.PASSED)
    AttendanceFactory(session=course, result=AssessmentResult.FAILED)
    AttendanceFactory(session=course, attended=False)
    patrol = PatrolLogFactory(officer=officer, started_at=at(3, 2, 8), ended_at=at(3, 2, 11))
    ViolationTallyFactory(patrol=patrol, kind="no_helmet", count=7)
    ViolationTallyFactory(patrol=patrol, kind="red_light", count=2)
    RoadWorksZoneFactory(unit=unit, road="花园路", starts_on=dt.date(2022, 3, 15), ends_on=None)
    RoadWorksZoneFactory(unit=other_unit, road="兴华路大桥", starts_on=dt.date(2022, 4, 6))
    return unit, other_unit


# --- the figures, against the records ---------------------------------------------------------


def test_the_quarter_of_the_whole_brigade(api_as, brigade_commander, records):
    got = figures(api_as(brigade_commander).get(REPORT, Q1))
    expect = {
        "training.study": (1, None),
        "training.motorcycle_trainees": (2, None),
        "training.motorcycle_passed": (1, 2),
        "hazards.found": (3, None),  # the rejected one is no hazard, April's is later
        "hazards.verified": (2, None),
        "hazards.rectification_rate": (2, 3),
        "hazards.key_vehicle_clearance_rate": (1, 2),
        "hazards.facility_works.parking_bay": (80, None),
        "hazards.facility_works.signal": (4, None),
        "incidents.hit_and_run_solve_rate": (1, 2),
        "incidents.quick_settlements": (1, None),
        "incidents.quick_settlement_share": (1, 2),
        "incidents.fund_advanced_cny": (1234.56, None),
        "incidents.fund_recovered_cny": (100, None),
        "petitions.received": (3, None),
        "petitions.closure_rate": (2, 3),
        "petitions.feedback_rate": (2, 3),
        "petitions.satisfaction_rate": (1, 2),
        "petitions.consultations": (2, None),
        "outreach.banners": (1, None),
        "outreach.love_stations": (1, None),  # one closed, one opened later
        "outreach.events.school": (1, None),
        "outreach.events.key_date": (1, None),
        "outreach.people_educated": (720, None),
        "outreach.consultations": (52, None),
        "brigade.patrols": (1, None),
        "brigade.patrol_hours": (3, None),
        "brigade.violations_corrected": (9, None),
        "brigade.violations.no_helmet": (7, None),
        "brigade.road_works": (1, None),  # 兴华路大桥's works start in April
    }
    assert {key: (got[key]["numerator"], got[key]["denominator"]) for key in expect} == expect
    assert got["hazards.rectification_rate"]["value"] == pytest.approx(0.6667)
    assert got["incidents.fund_advanced_cny"]["value"] == 1234.56


def test_a_squadron_commander_reads_their_own_squadron(api_as, commander, records):
    response = api_as(commander).get(REPORT, Q1)
    got = figures(response)
    assert response.json()["scope"] == {"kind": "unit", "unit": records[0].pk, "name": "一中队"}
    assert got["hazards.found"]["numerator"] == 2
    assert got["petitions.received"]["numerator"] == 2
    assert (
        got["petitions.satisfaction_rate"]["numerator"],
        got["petitions.satisfaction_rate"]["denominator"],
    ) == (1, 1)
    assert got["outreach.events.key_date"]["numerator"] == 0
    assert got["hazards.found"]["records_url"].endswith(f"unit={records[0].pk}")
    listed = api_as(commander).get(got["hazards.found"]["records_api"]).json()
    assert listed["count"] == got["hazards.found"]["numerator"] == 2


def test_a_rate_counts_the_records_of_its_period(api_as, brigade_commander, unit):
    """Found on 10 January, verified on 2 February: January has one hazard found and none
    verified; February none found (so none verified of those found); both months 1 / 1."""
    HazardFactory(
        unit=unit,
        found_at=at(1, 10),
        status=HazardStatus.VERIFIED,
        verified_at=at(2, 2),
        closed_at=at(2, 2),
    )
    client = api_as(brigade_commander)

    def rate(first: str, last: str) -> tuple[int, int]:
        got = figures(client.get(REPORT, {"from": first, "to": last}))["hazards.rectification_rate"]
        return got["numerator"], got["denominator"]

    assert rate("2022-01-01", "2022-01-31") == (0, 1)
    assert rate("2022-02-01", "2022-02-28") == (0, 0)
    assert rate("2022-01-01", "2022-02-28") == (1, 1)
    assert rate("2022-01-05", "2022-02-02") == (1, 1)
    assert (
        figures(client.get(REPORT, {"from": "2022-02-01", "to": "2022-02-28"}))[
            "hazards.rectification_rate"
        ]["value"]
        is None
    )  # nothing found: no rate, not 0%


def test_love_stations_are_those_in_service_at_the_periods_end(api_as, brigade_commander, unit):
    LoveStationFactory(unit=unit, opened_on=dt.date(2021, 6, 1))
    LoveStationFactory(unit=unit, opened_on=dt.date(2022, 6, 20))
    client = api_as(brigade_commander)
    june = figures(client.get(REPORT, {"from": "2022-06-01", "to": "2022-06-19"}))
    assert june["outreach.love_stations"]["numerator"] == 1
    july = figures(client.get(REPORT, {"from": "2022-07-01", "to": "2022-07-31"}))
    assert july["outreach.love_stations"]["numerator"] == 2


def test_every_figure_is_in_the_answer_in_order_with_its_row(api_as, admin_user, records):
    response = api_as(admin_user).get(REPORT, {**Q1, "unit": records[1].pk})
    body = response.json()
    assert body["from"] == "2022-01-01" and body["to"] == "2022-03-31"
    assert [f["key"] for f in body["figures"]] == [f.key for f in FIGURES]
    rows = [f["row"] for f in body["figures"]]
    # FIGURES.md's rows 1-23 in order, then the black spots' section (no row)
    assert rows[:-4] == sorted(rows[:-4]) and set(rows[:-4]) == set(range(1, 24))
    assert [(f["row"], f["area"]) for f in body["figures"][-4:]] == [(None, "black_spots")] * 4
    rate = next(f for f in body["figures"] if f["key"] == "petitions.closure_rate")
    assert rate["is_rate"] and rate["unit"] == ""
    count = next(f for f in body["figures"] if f["key"] == "petitions.received")
    assert not count["is_rate"] and count["denominator"] is None and count["unit"]
    query = f"figure=petitions.received&side=n&from=2022-01-01&to=2022-03-31&unit={records[1].pk}"
    assert count["records_url"] == f"/dashboard/records/?{query}"
    assert count["records_api"] == f"/api/v1/dashboard/records/?{query}"
    assert count["denominator_records_api"] is None
    assert rate["denominator_records_api"].startswith("/api/v1/dashboard/records/?figure=")


# --- the engine's weekly flows and the changes since --------------------------------------------


def test_changes_since_the_last_recompute_are_counted(api_as, brigade_commander, records):
    # given: the engine has counted the quarter's weeks
    engine.recompute_all()
    assert not KpiDirty.objects.exists()
    client = api_as(brigade_commander)
    before = figures(client.get(REPORT, Q1))
    # when: a ticket of a whole week of the quarter, and one of an edge day, are added
    # (the engine's change tracking marks their weeks; no recompute has run)
    unit = records[0]
    TicketFactory(unit=unit, received_at=at(2, 16))
    TicketFactory(unit=unit, received_at=at(1, 1))
    assert KpiDirty.objects.exists()
    after = figures(client.get(REPORT, Q1))
    # then: both count, as the records say
    assert after["petitions.received"]["numerator"] == before["petitions.received"]["numerator"] + 2
    period = Period(dt.date(2022, 1, 1), dt.date(2022, 3, 31))
    from_records = build_report(period, FigureScope(None, "-"), use_flows=False)
    assert (
        after["petitions.received"]["numerator"] == from_records.get("petitions.received").numerator
    )


def test_the_flows_and_the_records_agree_after_a_recompute(records):
    engine.recompute_all()
    for first, last in [("2022-01-01", "2022-03-31"), ("2022-01-12", "2022-03-20")]:
        period = Period(dt.date.fromisoformat(first), dt.date.fromisoformat(last))
        for unit_id in (None, records[0].pk):
            flows = build_report(period, FigureScope(unit_id, "-"))
            counted = build_report(period, FigureScope(unit_id, "-"), use_flows=False)
            assert [(f.numerator, f.denominator) for f in flows.figures] == [
                (f.numerator, f.denominator) for f in counted.figures
            ]


def test_a_new_year_splits_a_week_exactly(unit):
    """Week 2022-W52 runs from 26 December 2022 to 1 January 2023: a report of 2022 takes
    its December days from the weekly flows and one of 2023 its 1 January, but a ticket
    received on 30 December and closed on 1 January is 2022's, and only 2022's."""
    TicketFactory(unit=unit, received_at=at(12, 27))
    TicketFactory(unit=unit, received_at=at(1, 1, year=2023))
    closed_ticket(unit, at(12, 30), at(12, 31), at(1, 1, 11, year=2023))
    closed_ticket(unit, at(12, 20), at(12, 21), at(12, 28))
    HazardFactory(unit=unit, found_at=at(12, 29))
    HazardFactory(unit=unit, found_at=at(1, 1, 9, year=2023))
    engine.recompute_all()
    assert not KpiDirty.objects.exists()
    for first, last in [
        (dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
        (dt.date(2022, 7, 1), dt.date(2022, 12, 31)),
        (dt.date(2023, 1, 1), dt.date(2023, 1, 31)),
        (dt.date(2022, 12, 1), dt.date(2023, 1, 1)),
    ]:
        period = Period(first, last)
        flows = build_report(period, FigureScope(None, "-"))
        counted = build_report(period, FigureScope(None, "-"), use_flows=False)
        assert [(f.numerator, f.denominator) for f in flows.figures] == [
            (f.numerator, f.denominator) for f in counted.figures
        ], (first, last)
    year = build_report(Period(dt.date(2022, 1, 1), dt.date(2022, 12, 31)), FigureScope(None, "-"))
    assert year.get("petitions.received").numerator == 3
    assert (
        year.get("petitions.closure_rate").numerator,
        year.get("petitions.closure_rate").denominator,
    ) == (1, 3)
    assert year.get("hazards.found").numerator == 1
    january = build_report(
        Period(dt.date(2023, 1, 1), dt.date(2023, 1, 31)), FigureScope(None, "-")
    )
    assert january.get("petitions.received").numerator == 1
    assert january.get("petitions.closure_rate").numerator == 0  # 2022's ticket
    assert january.get("hazards.found").numerator == 1


# --- roles and scopes -----------------------------------------------------------------------------


def test_roles(api, api_as, officer, clerk, commander, brigade_commander, admin_user):
    assert api.get(REPORT, Q1).status_code == 401
    assert api_as(officer).get(REPORT, Q1).status_code == 403
    assert api_as(clerk).get(REPORT, Q1).status_code == 403
    assert api_as(commander).get(REPORT, Q1).status_code == 200
    assert api_as(brigade_commander).get(REPORT, Q1).status_code == 200
    assert api_as(admin_user).get(REPORT, Q1).status_code == 200


def test_another_squadron_is_out_of_a_squadron_commanders_scope(
    api_as, commander, brigade_commander, unit, other_unit
):
    client = api_as(commander)
    assert client.get(REPORT, {**Q1, "unit": other_unit.pk}).status_code == 404
    assert client.get(REPORT, {**Q1, "unit": unit.pk}).status_code == 200
    assert api_as(brigade_commander).get(REPORT, {**Q1, "unit": other_unit.pk}).status_code == 200
    assert api_as(brigade_commander).get(REPORT, {**Q1, "unit": 999_999}).status_code == 404


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "from"),
        ({"from": "2022-01-01"}, "to"),
        ({"from": "2022-13-01", "to": "2022-03-31"}, "from"),
        ({"from": "yesterday", "to": "2022-03-31"}, "from"),
        ({"from": "2022-04-01", "to": "2022-03-31"}, "to"),  # ends before it starts
        ({"from": "2021-01-01", "to": "2022-03-31"}, "to"),  # longer than a year
        ({"from": "1999-12-31", "to": "2000-01-31"}, "from"),  # before the records
        ({**Q1, "unit": "sq1"}, "unit"),
        ({**Q1, "unit": "0"}, "unit"),
    ],
)
def test_bad_input_answers_400_with_field_messages(api_as, brigade_commander, query, field):
    response = api_as(brigade_commander).get(REPORT, query, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert field in response.json()
    assert all(isinstance(m, str) and m for m in response.json()[field])


def test_the_messages_say_what_is_wrong(api_as, brigade_commander):
    client = api_as(brigade_commander)
    en = {"Accept-Language": "en"}
    backwards = client.get(REPORT, {"from": "2022-04-01", "to": "2022-03-31"}, headers=en)
    assert backwards.json() == {"to": ["The end of the period cannot be before its start."]}
    long = client.get(REPORT, {"from": "2021-01-01", "to": "2022-03-31"}, headers=en)
    assert long.json()["to"] == [f"A report covers at most {MAX_DAYS} days; this period has 455."]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future = client.get(REPORT, {"from": "2022-01-01", "to": tomorrow.isoformat()}, headers=en)
    assert future.status_code == 400
    assert future.json()["to"][0].startswith("The period cannot end after today")
    zh = client.get(
        REPORT, {"from": "2022-04-01", "to": "2022-03-31"}, headers={"Accept-Language": "zh-hans"}
    )
    assert zh.json()["to"] == ["统计期的结束日期不能早于开始日期。"]


def test_a_full_year_is_allowed(api_as, brigade_commander):
    response = api_as(brigade_commander).get(REPORT, {"from": "2020-01-01", "to": "2020-12-31"})
    assert response.status_code == 200  # 366 days


# --- query counts ------------------------------------------------------------------------------


def _queries(client, query) -> int:
    client.get(REPORT, query)  # the user's scope is cached on the test's user object
    with CaptureQueriesContext(connection) as captured:
        assert client.get(REPORT, query).status_code == 200
    return len(captured)


def test_a_fixed_number_of_queries_whatever_the_records(api_as, brigade_commander, records):
    unit, other_unit = records
    client = api_as(brigade_commander)
    engine.recompute_all()
    few = _queries(client, Q1)
    # many more records, in every week and both units
    for day in range(80):
        when = at(1, 1) + dt.timedelta(days=day)
        TicketFactory(unit=unit if day % 2 else other_unit, received_at=when)
        AccidentFactory(unit=unit, occurred_at=when, hit_and_run=day % 5 == 0)
        PublicityEventFactory(unit=other_unit, held_on=when.date())
    many = _queries(client, Q1)
    assert few == many
    # the report's: the engine's grid, the marked weeks, the weekly flows, one union of
    # grouped queries per app (5), training (2), commendations, roads
    assert many == 12


def test_queries_for_a_squadron_commander(api_as, commander, records):
    client = api_as(commander)
    assert _queries(client, Q1) == _queries(client, {"from": "2022-02-03", "to": "2022-03-09"})


# --- the OpenAPI description --------------------------------------------------------------------


def test_the_schema_describes_the_report(api_as, commander):
    schema = api_as(commander).get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/dashboard/report/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["from"]["required"] and params["to"]["required"]
    assert params["from"]["schema"]["format"] == "date"
    assert not params["unit"].get("required", False)
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    report = schema["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert {"from", "to", "scope", "figures"} <= set(report["properties"])
    figure = schema["components"]["schemas"]["ReportFigure"]["properties"]
    assert {"row", "key", "label", "value", "numerator", "denominator", "unit"} <= set(figure)
    # a figure of a section the half-year report does not have (black spots): no row
    assert figure["row"]["type"] == "integer" and figure["row"]["nullable"]
