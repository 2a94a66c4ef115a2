"""Reads of the brigade app; ``visible_to(user)`` is the one way lists are scoped."""

from __future__ import annotations

import datetime as dt
from typing import Self, TypedDict

from django.apps import apps
from django.db import models
from django.db.models import Count, Prefetch, Q, Sum

from brigade.core.querysets import ScopedQuerySet
from brigade.core.roles import Role
from brigade.core.scope import scope_of


class Coverage(TypedDict):
    """Posts planned vs staffed on one day; ``rate`` is None when none was planned."""

    day: dt.date
    planned: int
    staffed: int
    rate: float | None


def is_school_day(day: dt.date) -> bool:
    """A working day outside any school break recorded by the brigade."""
    from brigade.core.calendar import is_workday

    SchoolBreak = apps.get_model("brigade", "SchoolBreak")

    if not is_workday(day):
        return False
    return not SchoolBreak.objects.filter(starts_on__lte=day, ends_on__gte=day).exists()


class UnitQuerySet(ScopedQuerySet):
    unit_path = "pk"


class OfficerQuerySet(ScopedQuerySet):
    def active(self) -> OfficerQuerySet:
        return self.filter(is_active=True)


class DutyPostQuerySet(ScopedQuerySet):
    def planned_on(self, day: dt.date) -> DutyPostQuerySet:
        """Posts in service and scheduled on ``day``; school posts only on school days."""
        from brigade.duty.choices import PostKind

        qs = self.filter(
            is_active=True, active_from__lte=day, weekdays__contains=str(day.isoweekday())
        )
        if not is_school_day(day):
            qs = qs.exclude(kind=PostKind.SCHOOL)
        return qs

    def with_staffing(self, day: dt.date) -> DutyPostQuerySet:
        """Annotate ``staffed``: someone checked in at the post on ``day`` (local time)."""
        from django.utils import timezone

        PatrolLog = apps.get_model("brigade", "PatrolLog")

        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        checkins = PatrolLog.objects.filter(
            post=models.OuterRef("pk"),
            checked_in_at__gte=start,
            checked_in_at__lt=start + dt.timedelta(days=1),
        )
        return self.annotate(staffed=models.Exists(checkins))

    def coverage(self, day: dt.date) -> Coverage:
        """Posts planned vs staffed on ``day``, in one query."""
        row = (
            self.planned_on(day)
            .with_staffing(day)
            .aggregate(n_planned=Count("pk"), n_staffed=Count("pk", filter=Q(staffed=True)))
        )
        planned, staffed = row["n_planned"], row["n_staffed"]
        rate = staffed / planned if planned else None
        return {"day": day, "planned": planned, "staffed": staffed, "rate": rate}


class ShiftQuerySet(ScopedQuerySet):
    def on_day(self, day: dt.date) -> ShiftQuerySet:
        """Shifts that overlap the local calendar day ``day``."""
        from django.utils import timezone

        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        end = start + dt.timedelta(days=1)
        return self.filter(starts_at__lt=end, ends_at__gt=start)

    def for_list(self) -> ShiftQuerySet:
        return self.select_related("officer", "post", "unit")


class PatrolLogQuerySet(ScopedQuerySet):
    def visible_to(self, user: object) -> Self:
        """Commanders and admins see their units' patrols; an officer sees their own."""
        scope = scope_of(user)
        if scope.has_any(Role.COMMANDER, Role.ADMIN):
            return super().visible_to(user)
        if scope.officer_id is None:
            return self.none()
        return self.filter(officer_id=scope.officer_id)

    def open(self) -> PatrolLogQuerySet:
        return self.filter(ended_at__isnull=True)

    def for_list(self) -> PatrolLogQuerySet:
        """Everything a list row shows, in a fixed number of queries."""
        ViolationTally = apps.get_model("brigade", "ViolationTally")

        return (
            self.select_related("officer", "unit", "post", "zone", "campaign")
            .prefetch_related(Prefetch("tallies", queryset=ViolationTally.objects.order_by("kind")))
            .annotate(violations_total=Sum("tallies__count", default=0))
        )

    def kinds_used(self) -> dict[str, int]:
        """Violations corrected per kind over these patrols' ended ones, the most used first
        (one query). The open patrol is left out: its taps would move the counters under
        the thumb while the officer tallies."""
        ViolationTally = apps.get_model("brigade", "ViolationTally")

        rows = (
            ViolationTally.objects.filter(
                patrol__in=self.filter(ended_at__isnull=False).values("pk"), count__gt=0
            )
            .values("kind")
            .annotate(used=Sum("count"))
            .order_by("-used", "kind")
        )
        return {row["kind"]: row["used"] for row in rows}

    def on_day(self, day: dt.date) -> PatrolLogQuerySet:
        from django.utils import timezone

        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return self.filter(started_at__gte=start, started_at__lt=start + dt.timedelta(days=1))


class TrainingSessionQuerySet(ScopedQuerySet):
    def with_attendance_counts(self) -> Self:
        """Annotate attended / passed / failed per session, in the row query."""
        from brigade.duty.choices import AssessmentResult

        return self.annotate(
            attended=Count("attendances", filter=Q(attendances__attended=True)),
            passed=Count("attendances", filter=Q(attendances__result=AssessmentResult.PASSED)),
            failed=Count("attendances", filter=Q(attendances__result=AssessmentResult.FAILED)),
        )


class AttendanceQuerySet(ScopedQuerySet):
    unit_path = "session__unit_id"

    def summary(self) -> dict[str, int]:
        from brigade.duty.choices import AssessmentResult

        return self.aggregate(
            attended=Count("pk", filter=Q(attended=True)),
            passed=Count("pk", filter=Q(result=AssessmentResult.PASSED)),
            failed=Count("pk", filter=Q(result=AssessmentResult.FAILED)),
        )
