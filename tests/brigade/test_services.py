"""Patrol, tally, shift and attendance rules as the services enforce them."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from brigade.core.errors import TransitionNotAllowed
from brigade.duty import services
from brigade.duty.choices import AssessmentResult, PatrolMode
from brigade.duty.models import DutyPost, PatrolLog, ViolationTally
from tests.brigade.factories import (
    CampaignFactory,
    DutyPostFactory,
    OfficerFactory,
    ShiftFactory,
    TrainingSessionFactory,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def test_start_then_second_start_is_refused_with_the_open_patrol_named():
    officer = OfficerFactory()
    first = services.patrol_start(officer=officer, mode=PatrolMode.MOTORCYCLE)

    with translation.override("en"), pytest.raises(TransitionNotAllowed) as exc:
        services.patrol_start(officer=officer, mode=PatrolMode.FOOT)

    assert "already have a patrol in progress" in exc.value.message
    assert exc.value.state == "open"
    assert PatrolLog.objects.filter(officer=officer).count() == 1
    assert first.unit_id == officer.unit_id


def test_end_sets_end_time_and_a_second_end_is_a_conflict():
    officer = OfficerFactory()
    patrol = services.patrol_start(
        officer=officer, mode=PatrolMode.CAR, started_at=timezone.now() - dt.timedelta(hours=2)
    )

    services.patrol_end(patrol=patrol, notes="雨天加强巡逻")

    patrol.refresh_from_db()
    assert patrol.ended_at is not None
    assert patrol.notes == "雨天加强巡逻"
    assert 1.9 < patrol.duration_hours() < 2.1
    # a second end finds it ended: the patrol as it is, nothing written
    ended_at = patrol.ended_at
    assert services.patrol_end(patrol=patrol, notes="again").ended_at == ended_at
    patrol.refresh_from_db()
    assert patrol.notes == "雨天加强巡逻"
    # after ending, a new patrol may start
    assert services.patrol_start(officer=officer, mode=PatrolMode.FOOT).is_open


def test_end_before_start_is_a_field_error():
    patrol = services.patrol_start(officer=OfficerFactory(), mode=PatrolMode.CAR)

    with pytest.raises(ValidationError) as exc:
        services.patrol_end(patrol=patrol, ended_at=patrol.started_at - dt.timedelta(minutes=1))

    assert "ended_at" in exc.value.message_dict
    patrol.refresh_from_db()
    assert patrol.ended_at is None


def test_start_in_the_future_is_refused():
    with pytest.raises(ValidationError) as exc:
        services.patrol_start(
            officer=OfficerFactory(),
            mode=PatrolMode.CAR,
            started_at=timezone.now() + dt.timedelta(hours=1),
        )
    assert "started_at" in exc.value.message_dict


def test_campaign_that_is_not_running_is_refused():
    campaign = CampaignFactory(starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 2, 1))
    with pytest.raises(ValidationError) as exc:
        services.patrol_start(officer=OfficerFactory(), mode=PatrolMode.CAR, campaign=campaign)
    assert "campaign" in exc.value.message_dict


def test_tally_adds_and_subtracts_but_never_below_zero():
    patrol = services.patrol_start(officer=OfficerFactory(), mode=PatrolMode.FOOT)

    assert services.patrol_tally(patrol=patrol, kind="no_helmet", delta=1) == 1
    assert services.patrol_tally(patrol=patrol, kind="no_helmet", delta=2) == 3
    assert services.patrol_tally(patrol=patrol, kind="no_helmet", delta=-1) == 2
    with pytest.raises(ValidationError) as exc:
        services.patrol_tally(patrol=patrol, kind="no_helmet", delta=-3)

    assert "delta" in exc.value.message_dict
    assert ViolationTally.objects.get(patrol=patrol, kind="no_helmet").count == 2


def test_tally_unknown_kind_and_ended_patrol_are_refused():
    patrol = services.patrol_start(
        officer=OfficerFactory(),
        mode=PatrolMode.FOOT,
        started_at=timezone.now() - dt.timedelta(hours=1),
    )
    with pytest.raises(ValidationError):
        services.patrol_tally(patrol=patrol, kind="jaywalking_on_the_moon", delta=1)
    services.patrol_end(patrol=patrol)
    with pytest.raises(TransitionNotAllowed):
        services.patrol_tally(patrol=patrol, kind="speeding", delta=1)


def test_set_tallies_rejects_negative_counts_and_keeps_previous_values():
    patrol = services.patrol_start(officer=OfficerFactory(), mode=PatrolMode.FOOT)
    services.patrol_set_tallies(patrol=patrol, counts={"speeding": 4})

    with pytest.raises(ValidationError):
        services.patrol_set_tallies(patrol=patrol, counts={"speeding": 1, "red_light": -2})

    assert dict(patrol.tallies.values_list("kind", "count")) == {"speeding": 4}


def test_check_in_records_post_and_time():
    post = DutyPostFactory()
    patrol = services.patrol_start(officer=OfficerFactory(unit=post.unit), mode=PatrolMode.FOOT)

    services.patrol_check_in(patrol=patrol, post=post)

    patrol.refresh_from_db()
    assert patrol.post == post
    assert patrol.checked_in_at is not None


def test_check_in_without_any_post_is_a_field_error():
    patrol = services.patrol_start(officer=OfficerFactory(), mode=PatrolMode.FOOT)
    with pytest.raises(ValidationError) as exc:
        services.patrol_check_in(patrol=patrol)
    assert "post" in exc.value.message_dict


def test_overlapping_shift_for_the_same_officer_is_refused():
    shift = ShiftFactory()
    with pytest.raises(ValidationError) as exc:
        services.shift_save(
            officer=shift.officer,
            post=shift.post,
            starts_at=shift.starts_at + dt.timedelta(hours=1),
            ends_at=shift.ends_at + dt.timedelta(hours=1),
        )
    assert "starts_at" in exc.value.message_dict


def test_shift_unit_follows_the_post():
    post = DutyPostFactory()
    officer = OfficerFactory()  # from another unit: reinforcement
    start = timezone.now()
    shift = services.shift_save(
        officer=officer, post=post, starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    assert shift.unit == post.unit


def test_absent_officer_cannot_be_assessed():
    session = TrainingSessionFactory()
    officer = OfficerFactory(unit=session.unit)
    with pytest.raises(ValidationError):
        services.attendance_record(
            session=session, officer=officer, attended=False, result=AssessmentResult.PASSED
        )
    record = services.attendance_record(
        session=session, officer=officer, result=AssessmentResult.PASSED
    )
    assert record.result == AssessmentResult.PASSED


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ends_only_one_writes():
    patrol = services.patrol_start(
        officer=OfficerFactory(),
        mode=PatrolMode.CAR,
        started_at=timezone.now() - dt.timedelta(hours=1),
    )
    outcomes: list[str] = []

    def end() -> None:
        try:
            ended = services.patrol_end(patrol=PatrolLog.objects.get(pk=patrol.pk))
            outcomes.append(ended.ended_at.isoformat())
        except TransitionNotAllowed:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=end) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # both see the patrol ended at the one time that was written
    patrol.refresh_from_db()
    assert outcomes == [patrol.ended_at.isoformat()] * 2


# --- a patrol started from a shift is duty at its post ----------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = dt.date(2022, 6, 14)


@time_machine.travel(dt.datetime(2022, 6, 14, 9, 30, tzinfo=SHANGHAI), tick=False)
def test_a_patrol_started_from_a_shift_checks_in_at_the_shifts_post():
    # given: a post planned today with nobody checked in, and an officer's shift there
    post = DutyPostFactory()
    shift = ShiftFactory(
        officer=OfficerFactory(unit=post.unit),
        post=post,
        starts_at=dt.datetime(2022, 6, 14, 8, tzinfo=SHANGHAI),
    )
    posts = DutyPost.objects.filter(pk=post.pk)
    assert posts.coverage(TUESDAY)["staffed"] == 0

    # when
    patrol = services.patrol_start(officer=shift.officer, mode=PatrolMode.FOOT, shift=shift)

    # then: checked in at the post when the patrol started, and the post is staffed today
    patrol.refresh_from_db()
    assert patrol.post == post
    assert patrol.checked_in_at == patrol.started_at == timezone.now()
    assert posts.coverage(TUESDAY) == {"day": TUESDAY, "planned": 1, "staffed": 1, "rate": 1.0}


@time_machine.travel(dt.datetime(2022, 6, 14, 9, 30, tzinfo=SHANGHAI), tick=False)
def test_a_patrol_started_without_a_shift_waits_for_a_check_in_by_hand():
    post = DutyPostFactory()

    patrol = services.patrol_start(
        officer=OfficerFactory(unit=post.unit), mode=PatrolMode.FOOT, post=post
    )

    patrol.refresh_from_db()
    assert patrol.post == post
    assert patrol.checked_in_at is None
    assert DutyPost.objects.filter(pk=post.pk).coverage(TUESDAY)["staffed"] == 0


@time_machine.travel(dt.datetime(2022, 6, 14, 9, 30, tzinfo=SHANGHAI), tick=False)
def test_a_patrol_cannot_start_from_a_colleagues_shift_or_another_days():
    post = DutyPostFactory()
    me, colleague = OfficerFactory(unit=post.unit), OfficerFactory(unit=post.unit)
    theirs = ShiftFactory(officer=colleague, post=post)
    tomorrow = ShiftFactory(
        officer=me, post=post, starts_at=dt.datetime(2022, 6, 15, 8, tzinfo=SHANGHAI)
    )

    for shift in (theirs, tomorrow):
        with pytest.raises(ValidationError) as exc:
            services.patrol_start(officer=me, mode=PatrolMode.FOOT, shift=shift)
        assert "shift" in exc.value.message_dict

    assert not PatrolLog.objects.filter(officer=me).exists()
    assert DutyPost.objects.filter(pk=post.pk).coverage(TUESDAY)["staffed"] == 0
