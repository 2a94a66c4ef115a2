"""Reads of the hazards app: the queue order, open and overdue hazards, scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.apps import apps
from django.db import models
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from brigade.core.querysets import ScopedQuerySet
from hazards.choices import OPEN_STATUSES, HazardStatus

# A deadline this close (days) counts as "due soon" in the commander's queue.
DUE_SOON_DAYS = 3


class HazardQuerySet(ScopedQuerySet):
    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self) -> Self:
        return self.exclude(status__in=OPEN_STATUSES)

    def overdue(self, at: dt.date | None = None) -> Self:
        """Open hazards whose deadline has passed by ``at`` (local date, default today)."""
        at = at or timezone.localdate()
        return self.open().filter(deadline__lt=at)

    def due_soon(self, at: dt.date | None = None) -> Self:
        at = at or timezone.localdate()
        return self.open().filter(deadline__gte=at, deadline__lte=at + dt.timedelta(DUE_SOON_DAYS))

    def awaiting_check(self) -> Self:
        return self.filter(status=HazardStatus.RECTIFIED)

    def queue_counts(self, at: dt.date | None = None) -> dict[str, int]:
        """How many are open, overdue and awaiting a check, in one query."""
        at = at or timezone.localdate()
        is_open = Q(status__in=OPEN_STATUSES)
        return self.aggregate(
            open=Count("pk", filter=is_open),
            overdue=Count("pk", filter=is_open & Q(deadline__lt=at)),
            awaiting=Count("pk", filter=Q(status=HazardStatus.RECTIFIED)),
        )

    def with_urgency(self, at: dt.date | None = None) -> Self:
        """Annotate ``urgency``: 0 overdue, 1 due soon, 2 other open, 3 closed."""
        at = at or timezone.localdate()
        soon = at + dt.timedelta(DUE_SOON_DAYS)
        is_open = Q(status__in=OPEN_STATUSES)
        return self.annotate(
            urgency=Case(
                When(is_open & Q(deadline__lt=at), then=Value(0)),
                When(is_open & Q(deadline__lte=soon), then=Value(1)),
                When(is_open, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )

    def queue(self, at: dt.date | None = None) -> Self:
        """The commander's order: overdue, then due soon, then other open, then closed."""
        return self.with_urgency(at).order_by(
            "urgency", models.F("deadline").asc(nulls_last=True), "-found_at", "-pk"
        )

    def for_list(self) -> Self:
        return self.select_related("unit", "reported_by")


class KeyVehicleQuerySet(ScopedQuerySet):
    def flagged(self) -> Self:
        from hazards.choices import KeyVehicleStatus

        return self.filter(status=KeyVehicleStatus.FLAGGED)


class FacilityWorkQuerySet(ScopedQuerySet):
    pass


class PhotoQuerySet(ScopedQuerySet):
    unit_path = "hazard__unit_id"


def visible_hazard(user: Any, pk: Any) -> Any:
    from django.shortcuts import get_object_or_404

    Hazard = apps.get_model("hazards", "Hazard")  # not imported: models import this module

    return get_object_or_404(Hazard.objects.visible_to(user), pk=pk)


class CheckQuerySet(ScopedQuerySet):
    unit_path = "hazard__unit_id"
