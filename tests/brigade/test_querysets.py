"""Reads: post coverage on a day and the scope each persona sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from brigade.duty.choices import PostKind
from brigade.duty.models import DutyPost, PatrolLog, SchoolBreak
from tests.brigade.factories import DutyPostFactory, PatrolLogFactory

pytestmark = pytest.mark.django_db

# 2022-06-13 is a Monday and a school day; 2022-06-12 a Sunday; 2022-06-03 the
# Dragon Boat Festival (a Friday holiday); 2022-04-24 a Sunday made a working day (调休).
MONDAY = dt.date(2022, 6, 13)


def _check_in(post: DutyPost, day: dt.date, hour: int = 8) -> PatrolLog:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
    return PatrolLogFactory(
        officer__unit=post.unit,
        post=post,
        started_at=at - dt.timedelta(minutes=30),
        ended_at=at + dt.timedelta(hours=2),
        checked_in_at=at,
    )


def test_coverage_counts_planned_and_staffed_posts(unit):
    # given three posts planned on Monday, two of them checked in
    peak = DutyPostFactory(unit=unit, kind=PostKind.PEAK_HOUR, weekdays="12345")
    school = DutyPostFactory(unit=unit, kind=PostKind.SCHOOL, weekdays="12345")
    DutyPostFactory(unit=unit, kind=PostKind.FIXED, weekdays="12345")
    DutyPostFactory(unit=unit, kind=PostKind.FIXED, weekdays="67")  # weekend only
    DutyPostFactory(unit=unit, kind=PostKind.FIXED, is_active=False)
    _check_in(peak, MONDAY)
    _check_in(school, MONDAY)
    _check_in(peak, MONDAY - dt.timedelta(days=1))  # the day before does not count

    # when
    coverage = DutyPost.objects.coverage(MONDAY)

    # then
    assert (coverage["planned"], coverage["staffed"]) == (3, 2)
    assert coverage["rate"] == pytest.approx(2 / 3)


def test_check_in_just_before_local_midnight_counts_for_that_day(unit):
    post = DutyPostFactory(unit=unit, weekdays="1234567")
    late = timezone.make_aware(dt.datetime.combine(MONDAY, dt.time(23, 59, 59)))
    PatrolLogFactory(
        officer__unit=unit,
        post=post,
        started_at=late - dt.timedelta(hours=1),
        ended_at=late + dt.timedelta(minutes=5),
        checked_in_at=late,
    )
    assert DutyPost.objects.coverage(MONDAY)["staffed"] == 1
    assert DutyPost.objects.coverage(MONDAY + dt.timedelta(days=1))["staffed"] == 0


@pytest.mark.parametrize(
    ("day", "school_day"),
    [
        (MONDAY, True),
        (dt.date(2022, 6, 3), False),  # Dragon Boat Festival holiday, a Friday
        (dt.date(2022, 4, 24), True),  # Sunday made a working day
        (dt.date(2022, 6, 12), False),  # plain Sunday
    ],
)
def test_school_posts_are_planned_on_school_days_only(unit, day, school_day):
    DutyPostFactory(unit=unit, kind=PostKind.SCHOOL, weekdays="1234567")
    assert DutyPost.objects.coverage(day)["planned"] == (1 if school_day else 0)


def test_school_posts_rest_during_a_school_break(unit):
    DutyPostFactory(unit=unit, kind=PostKind.SCHOOL, weekdays="12345")
    DutyPostFactory(unit=unit, kind=PostKind.PEAK_HOUR, weekdays="12345")
    SchoolBreak.objects.create(
        name="暑假", starts_on=dt.date(2022, 7, 10), ends_on=dt.date(2022, 8, 31)
    )
    assert DutyPost.objects.coverage(dt.date(2022, 7, 11))["planned"] == 1
    assert DutyPost.objects.coverage(dt.date(2022, 7, 8))["planned"] == 2


def test_no_planned_posts_means_no_rate(unit):
    assert DutyPost.objects.coverage(MONDAY) == {
        "day": MONDAY,
        "planned": 0,
        "staffed": 0,
        "rate": None,
    }


def test_scope_of_each_persona(officer, commander, brigade_commander, clerk, other_officer):
    mine = PatrolLogFactory(officer=officer.officer)
    colleague = PatrolLogFactory(officer__unit=officer.officer.unit)
    stranger = PatrolLogFactory(officer=other_officer.officer)

    def seen(user):
        return set(PatrolLog.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(officer) == {mine.pk}
    assert seen(commander) == {mine.pk, colleague.pk}
    assert seen(brigade_commander) == {mine.pk, colleague.pk, stranger.pk}
    # a clerk is no commander: only patrols of their own, and they have none
    assert seen(clerk) == set()
