"""The brigade's own metrics: patrols, patrol hours, violations corrected (in all and by
type), post coverage, and training attendance and pass rates; and its figures of the period
report (training, duty on the roads, roads under works)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from brigade.core.kpi import Flow, HoursBetween, declare, register
from brigade.core.kpi.records import QuerysetRecords, describe_urls
from brigade.core.kpi.registry import sql_days, sql_units
from brigade.core.kpi.scopes import of_unit
from brigade.core.kpi.weeks import week_start
from brigade.core.report import figures
from brigade.core.report.compute import in_period, records
from brigade.core.report.figures import C, Counted, Counts, Facts, Figure, register_report
from brigade.core.report.period import Period
from brigade.duty.choices import AssessmentResult, PostKind, ViolationKind
from brigade.duty.models import (
    Attendance,
    DutyPost,
    PatrolLog,
    RoadWorksZone,
    SchoolBreak,
    TrainingSession,
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
    range_sql, range_params = sql_days(connection, "c.day", lo, hi, until=timezone.localdate())
    unit_sql, unit_params = sql_units("p.unit_id", unit_ids)
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
    range_sql, range_params = sql_days(connection, "c.day", lo, hi, until=timezone.localdate())
    unit_sql, unit_params = sql_units("p.unit_id", unit_ids)
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
# of those present, who passed the assessment (``training.passed.KIND``)
PASSED = Q(result=AssessmentResult.PASSED)


# the violations tallied on patrols, credited to the week the patrol started
TALLIES = declare.flow(
    ViolationTally, "patrol__started_at", Q(count__gt=0), unit="patrol__unit_id", amount=F("count")
)


def _attendances(*conditions: Q) -> Flow:
    """Officers called to training sessions, by the session's day and unit."""
    return declare.flow(Attendance, "session__held_on", *conditions, unit="session__unit_id")


def describe_records() -> None:
    """How the records behind the brigade's figures are linked in their lists."""
    patrol = ("brigade:patrollog_detail", "patrol_id")
    patrol_api = ("brigade-api:patrol-detail", "patrol_id")
    session = ("brigade:trainingsession_detail", "session_id")
    describe_urls(
        PatrolLog, "brigade:patrollog_detail", "brigade-api:patrol-detail", related=("officer",)
    )
    describe_urls(ViolationTally, patrol, patrol_api)
    describe_urls(DutyPost, None, "brigade-api:post-detail")
    describe_urls(
        Attendance, session, "brigade-api:attendance-detail", related=("officer", "session")
    )


def register_metrics() -> None:
    describe_records()
    register_report_figures()
    violations = declare.count(
        "brigade.violations_corrected",
        _("Violations corrected"),
        TALLIES,
        _("violations"),
        "Violations tallied on patrols, credited to the patrol's start.",
    )
    register(
        declare.count(
            "brigade.patrols",
            _("Patrols"),
            declare.flow(PatrolLog, "started_at"),
            _("patrols"),
            "Patrols started in the year to date, by their start.",
        ),
        declare.count(
            "brigade.patrol_hours",
            _("Patrol hours"),
            declare.flow(
                PatrolLog,
                "started_at",
                Q(ended_at__isnull=False),
                amount=HoursBetween("ended_at", "started_at"),
            ),
            _("hours"),
            "Hours of ended patrols, credited to the week each started in.",
        ),
        violations,
        declare.split_by(
            violations,
            "kind",
            ViolationKind,
            "brigade.violations",
            _("Violations corrected by type"),
            "The same tallies, one figure per violation type.",
        ),
        declare.rate(
            "brigade.post_coverage_rate",
            _("Post coverage"),
            declare.sql_flow(
                staffed_post_days_rows, "brigade.DutyPost", _checkin_touch, "brigade.PatrolLog"
            ),
            declare.sql_flow(
                planned_post_days_rows,
                "brigade.DutyPost",
                lambda obj: _post_touch(obj) if isinstance(obj, DutyPost) else _break_touch(obj),
                "brigade.DutyPost",
                "brigade.SchoolBreak",
            ),
            "Post-days staffed (a check-in) / post-days planned by the posts' schedules; school "
            "posts on school days only.",
        ),
        declare.rate(
            "brigade.training_attendance_rate",
            _("Training attendance"),
            _attendances(Q(attended=True)),
            _attendances(),
            "Officers present / officers called to training sessions.",
        ),
        declare.rate(
            "brigade.training_pass_rate",
            _("Training pass rate"),
            _attendances(PASSED),
            _attendances(Q(result__in=ASSESSED)),
            "Assessments passed / assessments taken.",
        ),
    )


# --- the period report: training, duty on the roads, roads under works ----------------------


def training_sessions(period: Period, unit_id: int | None) -> QuerySet[TrainingSession]:
    """Training sessions held in the period (``training.sessions.KIND``: of a kind)."""
    sessions = TrainingSession.objects.order_by().filter(held_on__range=(period.first, period.last))
    return of_unit(sessions, unit_id)


def training_attendances(period: Period, unit_id: int | None) -> QuerySet[Attendance]:
    """Attendances of those sessions by officers present (``training.attended.KIND``)."""
    attended = Attendance.objects.order_by().filter(
        attended=True, session__held_on__range=(period.first, period.last)
    )
    return of_unit(attended, unit_id, "session__unit_id")


def _training_counts(period: Period, unit_id: int | None) -> Counted:
    out = Counted({})
    for row in training_sessions(period, unit_id).values("kind").annotate(n=Count("pk")):
        out.amounts[f"training.sessions.{row['kind']}"] = Decimal(row["n"])
    for row in (
        training_attendances(period, unit_id)
        .values(kind=F("session__kind"))
        .annotate(n_attended=Count("pk"), n_passed=Count("pk", filter=PASSED))
    ):
        out.amounts[f"training.attended.{row['kind']}"] = Decimal(row["n_attended"])
        out.amounts[f"training.passed.{row['kind']}"] = Decimal(row["n_passed"])
    return out


def _training_records(name: str, period: Period, unit_id: int | None) -> QuerysetRecords:
    kind = name.rsplit(".", 1)[-1]
    span = (period.first, period.last)
    if name.startswith("training.sessions."):
        return QuerysetRecords(
            training_sessions(period, unit_id).filter(kind=kind), "held_on", "unit_id", *span
        )
    attended = training_attendances(period, unit_id).filter(session__kind=kind)
    if name.startswith("training.passed."):
        attended = attended.filter(PASSED)
    return QuerysetRecords(attended, "session__held_on", "session__unit_id", *span)


def road_zones(period: Period, unit_id: int | None) -> QuerySet[RoadWorksZone]:
    """The works that overlapped the period, one per road: its first (by start)."""
    zones = _zones_in(period, unit_id).order_by()
    first = zones.filter(road=OuterRef("road")).order_by("starts_on", "pk").values("pk")[:1]
    return zones.filter(pk=Subquery(first))


def _zones_in(period: Period, unit_id: int | None) -> QuerySet[RoadWorksZone]:
    """Road-works zones whose works overlapped the period."""
    zones = RoadWorksZone.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=period.first), starts_on__lte=period.last
    )
    return of_unit(zones, unit_id)


def _road_works(period: Period, unit_id: int | None) -> Counted:
    """The roads whose works overlapped the period, in order of the works' start."""
    zones = road_zones(period, unit_id).order_by("starts_on", "road")
    roads = list(zones.values_list("road", flat=True))
    return Counted({"brigade.road_works.roads": Decimal(len(roads))}, roads)


def _road_works_records(name: str, period: Period, unit_id: int | None) -> QuerysetRecords:
    return QuerysetRecords(
        road_zones(period, unit_id), "starts_on", "unit_id", period.first, period.last
    )


def _trainings(period: Period, unit_id: int | None) -> QuerySet[TrainingSession]:
    return in_period(TrainingSession.objects.all, "held_on")(period, unit_id).annotate(
        present=Count("attendances", filter=Q(attendances__attended=True))
    )


def _zones(period: Period, unit_id: int | None) -> QuerySet[RoadWorksZone]:
    return _zones_in(period, unit_id).select_related("unit").order_by("starts_on", "pk")


def _team(facts: Facts) -> str:
    return gettext(
        "The brigade held %(study)s concentrated study sessions, attended %(lecture)s "
        "special lectures and held %(education)s warning and hero education viewings. "
        "It ran %(drill)s batches of drills, with %(drill_people)s participations of "
        "police, auxiliaries and security staff; %(moto)s officers took the motorcycle "
        "skills training and %(moto_passed)s of them passed the assessment."
    ) % {
        "study": facts.value("training.study"),
        "lecture": facts.value("training.lecture"),
        "education": facts.value("training.education"),
        "drill": facts.value("training.drill"),
        "drill_people": facts.value("training.drill_participants"),
        "moto": facts.value("training.motorcycle_trainees"),
        "moto_passed": facts.numerator("training.motorcycle_passed"),
    }


def _traffic(facts: Facts) -> str:
    text = gettext(
        "Officers went out on %(patrols)s patrols and post duties, %(hours)s hours in all, "
        "at peak-hour posts, school posts, fixed posts and on mobile and motorcycle "
        "patrols, and corrected %(violations)s traffic violations."
    ) % {
        "patrols": facts.value("brigade.patrols"),
        "hours": facts.value("brigade.patrol_hours"),
        "violations": facts.value("brigade.violations_corrected"),
    }
    if facts.roads:
        text += gettext(
            " Extra police kept traffic moving on %(count)s roads under works (%(roads)s)."
        ) % {"count": len(facts.roads), "roads": "、".join(facts.roads)}
    return text


def _duty_figures() -> list[Figure]:
    violations = pgettext_lazy("counted", "violations")
    return [
        figures.count(
            21,
            "brigade.patrols",
            "traffic",
            _("Patrols and post duties"),
            pgettext_lazy("counted", "patrols"),
        ),
        figures.count(
            21,
            "brigade.patrol_hours",
            "traffic",
            _("Hours on patrol and post duty"),
            pgettext_lazy("counted", "hours"),
            places=1,
        ),
        figures.count(
            22,
            "brigade.road_works",
            "traffic",
            _("Roads under works given extra police"),
            pgettext_lazy("counted", "roads"),
            C("brigade.road_works.roads"),
        ),
        figures.count(
            23,
            "brigade.violations_corrected",
            "traffic",
            _("Violations corrected"),
            violations,
        ),
        *[
            figures.count(
                23,
                f"brigade.violations.{kind.value}",
                "traffic",
                kind.label,
                violations,
                part_of="brigade.violations_corrected",
            )
            for kind in ViolationKind
        ],
    ]


def _training(row: int, kind: str, label: Any, unit_label: Any) -> Figure:
    """Training sessions of a kind held in the period."""
    return figures.count(
        row, f"training.{kind}", "team", label, unit_label, C(f"training.sessions.{kind}")
    )


def _training_figures() -> list[Figure]:
    sessions = pgettext_lazy("counted", "sessions")
    return [
        _training(1, "study", _("Concentrated study sessions"), sessions),
        _training(
            2, "lecture", _("Special lectures attended"), pgettext_lazy("counted", "lectures")
        ),
        _training(3, "education", _("Warning and hero education viewings"), sessions),
        _training(4, "drill", _("Drill batches"), pgettext_lazy("counted", "batches")),
        figures.count(
            4,
            "training.drill_participants",
            "team",
            _("Drill participants (police, auxiliaries, security staff)"),
            pgettext_lazy("counted", "person-times"),
            C("training.attended.drill"),
        ),
        figures.count(
            5,
            "training.motorcycle_trainees",
            "team",
            _("Motorcycle skills trainees"),
            pgettext_lazy("counted", "officers"),
            C("training.attended.motorcycle"),
        ),
        Figure(
            5,
            "training.motorcycle_passed",
            "team",
            _("Motorcycle trainees who passed the assessment"),
            C("training.passed.motorcycle"),
            C("training.attended.motorcycle"),
        ),
    ]


def register_report_figures() -> None:
    """The brigade's figures of the period report (rows 1-5 and 21-23 of FIGURES.md), the
    counts no metric has behind them, their lists and their areas' paragraphs."""
    register_report(
        *_training_figures(),
        *_duty_figures(),
        counts=[
            Counts(
                ("training.sessions.", "training.attended.", "training.passed."),
                _training_counts,
                _training_records,
            ),
            Counts(("brigade.road_works.roads",), _road_works, _road_works_records),
        ],
        records=[
            records(
                "team",
                _("Training sessions"),
                TrainingSession,
                "held_on kind title unit.name present",
                rows=_trainings,
                held_on=_("Date"),
                present=_("Present"),
            ),
            records(
                "traffic",
                _("Road-works zones"),
                RoadWorksZone,
                "name road unit.name starts_on ends_on extra_officers",
                rows=_zones,
            ),
        ],
        paragraphs={"team": _team, "traffic": _traffic},
    )
