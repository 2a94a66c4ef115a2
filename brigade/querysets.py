"""Reads of the brigade app; ``visible_to(user)`` is the one way lists are scoped."""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.db import models
from django.db.models import Count, Prefetch, Q, Sum

from brigade.choices import Role
from brigade.roles import scope_of


class ScopedQuerySet(models.QuerySet):
    """Base of every scoped queryset: subclasses name the path to the record's unit."""

    unit_path = "unit_id"

    def visible_to(self, user: Any) -> Self:
        scope = scope_of(user)
        if scope.brigade_wide:
            return self.all()
        if scope.unit_id is None:
            return self.none()
        return self.filter(**{self.unit_path: scope.unit_id})


class UnitScopedQuerySet(ScopedQuerySet):
    """Records that belong to one unit through their ``unit`` field."""


class UnitQuerySet(ScopedQuerySet):
    unit_path = "pk"


class BrigadeWideQuerySet(models.QuerySet):
    """Records shared by the whole brigade (e.g. crackdown campaigns)."""

    def visible_to(self, user: Any) -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.all()

    def current(self, day: dt.date) -> BrigadeWideQuerySet:
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class OfficerQuerySet(ScopedQuerySet):
    def active(self) -> OfficerQuerySet:
        return self.filter(is_active=True)


class DutyPostQuerySet(ScopedQuerySet):
    def planned_on(self, day: dt.date) -> DutyPostQuerySet:
        """Posts in service and scheduled on ``day``; school posts only on school days."""
        from brigade.calendar import is_school_day
        from brigade.choices import PostKind

        qs = self.filter(
            is_active=True, active_from__lte=day, weekdays__contains=str(day.isoweekday())
        )
        if not is_school_day(day):
            qs = qs.exclude(kind=PostKind.SCHOOL)
        return qs

    def with_staffing(self, day: dt.date) -> DutyPostQuerySet:
        """Annotate ``staffed``: someone checked in at the post on ``day`` (local time)."""
        from django.utils import timezone

        from brigade.models import PatrolLog

        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        checkins = PatrolLog.objects.filter(
            post=models.OuterRef("pk"),
            checked_in_at__gte=start,
            checked_in_at__lt=start + dt.timedelta(days=1),
        )
        return self.annotate(staffed=models.Exists(checkins))

    def coverage(self, day: dt.date) -> dict[str, Any]:
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
    def visible_to(self, user: Any) -> Self:
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
        from brigade.models import ViolationTally

        return (
            self.select_related("officer", "unit", "post", "zone", "campaign")
            .prefetch_related(Prefetch("tallies", queryset=ViolationTally.objects.order_by("kind")))
            .annotate(violations_total=Sum("tallies__count", default=0))
        )

    def on_day(self, day: dt.date) -> PatrolLogQuerySet:
        from django.utils import timezone

        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return self.filter(started_at__gte=start, started_at__lt=start + dt.timedelta(days=1))


class TrainingSessionQuerySet(ScopedQuerySet):
    def with_attendance_counts(self) -> Self:
        """Annotate attended / passed / failed per session, in the row query."""
        from brigade.choices import AssessmentResult

        return self.annotate(
            attended=Count("attendances", filter=Q(attendances__attended=True)),
            passed=Count("attendances", filter=Q(attendances__result=AssessmentResult.PASSED)),
            failed=Count("attendances", filter=Q(attendances__result=AssessmentResult.FAILED)),
        )


class AttendanceQuerySet(ScopedQuerySet):
    unit_path = "session__unit_id"

    def summary(self) -> dict[str, int]:
        from brigade.choices import AssessmentResult

        return self.aggregate(
            attended=Count("pk", filter=Q(attended=True)),
            passed=Count("pk", filter=Q(result=AssessmentResult.PASSED)),
            failed=Count("pk", filter=Q(result=AssessmentResult.FAILED)),
        )
