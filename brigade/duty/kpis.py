"""The brigade's own metrics: patrols, patrol hours, violations corrected (in all and by
type), post coverage, and training attendance and pass rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brigade.core.kpi import Flow, HoursBetween, Metric, register, rows_sql
from brigade.core.kpi.records import describe
from brigade.core.kpi.weeks import week_start
from brigade.duty.choices import AssessmentResult, PostKind, ViolationKind
from brigade.duty.models import (
    Attendance,
    DutyPost,
    PatrolLog,
    SchoolBreak,
    Unit,
    ViolationTally,
)

# --- post coverage, in SQL: the calendar crossed with the posts' schedules ----------------


def _planned_where(connection: Any, day: str, post: str) -> str:
    """A post is planned on a day of its weekdays, from its first day of service, and a
    school post only on school days (working days outside school breaks)."""
    weekday = f"'%%' || {day.replace('.day', '.isoweekday')} || '%%'"
    return (
        f"{post}.is_active AND {post}.weekdays LIKE ({weekday}) "
        f"AND {day} >= {post}.active_from "
        f"AND ({post}.kind <> '{PostKind.SCHOOL}' OR ({day.replace('.day', '.is_workday')} "
        f"AND NOT EXISTS (SELECT 1 FROM {SchoolBreak._meta.db_table} b "
        f"WHERE b.starts_on <= {day} AND b.ends_on >= {day})))"
    )


def _range(connection: Any, day: str, lo: dt.date | None, hi: dt.date | None) -> tuple[str, list]:
    today = timezone.localdate()
    hi = min(hi, today) if hi else today
    sql, params = f" AND {day} <= %s", [connection.ops.adapt_datefield_value(hi)]
    if lo:
        sql += f" AND {day} >= %s"
        params.append(connection.ops.adapt_datefield_value(lo))
    return sql, params


def _units(unit_ids: Iterable[int] | None, column: str) -> tuple[str, list]:
    if unit_ids is None:
        return "", []
    ids = sorted(unit_ids)
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", ids


def _ensure_calendar(lo: dt.date | None, hi: dt.date | None) -> None:
    from django.db.models import Min

    from brigade.core.calendar import ensure_calendar

    first = lo or DutyPost.objects.aggregate(first=Min("active_from"))["first"]
    if first is not None:
        ensure_calendar(first, min(hi, timezone.localdate()) if hi else timezone.localdate())


def planned_post_days_rows(connection: Any, lo: dt.date | None, hi: dt.date | None, unit_ids):
    """Rows (day, cohort, unit_id, amount=1, pk=post, ref=day): one per post per day it
    was planned."""
    _ensure_calendar(lo, hi)
    range_sql, range_params = _range(connection, "c.day", lo, hi)
    unit_sql, unit_params = _units(unit_ids, "p.unit_id")
    sql = (
        "SELECT c.day AS day, c.year AS cohort, p.unit_id AS unit_id, 1 AS amount, "
        "p.id AS pk, c.day AS ref "
        f"FROM brigade_calendarday c JOIN {DutyPost._meta.db_table} p "
        f"ON {_planned_where(connection, 'c.day', 'p')}"
        f" WHERE 1 = 1{range_sql}{unit_sql}"
    )
    return sql, [*range_params, *unit_params]


def staffed_post_days_rows(connection: Any, lo: dt.date | None, hi: dt.date | None, unit_ids):
    """Rows (day, cohort, unit_id, amount=1, pk=post, ref=day): one per planned post-day
    with a check-in."""
    _ensure_calendar(lo, hi)
    local_day, tz_params = connection.ops.datetime_cast_date_sql(
        "l.checked_in_at", (), timezone.get_default_timezone_name()
    )
    range_sql, range_params = _range(connection, "c.day", lo, hi)
    unit_sql, unit_params = _units(unit_ids, "p.unit_id")
    # index-friendly bounds on the raw timestamp (a day of margin for the time zone), so
    # that a recompute of a few weeks reads only their check-ins
    checkin_sql, checkin_params = "", []
    if lo:
        checkin_sql += " AND l.checked_in_at >= %s"
        start = dt.datetime.combine(lo - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        checkin_params.append(connection.ops.adapt_datetimefield_value(start))
    if hi:
        checkin_sql += " AND l.checked_in_at < %s"
        end = dt.datetime.combine(hi + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC)
        checkin_params.append(connection.ops.adapt_datetimefield_value(end))
    sql = (
        "SELECT day, cohort, unit_id, 1 AS amount, post_id AS pk, day AS ref FROM ("
        "SELECT DISTINCT p.id AS post_id, c.day AS day, c.year AS cohort, p.unit_id AS unit_id "
        f"FROM {PatrolLog._meta.db_table} l "
        f"JOIN {DutyPost._meta.db_table} p ON p.id = l.post_id "
        f"JOIN brigade_calendarday c ON c.day = {local_day} "
        f"WHERE l.checked_in_at IS NOT NULL AND {_planned_where(connection, 'c.day', 'p')}"
        f"{checkin_sql}{range_sql}{unit_sql}) staffed"
    )
    return sql, [*tz_params, *checkin_params, *range_params, *unit_params]


planned_post_days_sql = rows_sql(planned_post_days_rows)
staffed_post_days_sql = rows_sql(staffed_post_days_rows)


def _checkin_touch(patrol: PatrolLog) -> Iterable[tuple[dt.date, int]]:
    if patrol.checked_in_at and patrol.post_id:
        unit_id = DutyPost.objects.filter(pk=patrol.post_id).values_list("unit_id", flat=True)
        for unit in unit_id:
            yield timezone.localdate(patrol.checked_in_at), unit


def _post_touch(post: DutyPost) -> Iterable[tuple[dt.date, int]]:
    """A schedule change moves every week the post has been in service."""
    day = week_start(post.active_from)  # Mondays: a step of 7 days never skips this week
    today = timezone.localdate()
    while day <= today:
        yield day, post.unit_id
        day += dt.timedelta(days=7)


def _break_touch(school_break: SchoolBreak) -> Iterable[tuple[dt.date, int]]:
    units = list(Unit.objects.values_list("pk", flat=True))
    day = week_start(school_break.starts_on)  # Mondays: the week the break ends is marked too
    while day <= min(school_break.ends_on, timezone.localdate()):
        for unit in units:
            yield day, unit
        day += dt.timedelta(days=7)


# --- the metrics --------------------------------------------------------------------------

ASSESSED = (AssessmentResult.PASSED, AssessmentResult.FAILED)


def _reverser(name: str, attribute: str = "pk") -> Any:
    def url(record: Any) -> str:
        return reverse(name, args=[getattr(record, attribute)])

    return url


def describe_records() -> None:
    """How the records behind the brigade's figures are linked in their lists."""
    describe(
        PatrolLog,
        page=_reverser("brigade:patrollog_detail"),
        api=_reverser("brigade-api:patrol-detail"),
        related=("officer",),
    )
    describe(
        ViolationTally,
        page=_reverser("brigade:patrollog_detail", "patrol_id"),
        api=_reverser("brigade-api:patrol-detail", "patrol_id"),
    )
    describe(DutyPost, api=_reverser("brigade-api:post-detail"))
    describe(
        Attendance,
        page=_reverser("brigade:trainingsession_detail", "session_id"),
        api=_reverser("brigade-api:attendance-detail"),
        related=("officer", "session"),
    )


def register_metrics() -> None:
    describe_records()
    register(
        Metric(
            key="brigade.patrols",
            label=_("Patrols"),
            description="Patrols started in the year to date, by their start.",
            numerator=Flow(source=lambda: PatrolLog.objects.all(), when="started_at"),
            unit_label=_("patrols"),
            order=10,
        ),
        Metric(
            key="brigade.patrol_hours",
            label=_("Patrol hours"),
            description="Hours of ended patrols, credited to the week each started in.",
            numerator=Flow(
                source=lambda: PatrolLog.objects.filter(ended_at__isnull=False),
                when="started_at",
                amount=HoursBetween("ended_at", "started_at"),
            ),
            unit_label=_("hours"),
            order=20,
        ),
        Metric(
            key="brigade.violations_corrected",
            label=_("Violations corrected"),
            description="Violations tallied on patrols, credited to the patrol's start.",
            numerator=Flow(
                source=lambda: ViolationTally.objects.filter(count__gt=0),
                when="patrol__started_at",
                unit="patrol__unit_id",
                amount=F("count"),
            ),
            unit_label=_("violations"),
            order=30,
        ),
        Metric(
            key="brigade.violations",
            label=_("Violations corrected by type"),
            description="The same tallies, one figure per violation type.",
            numerator=Flow(
                source=lambda: ViolationTally.objects.filter(count__gt=0),
                when="patrol__started_at",
                unit="patrol__unit_id",
                amount=F("count"),
                split="kind",
            ),
            parts=tuple((kind.value, kind.label) for kind in ViolationKind),
            unit_label=_("violations"),
            tile=False,
            order=31,
        ),
        Metric(
            key="brigade.post_coverage_rate",
            label=_("Post coverage"),
            description="Post-days staffed (a check-in) / post-days planned by the posts' "
            "schedules; school posts on school days only.",
            numerator=Flow(
                sql=staffed_post_days_sql,
                rows=staffed_post_days_rows,
                rows_of="brigade.DutyPost",
                watch=("brigade.PatrolLog",),
                touch=_checkin_touch,
            ),
            denominator=Flow(
                sql=planned_post_days_sql,
                rows=planned_post_days_rows,
                rows_of="brigade.DutyPost",
                watch=("brigade.DutyPost", "brigade.SchoolBreak"),
                touch=lambda obj: (
                    _post_touch(obj) if isinstance(obj, DutyPost) else _break_touch(obj)
                ),
            ),
            order=40,
        ),
        Metric(
            key="brigade.training_attendance_rate",
            label=_("Training attendance"),
            description="Officers present / officers called to training sessions.",
            numerator=Flow(
                source=lambda: Attendance.objects.filter(attended=True),
                when="session__held_on",
                unit="session__unit_id",
            ),
            denominator=Flow(
                source=lambda: Attendance.objects.all(),
                when="session__held_on",
                unit="session__unit_id",
            ),
            order=50,
        ),
        Metric(
            key="brigade.training_pass_rate",
            label=_("Training pass rate"),
            description="Assessments passed / assessments taken.",
            numerator=Flow(
                source=lambda: Attendance.objects.filter(result=AssessmentResult.PASSED),
                when="session__held_on",
                unit="session__unit_id",
            ),
            denominator=Flow(
                source=lambda: Attendance.objects.filter(result__in=ASSESSED),
                when="session__held_on",
                unit="session__unit_id",
            ),
            order=60,
        ),
    )
