"""The KPI engine on the brigade's own metrics: weeks and year-to-date boundaries, post
coverage, idempotent and incremental recomputes, coalesced enqueues, a broker outage,
publishing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from brigade.core.kpi import engine, runs
from brigade.core.kpi.models import KpiDirty, KpiFlow, KpiPublished, KpiRollup, KpiRun
from brigade.core.kpi.weeks import parse_week, week_key, week_start
from brigade.duty import services
from brigade.duty.choices import AssessmentResult, PatrolMode, PostKind
from brigade.duty.models import DutyPost, PatrolLog, SchoolBreak, ViolationTally
from brigade.tasks import close_week_task, recompute_all_task, recompute_dirty_task
from tests.brigade.factories import (
    AttendanceFactory,
    DutyPostFactory,
    OfficerFactory,
    PatrolLogFactory,
    TrainingSessionFactory,
    UnitFactory,
    ViolationTallyFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# a weekday mid-morning, in a week that ends in its own year: the tests pinned to it
# check change tracking, not the calendar (a week ending in the next year, as on 31
# December 2026, counts next year's year to date)
WEDNESDAY = dt.datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI)
BRIGADE = "brigade"
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def patrol(unit, started_at, hours=2.0, officer=None, **tallies):
    """An ended patrol of ``unit`` with the given tallies (``no_helmet=3`` ...)."""
    officer = officer or OfficerFactory(unit=unit)
    log = PatrolLogFactory(
        officer=officer,
        unit=unit,
        started_at=started_at,
        ended_at=started_at + dt.timedelta(hours=hours),
    )
    for kind, count in tallies.items():
        ViolationTallyFactory(patrol=log, kind=kind, count=count)
    return log


def figure(metric: str, week: str, scope: object = BRIGADE) -> KpiRollup | None:
    scope = scope if scope == BRIGADE else str(scope.pk)
    return KpiRollup.objects.filter(metric=metric, week=parse_week(week), scope=scope).first()


def numerator(metric: str, week: str, scope: object = BRIGADE) -> Decimal:
    row = figure(metric, week, scope)
    return row.numerator if row else Decimal(0)


def rollups() -> set[tuple]:
    return set(
        KpiRollup.objects.values_list(
            "metric", "week", "scope", "unit_id", "numerator", "denominator", "value"
        )
    )


def flows() -> set[tuple]:
    return set(
        KpiFlow.objects.values_list("metric", "side", "week", "cohort_year", "unit_id", "amount")
    )


def tables() -> tuple[set[tuple], set[tuple]]:
    return rollups(), flows()


def assert_as_full_recompute() -> None:
    """The tables as they are equal those a full recompute writes from the records."""
    incremental = tables()
    engine.recompute_all()
    full = tables()
    for name, have, want in zip(("rollups", "flows"), incremental, full, strict=True):
        missing, extra = sorted(want - have), sorted(have - want)
        assert not missing and not extra, (
            f"{name}: {len(missing)} missing, e.g. {missing[:3]}; {len(extra)} extra, e.g. "
            f"{extra[:3]}"
        )


# --- weeks and year-to-date boundaries ------------------------------------------------------


def test_sunday_just_before_midnight_counts_in_that_week_monday_midnight_in_the_next(unit):
    # given: one patrol in the last second of Sunday 2022-06-12, one at Monday's first
    patrol(unit, local(2022, 6, 12, 23, 59, 59), no_helmet=2)
    patrol(unit, local(2022, 6, 13, 0, 0, 0), no_helmet=5)

    engine.recompute_all()

    assert numerator("brigade.patrols", "2022-W23") == 1
    assert numerator("brigade.patrols", "2022-W24") == 2
    assert numerator("brigade.violations.no_helmet", "2022-W23") == 2
    assert numerator("brigade.violations.no_helmet", "2022-W24", unit) == 7
    weeks = set(KpiFlow.objects.filter(metric="brigade.patrols").values_list("week", flat=True))
    assert weeks == {dt.date(2022, 6, 6), dt.date(2022, 6, 13)}


def test_a_utc_evening_is_the_next_local_morning(unit):
    # 2022-06-12 16:30 UTC is Monday 2022-06-13 00:30 in Shanghai: week 24, not 23
    patrol(unit, dt.datetime(2022, 6, 12, 16, 30, tzinfo=dt.UTC), hours=1.5)

    engine.recompute_all()

    assert numerator("brigade.patrols", "2022-W23") == 0
    assert numerator("brigade.patrols", "2022-W24") == 1
    assert numerator("brigade.patrol_hours", "2022-W24", unit) == Decimal("1.5")


def test_new_year_inside_a_week_year_to_date_belongs_to_the_year_of_its_sunday(unit):
    # given: week 2021-W52 runs Monday 2021-12-27 to Sunday 2022-01-02
    patrol(unit, local(2021, 12, 20, 10, 0))  # 2021-W51
    patrol(unit, local(2021, 12, 31, 23, 0), unlicensed=1)  # 2021-W52, cohort 2021
    patrol(unit, local(2022, 1, 1, 0, 0), unlicensed=4)  # 2021-W52, cohort 2022
    patrol(unit, local(2022, 1, 3, 8, 0))  # 2022-W01

    engine.recompute_all()

    # then: 2021-W51 is 2021's year to date; 2021-W52 already 2022's, without Dec 31
    assert numerator("brigade.patrols", "2021-W51") == 1
    assert numerator("brigade.patrols", "2021-W52") == 1
    assert numerator("brigade.violations_corrected", "2021-W52") == 4
    assert numerator("brigade.patrols", "2022-W01", unit) == 2
    assert numerator("brigade.violations.unlicensed", "2022-W01", unit) == 4
    # and: 2022-W51 ends 2022; 2022-W52 ends on Sunday 2023-01-01, a new year to date
    assert numerator("brigade.patrols", "2022-W51") == 2
    assert numerator("brigade.patrols", "2022-W52") == 0


def test_a_patrol_counts_its_hours_in_the_week_it_started(unit):
    patrol(unit, local(2022, 6, 12, 22, 0), hours=4)  # ends Monday 02:00

    engine.recompute_all()

    assert numerator("brigade.patrol_hours", "2022-W23") == 4
    assert numerator("brigade.patrol_hours", "2022-W24") == 4  # still the year to date


def test_open_patrols_count_as_patrols_but_not_hours(unit):
    PatrolLogFactory(
        unit=unit, officer=OfficerFactory(unit=unit), started_at=local(2022, 3, 1, 8), ended_at=None
    )
    patrol(unit, local(2022, 3, 1, 9), hours=3)

    engine.recompute_all()

    assert numerator("brigade.patrols", "2022-W09") == 2
    assert numerator("brigade.patrol_hours", "2022-W09") == 3


def test_units_and_brigade_figures(unit, other_unit):
    patrol(unit, local(2022, 3, 1, 8), no_helmet=1, speeding=2)
    patrol(unit, local(2022, 3, 2, 8), no_helmet=0)  # a zero tally corrects nothing
    patrol(other_unit, local(2022, 3, 3, 8), hours=1, red_light=3)

    engine.recompute_all()

    assert numerator("brigade.patrols", "2022-W09", unit) == 2
    assert numerator("brigade.patrols", "2022-W09", other_unit) == 1
    assert numerator("brigade.patrols", "2022-W09") == 3
    assert numerator("brigade.violations_corrected", "2022-W09", unit) == 3
    assert numerator("brigade.violations_corrected", "2022-W09") == 6
    assert numerator("brigade.violations.red_light", "2022-W09", unit) == 0
    assert numerator("brigade.patrol_hours", "2022-W09") == 5
    row = figure("brigade.patrols", "2022-W09")
    assert row.denominator is None and row.value == 3 and row.unit_id is None
    assert figure("brigade.patrols", "2022-W09", unit).unit_id == unit.pk


def test_training_rates_and_an_empty_denominator(unit):
    # given: one session in 2022: three called, two present, one passed, one failed
    session = TrainingSessionFactory(unit=unit, held_on=dt.date(2022, 3, 2))
    AttendanceFactory(session=session, attended=True, result=AssessmentResult.PASSED)
    AttendanceFactory(session=session, attended=True, result=AssessmentResult.FAILED)
    AttendanceFactory(session=session, attended=False)

    engine.recompute_all()

    attendance = figure("brigade.training_attendance_rate", "2022-W09", unit)
    assert (attendance.numerator, attendance.denominator) == (2, 3)
    assert attendance.value == pytest.approx(Decimal(2) / 3, abs=Decimal("1e-6"))
    passed = figure("brigade.training_pass_rate", "2022-W09")
    assert (passed.numerator, passed.denominator, passed.value) == (1, 2, Decimal("0.5"))
    # then: in 2023 nobody has been called yet: no rate rather than 0 %
    new_year = figure("brigade.training_attendance_rate", "2023-W02")
    assert (new_year.numerator, new_year.denominator, new_year.value) == (0, 0, None)


@pytest.mark.clock
def test_rollups_run_up_to_the_current_week(unit):
    patrol(unit, local(2022, 3, 1, 8))

    engine.recompute_all()

    current = engine.current_week()
    last = KpiRollup.objects.filter(metric="brigade.patrols", scope=BRIGADE).latest("week")
    assert last.week == current
    assert KpiRollup.objects.filter(week__gt=current).count() == 0


# --- post coverage --------------------------------------------------------------------------


def _coverage_sums(posts, first: dt.date, last: dt.date) -> tuple[int, int]:
    planned = staffed = 0
    day = first
    while day <= last:
        result = posts.coverage(day)
        planned, staffed = planned + result["planned"], staffed + result["staffed"]
        day += dt.timedelta(days=1)
    return planned, staffed


def _check_in(post, at: dt.datetime, officer=None) -> PatrolLog:
    officer = officer or OfficerFactory(unit=post.unit)
    log = services.patrol_start(officer=officer, mode=PatrolMode.FOOT, post=post, started_at=at)
    services.patrol_check_in(patrol=log, at=at + dt.timedelta(minutes=5))
    return services.patrol_end(patrol=log, ended_at=at + dt.timedelta(hours=1))


def test_post_coverage_is_the_daily_coverage_summed_over_the_year_to_date(unit, other_unit):
    # given: 2022's first quarter: the winter break, the Spring Festival (Jan 31 - Feb 6)
    # and its make-up workdays (Sat Jan 29, Sun Jan 30)
    service_start = dt.date(2021, 12, 27)
    peak = DutyPostFactory(
        unit=unit, kind=PostKind.PEAK_HOUR, weekdays="12345", active_from=service_start
    )
    school = DutyPostFactory(
        unit=unit, kind=PostKind.SCHOOL, weekdays="12345", active_from=service_start
    )
    weekend = DutyPostFactory(
        unit=unit, kind=PostKind.FIXED, weekdays="67", active_from=service_start
    )
    other = DutyPostFactory(
        unit=other_unit, kind=PostKind.CHECKPOINT, weekdays="1234567", active_from=service_start
    )
    DutyPostFactory(unit=unit, is_active=False, active_from=service_start)
    SchoolBreak.objects.create(
        name="寒假", starts_on=dt.date(2022, 1, 15), ends_on=dt.date(2022, 2, 13)
    )
    officer = OfficerFactory(unit=unit)
    for post, at in (
        (peak, local(2021, 12, 31, 7)),  # cohort 2021: not in 2022's year to date
        (peak, local(2022, 1, 4, 7)),
        (peak, local(2022, 1, 4, 17)),  # twice the same day: staffed once
        (school, local(2022, 1, 5, 7)),  # a school day
        (school, local(2022, 1, 18, 7)),  # the winter break: not planned, not counted
        (school, local(2022, 2, 28, 7)),
        (peak, local(2022, 1, 29, 7)),  # a Saturday but a make-up workday: weekdays rule
        (weekend, local(2022, 1, 29, 7)),
        (peak, local(2022, 2, 1, 7)),  # the Spring Festival: peak posts still planned
        (weekend, local(2022, 3, 2, 7)),  # a Wednesday: the weekend post is not planned
        (other, local(2022, 3, 6, 23, 50)),  # late on Sunday, local time
        (other, local(2022, 3, 7, 0, 10)),  # early Monday
    ):
        _check_in(post, at, officer=officer)

    engine.recompute_all()

    # then: every week of the quarter, every scope, matches the day-by-day summary
    scopes = {BRIGADE: DutyPost.objects.all()}
    scopes.update({str(u.pk): DutyPost.objects.filter(unit=u) for u in (unit, other_unit)})
    monday = dt.date(2021, 12, 27)  # 2021-W52, 2022's first year-to-date week
    checked = 0
    while monday <= dt.date(2022, 3, 28):
        for scope, posts in scopes.items():
            sunday = monday + dt.timedelta(days=6)
            planned, staffed = _coverage_sums(posts, dt.date(2022, 1, 1), sunday)
            row = KpiRollup.objects.get(
                metric="brigade.post_coverage_rate", week=monday, scope=scope
            )
            assert (row.numerator, row.denominator) == (staffed, planned), (monday, scope)
            assert row.value == pytest.approx(Decimal(staffed) / planned, abs=Decimal("1e-6"))
            checked += 1
        monday += dt.timedelta(days=7)
    assert checked == 14 * 3


def test_a_post_is_planned_from_its_first_day_of_service(unit):
    # a post that opens on Wednesday 2022-03-02 was not planned on Monday or Tuesday
    post = DutyPostFactory(unit=unit, weekdays="1234567", active_from=dt.date(2022, 3, 2))
    _check_in(post, local(2022, 3, 2, 7))

    engine.recompute_all()

    row = figure("brigade.post_coverage_rate", "2022-W09", unit)
    assert (row.numerator, row.denominator) == (1, 5)


def test_the_daily_coverage_summary_plans_a_post_from_its_first_day_of_service(unit):
    post = DutyPostFactory(unit=unit, weekdays="1234567", active_from=dt.date(2022, 3, 2))
    _check_in(post, local(2022, 3, 2, 7))

    planned, staffed = _coverage_sums(
        DutyPost.objects.filter(unit=unit), dt.date(2022, 2, 28), dt.date(2022, 3, 6)
    )

    assert (staffed, planned) == (1, 5)


# --- idempotence ----------------------------------------------------------------------------


@pytest.fixture
def records(unit, other_unit):
    """Patrols, tallies and training across 2021-2022 in two units."""
    a, b = OfficerFactory(unit=unit), OfficerFactory(unit=other_unit)
    made = {
        "w51": patrol(unit, local(2021, 12, 21, 8), officer=a, no_helmet=1),
        "dec31": patrol(unit, local(2021, 12, 31, 20), officer=a, speeding=2),
        "mar1": patrol(unit, local(2022, 3, 1, 8), officer=a, no_helmet=3, red_light=1),
        "mar8": patrol(unit, local(2022, 3, 8, 8), officer=a, hours=1.25),
        "mar15": patrol(unit, local(2022, 3, 15, 8), officer=a, no_helmet=2),
        "mar22": patrol(unit, local(2022, 3, 22, 8), officer=a, no_helmet=1),
        "other": patrol(other_unit, local(2022, 3, 2, 8), officer=b, no_seatbelt=4),
        "other_later": patrol(other_unit, local(2022, 5, 2, 8), officer=b, no_helmet=1),
    }
    session = TrainingSessionFactory(unit=unit, held_on=dt.date(2022, 3, 3))
    AttendanceFactory(session=session, result=AssessmentResult.PASSED)
    AttendanceFactory(session=session, attended=False)
    return made


def test_recompute_all_twice_writes_the_same_tables(records):
    engine.recompute_all()
    first = rollups(), flows()

    engine.recompute_all()

    assert (rollups(), flows()) == first
    assert len(first[0]) > 0


def test_a_full_recompute_forgets_deleted_records_before_the_first_remaining_one(records, unit):
    # given: figures computed while the unit still had its 2021 patrols
    engine.recompute_all()
    assert numerator("brigade.patrols", "2021-W51", unit) == 1

    # when: the 2021 patrols are deleted and everything is recomputed
    records["w51"].delete()
    records["dec31"].delete()
    engine.recompute_all()

    # then: no figure of a 2021 week still counts them
    assert numerator("brigade.patrols", "2021-W51", unit) == 0
    assert numerator("brigade.violations_corrected", "2021-W51") == 0


# --- incremental recompute ------------------------------------------------------------------


def _age_flows() -> None:
    KpiFlow.objects.update(computed_at=LONG_AGO)


def _rewritten() -> set[tuple[dt.date, int]]:
    """The (week, unit) pairs whose flows were written since ``_age_flows``."""
    return set(KpiFlow.objects.exclude(computed_at=LONG_AGO).values_list("week", "unit_id"))


def _after_full_recompute_with_aged_flows() -> None:
    engine.recompute_all()
    KpiDirty.objects.all().delete()
    _age_flows()


def test_changing_a_tally_recomputes_its_week_only(records, unit):
    _after_full_recompute_with_aged_flows()
    tally = ViolationTally.objects.get(patrol=records["mar15"], kind="no_helmet")

    # when: a count is corrected after the patrol
    services.patrol_set_tallies(patrol=records["mar15"], counts={"no_helmet": 7})
    assert set(KpiDirty.objects.values_list("week", "unit_id")) == {(dt.date(2022, 3, 14), unit.pk)}
    engine.recompute_dirty()

    # then: same tables as a full recompute, and only that week's flows were rewritten
    assert _rewritten() == {(dt.date(2022, 3, 14), unit.pk)}
    assert KpiDirty.objects.count() == 0
    assert numerator("brigade.violations.no_helmet", "2022-W11", unit) == 3 + 7
    assert_as_full_recompute()
    assert tally.pk == ViolationTally.objects.get(patrol=records["mar15"], kind="no_helmet").pk


def test_moving_a_patrol_to_another_week_recomputes_both_weeks(records, unit):
    _after_full_recompute_with_aged_flows()

    # when: the start of the 2022-03-08 patrol (week 10) is corrected to 2022-03-23 (week 12)
    moved = records["mar8"]
    moved.started_at = local(2022, 3, 23, 8)
    moved.ended_at = moved.started_at + dt.timedelta(hours=1.25)
    moved.save()
    engine.recompute_dirty()

    # then: week 10 lost it, week 11's own flows were left alone, week 12 has it
    touched = {(dt.date(2022, 3, 7), unit.pk), (dt.date(2022, 3, 21), unit.pk)}
    assert _rewritten() <= touched
    assert (dt.date(2022, 3, 14), unit.pk) not in _rewritten()
    assert numerator("brigade.patrols", "2022-W10", unit) == 1
    assert numerator("brigade.patrols", "2022-W11", unit) == 2
    assert numerator("brigade.patrols", "2022-W12", unit) == 4
    assert KpiDirty.objects.count() == 0
    assert_as_full_recompute()


def test_moving_a_patrol_to_another_unit_recomputes_both_units(records, unit, other_unit):
    _after_full_recompute_with_aged_flows()

    moved = records["mar1"]
    moved.unit = other_unit
    moved.save()
    engine.recompute_dirty()

    assert _rewritten() <= {(dt.date(2022, 2, 28), unit.pk), (dt.date(2022, 2, 28), other_unit.pk)}
    assert numerator("brigade.violations.red_light", "2022-W09", other_unit) == 1
    assert numerator("brigade.violations.red_light", "2022-W09", unit) == 0
    assert_as_full_recompute()


def test_deleting_a_patrol_recomputes_its_week(records, unit):
    _after_full_recompute_with_aged_flows()

    records["mar15"].delete()  # its tallies go with it
    engine.recompute_dirty()

    assert _rewritten() <= {(dt.date(2022, 3, 14), unit.pk)}
    assert numerator("brigade.patrols", "2022-W11", unit) == 2
    assert numerator("brigade.violations.no_helmet", "2022-W11", unit) == 3
    assert KpiDirty.objects.count() == 0
    assert_as_full_recompute()


def test_a_first_record_of_a_kind_recomputes_like_a_full_run(records, unit):
    # a violation type the unit never had, in a week after its other records
    _after_full_recompute_with_aged_flows()

    services.patrol_set_tallies(patrol=records["mar22"], counts={"drunk_driving": 1})
    engine.recompute_dirty()

    assert numerator("brigade.violations.drunk_driving", "2022-W12", unit) == 1
    assert_as_full_recompute()


def test_removing_the_last_record_of_a_unit_recomputes_like_a_full_run(records, other_unit):
    _after_full_recompute_with_aged_flows()

    records["other_later"].delete()
    records["other"].delete()
    engine.recompute_dirty()

    assert numerator("brigade.patrols", "2022-W18", other_unit) == 0
    assert_as_full_recompute()


def test_a_record_older_than_any_other_recomputes_like_a_full_run(unit, other_unit):
    # given: figures computed from one training session of the unit in 2023 only
    session = TrainingSessionFactory(unit=unit, held_on=dt.date(2023, 1, 1))
    AttendanceFactory(session=session, attended=False)
    engine.recompute_all()
    KpiDirty.objects.all().delete()

    # when: a patrol of 2021 is entered for the other unit: the weeks start two years earlier
    patrol(other_unit, local(2021, 1, 1, 0, 0))
    engine.recompute_dirty()

    # then: every scope has the earlier weeks, in 2021's year to date as in 2022's
    assert numerator("brigade.patrols", "2021-W10") == 1
    assert figure("brigade.training_attendance_rate", "2022-W10", unit).denominator == 0
    assert_as_full_recompute()


def test_a_check_in_withdrawn_recomputes_the_post_week(unit, other_unit):
    # given: an officer of another unit staffed the unit's post on Tuesday 2022-03-01
    post = DutyPostFactory(unit=unit, weekdays="12345", active_from=dt.date(2022, 2, 28))
    checked_in = _check_in(post, local(2022, 3, 1, 7), officer=OfficerFactory(unit=other_unit))
    engine.recompute_all()
    KpiDirty.objects.all().delete()
    assert figure("brigade.post_coverage_rate", "2022-W09", unit).numerator == 1

    # when: the check-in turns out to be a mistake
    checked_in.checked_in_at = None
    checked_in.save()
    engine.recompute_dirty()

    # then: the post's week is no longer staffed, as a full recompute says
    assert figure("brigade.post_coverage_rate", "2022-W09", unit).numerator == 0
    assert_as_full_recompute()


def test_a_post_given_to_another_unit_recomputes_both_units(unit, other_unit):
    # given: a post of the unit since 2022-02-28, staffed once, figures computed
    post = DutyPostFactory(unit=unit, weekdays="12345", active_from=dt.date(2022, 2, 28))
    _check_in(post, local(2022, 3, 1, 7))
    engine.recompute_all()
    KpiDirty.objects.all().delete()

    # when: the post is handed to the other squadron
    post = DutyPost.objects.get(pk=post.pk)
    post.unit = other_unit
    post.save()
    engine.recompute_dirty()

    # then: its planned and staffed days count for the other unit only
    assert figure("brigade.post_coverage_rate", "2022-W09", other_unit).denominator == 5
    mine = figure("brigade.post_coverage_rate", "2022-W09", unit)
    assert mine is None or mine.denominator == 0
    assert_as_full_recompute()


def test_a_check_in_moved_to_another_day_recomputes_both_weeks(unit):
    # given: the unit's post staffed on Friday 2022-03-04 by a patrol started that week
    post = DutyPostFactory(unit=unit, weekdays="12345", active_from=dt.date(2022, 2, 28))
    checked_in = _check_in(post, local(2022, 3, 4, 7))
    engine.recompute_all()
    KpiDirty.objects.all().delete()

    # when: the check-in time is corrected to the next Monday
    checked_in.checked_in_at = local(2022, 3, 7, 7)
    checked_in.save()
    engine.recompute_dirty()

    # then: week 9 is no longer staffed, week 10 is
    assert figure("brigade.post_coverage_rate", "2022-W09", unit).numerator == 0
    assert_as_full_recompute()


@time_machine.travel(WEDNESDAY, tick=True)
def test_a_new_post_marks_the_current_week(unit):
    # a post in service since a Sunday three weeks ago: its planned days run up to today
    today = timezone.localdate()
    sunday = week_start(today) - dt.timedelta(days=15)
    assert sunday.isoweekday() == 7
    patrol(unit, local(2022, 3, 1, 8))
    engine.recompute_all()
    KpiDirty.objects.all().delete()

    DutyPostFactory(unit=unit, weekdays="1234567", active_from=sunday)
    engine.recompute_dirty()

    planned = figure("brigade.post_coverage_rate", week_key(week_start(today)), unit)
    assert planned is not None and planned.denominator == (today - sunday).days + 1
    assert_as_full_recompute()


def test_a_school_break_marks_every_week_it_spans(unit):
    # given: a school post on weekdays since 2022-01-03, figures computed
    DutyPostFactory(
        unit=unit, kind=PostKind.SCHOOL, weekdays="12345", active_from=dt.date(2022, 1, 3)
    )
    engine.recompute_all()
    KpiDirty.objects.all().delete()

    # when: a break from Wednesday 2022-01-19 to Monday 2022-01-24 is recorded
    SchoolBreak.objects.create(
        name="寒假", starts_on=dt.date(2022, 1, 19), ends_on=dt.date(2022, 1, 24)
    )
    engine.recompute_dirty()

    # then: both weeks it spans lost their school days
    assert_as_full_recompute()


# --- coalescing and the broker --------------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch):
    """The recompute task's enqueues, recorded instead of sent."""
    calls: list[dict] = []
    monkeypatch.setattr(
        recompute_dirty_task, "apply_async", lambda *args, **kwargs: calls.append(kwargs)
    )
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_changes_in_one_transaction_enqueues_one_recompute(enqueued):
    # given: 20 patrols saved in one transaction, in 20 different weeks and two units
    units = [UnitFactory(), UnitFactory()]
    officers = [OfficerFactory(unit=u) for u in units]
    starts = [local(2022, 1, 3, 8) + dt.timedelta(weeks=i) for i in range(20)]
    with transaction.atomic():
        for i, start in enumerate(starts):
            patrol(units[i % 2], start, officer=officers[i % 2], no_helmet=1)

    # then: one enqueue, every mark waiting for it
    assert len(enqueued) == 1
    assert enqueued[0]["countdown"] == engine.COALESCE_SECONDS
    assert set(KpiDirty.objects.values_list("week", "unit_id")) == {
        (week_start(s.date()), units[i % 2].pk) for i, s in enumerate(starts)
    }

    # when: the task runs
    recompute_dirty_task()

    # then: the figures are those of a full recompute
    assert KpiDirty.objects.count() == 0
    assert numerator("brigade.patrols", "2022-W20") == 20
    assert_as_full_recompute()


@pytest.mark.django_db(transaction=True)
def test_separate_commits_within_the_window_enqueue_one_recompute(enqueued):
    unit = UnitFactory()
    officer = OfficerFactory(unit=unit)
    for i in range(20):
        with transaction.atomic():
            patrol(unit, local(2022, 3, 1, 8) + dt.timedelta(days=i), officer=officer)

    assert len(enqueued) == 1
    # a mark per commit, for three weeks: 2022-W09, W10, W11
    assert KpiDirty.objects.count() == 20
    assert KpiDirty.objects.values("week").distinct().count() == 3

    # the task clears the flag first: the next change after it enqueues again
    recompute_dirty_task()
    with transaction.atomic():
        patrol(unit, local(2022, 4, 1, 8), officer=officer)
    assert len(enqueued) == 2
    assert numerator("brigade.patrols", "2022-W11", unit) == 20


def test_marks_wait_for_the_commit(unit, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for day in range(1, 21):
            patrol(unit, local(2022, 3, day, 8))
        assert enqueued == []

    assert len(callbacks) >= 20
    assert len(enqueued) == 1


def test_with_the_broker_down_changes_are_kept_and_figures_flagged_stale(
    unit, monkeypatch, django_capture_on_commit_callbacks
):
    # given: the broker refuses every task
    def refuse(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(recompute_dirty_task, "apply_async", refuse)
    engine.recompute_all()
    assert engine.stale_since() is None

    # when: a patrol is recorded and its transaction commits (the enqueue must not raise)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        patrol(unit, local(2022, 3, 1, 8))
    assert callbacks

    # then: the mark waits, the dashboard can say since when figures are stale
    assert KpiDirty.objects.filter(week=dt.date(2022, 2, 28), unit_id=unit.pk).exists()
    assert engine.stale_since() is not None
    assert numerator("brigade.patrols", "2022-W09") == 0

    # and: a later run (the next enqueue that works, or the nightly one) catches up
    engine.recompute_dirty()
    assert engine.stale_since() is None
    assert KpiDirty.objects.count() == 0
    assert numerator("brigade.patrols", "2022-W09", unit) == 1


def test_a_failed_enqueue_lets_the_next_change_try_again(unit, monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(kwargs)
        raise BrokerDown("Connection refused.")

    monkeypatch.setattr(recompute_dirty_task, "apply_async", refuse)

    engine.schedule_recompute()
    engine.schedule_recompute()

    assert len(attempts) == 2  # no coalescing flag left behind by the failure


# --- publishing -----------------------------------------------------------------------------


def published() -> set[tuple]:
    return set(
        KpiPublished.objects.values_list(
            "metric", "week", "scope", "numerator", "denominator", "value", "published_at"
        )
    )


def test_a_published_week_is_frozen(records, unit):
    # given: figures computed and week 2022-W11 published
    engine.recompute_all()
    week = parse_week("2022-W11")
    count = engine.publish_week(week)
    assert count == KpiRollup.objects.filter(week=week).count() > 0
    frozen = published()
    row = KpiPublished.objects.get(metric="brigade.patrols", week=week, scope=str(unit.pk))
    assert row.numerator == 3

    # when: a patrol of that week is deleted and the figures are recomputed
    records["mar15"].delete()
    engine.recompute_dirty()

    # then: live figures moved, the published ones did not
    assert numerator("brigade.patrols", "2022-W11", unit) == 2
    assert published() == frozen

    # and: publishing the week again adds nothing
    assert engine.publish_week(week) == 0
    assert published() == frozen


def test_publishing_a_week_moves_the_cache_version(records):
    engine.recompute_all()
    before = engine.version()

    engine.publish_week(parse_week("2022-W10"))

    assert engine.version() > before


@pytest.mark.clock
def test_closing_the_week_catches_up_and_publishes_last_week(unit):
    # given: a patrol last week, recorded but not yet recomputed (its mark waits)
    last_week = engine.current_week() - dt.timedelta(days=7)
    patrol(unit, dt.datetime.combine(last_week, dt.time(9), tzinfo=SHANGHAI), no_helmet=2)
    assert KpiDirty.objects.exists()

    # when: the Monday beat entry runs
    close_week_task()

    # then: last week's figures are published, the marks taken
    assert not KpiDirty.objects.exists()
    helmets = KpiPublished.objects.get(
        metric="brigade.violations.no_helmet", week=last_week, scope=str(unit.pk)
    )
    assert helmets.numerator == 2
    assert not KpiPublished.objects.filter(week=engine.current_week()).exists()


# --- runs a commander starts ----------------------------------------------------------------


def test_a_run_without_a_broker_has_finished_when_it_is_started(records, commander):
    run = runs.start(by=commander)

    assert run.state == KpiRun.State.DONE
    assert run.requested_by == commander
    assert run.done == run.total > 0
    assert numerator("brigade.patrols", "2022-W12") == 5


def test_a_run_the_queue_refuses_is_failed_and_says_so(records, commander, monkeypatch):
    def refuse(*args, **kwargs):
        raise BrokerDown("Connection refused.")

    monkeypatch.setattr(recompute_all_task, "apply_async", refuse)

    with pytest.raises(runs.BrokerUnavailable):
        runs.start(by=commander)

    run = KpiRun.objects.get()
    assert run.state == KpiRun.State.FAILED
    assert run.error == "The task queue does not answer."
    assert not KpiRollup.objects.exists()


def test_a_training_session_moved_to_another_week_recomputes_both_weeks(unit):
    # given: a session on 2022-03-02 (week 9) with two officers called, one present
    session = TrainingSessionFactory(unit=unit, held_on=dt.date(2022, 3, 2))
    AttendanceFactory(session=session, attended=True)
    AttendanceFactory(session=session, attended=False)
    engine.recompute_all()
    KpiDirty.objects.all().delete()

    # when: the session's date is corrected to 2022-03-09 (week 10)
    session.held_on = dt.date(2022, 3, 9)
    session.save()
    engine.recompute_dirty()

    # then: week 9 called nobody yet, week 10 called two
    assert numerator("brigade.training_attendance_rate", "2022-W09", unit) == 0
    assert figure("brigade.training_attendance_rate", "2022-W10", unit).denominator == 2
    assert_as_full_recompute()


@pytest.mark.clock
@time_machine.travel(local(2022, 6, 15, 12), tick=False)
def test_a_full_run_from_a_week_writes_a_new_figure_back_to_the_grids_start(unit):
    # given: a year of patrols with helmet tallies, computed
    for month in range(1, 7):
        patrol(unit, local(2022, month, 3, 9), no_helmet=2)
    engine.recompute_all()
    # when: the unit's first speeding tally lands in May, and a full run from that week
    # (as ``rollup_kpis --since``) takes its mark
    with engine.paused():
        patrol(unit, local(2022, 5, 10, 9), speeding=3)
    engine.recompute_all(since=week_start(dt.date(2022, 5, 9)))
    # then: the new figure has its weeks before May too (0 there), as a full run writes it
    key = "brigade.violations.speeding"
    assert KpiRollup.objects.filter(metric=key, week=parse_week("2022-W05")).exists()
    assert_as_full_recompute()
