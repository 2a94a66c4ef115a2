"""Shifts, training sessions and attendance through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from brigade.duty.choices import AssessmentResult
from brigade.duty.models import Attendance, Shift, TrainingSession
from tests.brigade.factories import (
    AttendanceFactory,
    DutyPostFactory,
    OfficerFactory,
    ShiftFactory,
    TrainingSessionFactory,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

SHIFTS = "/api/v1/brigade/shifts/"
TRAININGS = "/api/v1/brigade/trainings/"
ATTENDANCES = "/api/v1/brigade/attendances/"


@pytest.fixture(autouse=True)
def english(api):
    # Messages are compared in their English source; the default language is Chinese.
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    yield
    translation.deactivate()  # the locale middleware leaves "en" active on this thread


def _window(hours_from_now: int, length: int = 4) -> dict[str, str]:
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    start += dt.timedelta(hours=hours_from_now)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=length)).isoformat(),
    }


# --- shifts -------------------------------------------------------------------------------


def test_commander_creates_a_shift_and_the_unit_follows_the_post(api_as, commander, unit):
    # given
    on_duty = OfficerFactory(unit=unit, name="李警官")
    post = DutyPostFactory(unit=unit, name="人民路口")

    # when
    response = api_as(commander).post(
        SHIFTS,
        {"officer": on_duty.pk, "post": post.pk, "duty": "早高峰", "unit": 12345, **_window(1)},
        format="json",
    )

    # then
    assert response.status_code == 201
    body = response.json()
    assert body["unit"] == {"id": unit.pk, "name": "一中队"}
    assert body["officer"] == {"id": on_duty.pk, "name": "李警官", "badge_no": on_duty.badge_no}
    assert body["post"] == {"id": post.pk, "name": "人民路口"}
    assert Shift.objects.get(pk=body["id"]).unit_id == unit.pk


def test_an_overlapping_shift_is_refused(api_as, commander, unit):
    on_duty = OfficerFactory(unit=unit)
    post = DutyPostFactory(unit=unit)
    client = api_as(commander)
    client.post(SHIFTS, {"officer": on_duty.pk, "post": post.pk, **_window(1)}, format="json")

    response = client.post(
        SHIFTS, {"officer": on_duty.pk, "post": post.pk, **_window(3)}, format="json"
    )

    assert response.status_code == 400
    assert "overlaps" in response.json()["starts_at"][0]
    assert Shift.objects.count() == 1


def test_an_officer_cannot_create_a_shift(api_as, officer, unit):
    post = DutyPostFactory(unit=unit)

    response = api_as(officer).post(
        SHIFTS, {"officer": officer.officer.pk, "post": post.pk, **_window(1)}, format="json"
    )

    assert response.status_code == 403
    assert not Shift.objects.exists()


def test_a_commander_cannot_book_another_units_officer(api_as, commander, unit, other_unit):
    stranger = OfficerFactory(unit=other_unit)
    post = DutyPostFactory(unit=unit)

    response = api_as(commander).post(
        SHIFTS, {"officer": stranger.pk, "post": post.pk, **_window(1)}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["officer"]


def test_moving_a_shift_keeps_what_was_not_sent(api_as, commander, unit):
    shift = ShiftFactory(officer=OfficerFactory(unit=unit), duty="晚高峰")
    later = _window(30, length=2)

    response = api_as(commander).patch(f"{SHIFTS}{shift.pk}/", later, format="json")

    assert response.status_code == 200
    shift.refresh_from_db()
    assert shift.duty == "晚高峰"
    assert shift.ends_at - shift.starts_at == dt.timedelta(hours=2)


# --- training -----------------------------------------------------------------------------


def test_training_list_shows_attendance_counts(api_as, commander, unit):
    # given: one session with 2 present (1 passed, 1 failed) and 1 absent; one with nobody
    drill = TrainingSessionFactory(unit=unit, title="队列训练", held_on=dt.date(2022, 3, 2))
    AttendanceFactory(session=drill, result=AssessmentResult.PASSED)
    AttendanceFactory(session=drill, result=AssessmentResult.FAILED)
    AttendanceFactory(session=drill, attended=False)
    empty = TrainingSessionFactory(unit=unit, title="警示教育", held_on=dt.date(2022, 3, 1))

    # when
    rows = api_as(commander).get(TRAININGS).json()["results"]

    # then
    counts = {row["id"]: (row["attended"], row["passed"], row["failed"]) for row in rows}
    assert counts == {drill.pk: (2, 1, 1), empty.pk: (0, 0, 0)}
    assert [row["title"] for row in rows] == ["队列训练", "警示教育"]  # newest first


def test_training_detail_lists_its_attendances(api_as, officer, unit):
    session = TrainingSessionFactory(unit=unit)
    present = AttendanceFactory(session=session, result=AssessmentResult.PASSED)

    response = api_as(officer).get(f"{TRAININGS}{session.pk}/")

    assert response.status_code == 200
    assert [a["officer"]["id"] for a in response.json()["attendances"]] == [present.officer_id]
    assert response.json()["passed"] == 1


def test_an_officer_reads_training_but_cannot_write_it(api_as, officer, unit):
    session = TrainingSessionFactory(unit=unit)
    client = api_as(officer)

    assert client.get(TRAININGS).status_code == 200
    assert client.patch(f"{TRAININGS}{session.pk}/", {"title": "x"}).status_code == 403
    assert client.post(ATTENDANCES, {"session": session.pk}).status_code == 403
    assert TrainingSession.objects.get(pk=session.pk).title == session.title


def test_a_clerk_does_not_see_training(api_as, clerk):
    assert api_as(clerk).get(TRAININGS).status_code == 403


def test_commander_records_then_corrects_an_attendance(api_as, commander, unit):
    # given
    session = TrainingSessionFactory(unit=unit)
    trainee = OfficerFactory(unit=unit)
    client = api_as(commander)

    # when: recorded as passed, then recorded again as failed
    first = client.post(
        ATTENDANCES,
        {"session": session.pk, "officer": trainee.pk, "result": "passed"},
        format="json",
    )
    second = client.post(
        ATTENDANCES,
        {"session": session.pk, "officer": trainee.pk, "result": "failed", "score": "52.5"},
        format="json",
    )

    # then: one row, the correction
    assert (first.status_code, second.status_code) == (201, 201)
    row = Attendance.objects.get(session=session, officer=trainee)
    assert (row.result, str(row.score)) == ("failed", "52.5")
    summary = client.get(f"{TRAININGS}{session.pk}/").json()
    assert (summary["passed"], summary["failed"]) == (0, 1)


def test_an_absent_officer_cannot_be_assessed(api_as, commander, unit):
    session = TrainingSessionFactory(unit=unit)

    response = api_as(commander).post(
        ATTENDANCES,
        {
            "session": session.pk,
            "officer": OfficerFactory(unit=unit).pk,
            "attended": False,
            "result": "passed",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["result"]
    assert not Attendance.objects.exists()


def test_other_units_training_is_not_found(api_as, commander, other_unit):
    theirs = TrainingSessionFactory(unit=other_unit)

    assert api_as(commander).get(f"{TRAININGS}{theirs.pk}/").status_code == 404


# --- queries ------------------------------------------------------------------------------


def _queries_for(api, user, url: str) -> int:
    api.force_authenticate(get_user_model().objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries)


def _session_with_attendance(unit):
    session = TrainingSessionFactory(unit=unit)
    AttendanceFactory(session=session, result=AssessmentResult.PASSED)
    AttendanceFactory(session=session, result=AssessmentResult.FAILED)
    return session


def test_training_list_costs_the_same_queries_for_1_and_50_sessions(api, commander, unit):
    _session_with_attendance(unit)
    one = _queries_for(api, commander, TRAININGS)

    for _ in range(49):
        _session_with_attendance(unit)
    fifty = _queries_for(api, commander, TRAININGS)

    assert api.get(TRAININGS).json()["count"] == 50
    assert one == fifty


def test_shift_list_costs_the_same_queries_for_1_and_20_shifts(api, commander, unit):
    ShiftFactory(officer=OfficerFactory(unit=unit))
    one = _queries_for(api, commander, SHIFTS)

    for _ in range(19):
        ShiftFactory(officer=OfficerFactory(unit=unit))
    twenty = _queries_for(api, commander, SHIFTS)

    assert one == twenty
