"""Tables and bases the core owns: the record base class and the official calendar.

The KPI engine's tables (``brigade.core.kpi.models``) and the kept answers of repeated
writes (``brigade.core.idempotency``) are imported here so that the project's app
(``brigade.models``) registers every core table with one import.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Creation and last-change times on every record (If-Match uses updated_at)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class CalendarDay(models.Model):
    """One day of the official calendar (holidays, make-up workdays), kept in the
    database so that coverage can be counted in SQL; filled from ``brigade.core.calendar``."""

    day = models.DateField(_("day"), primary_key=True)
    year = models.PositiveSmallIntegerField(_("year"))
    isoweekday = models.PositiveSmallIntegerField(_("ISO weekday"))
    is_workday = models.BooleanField(_("working day"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return self.day.isoformat()


from brigade.core.idempotency import IdempotencyKey  # noqa: E402
from brigade.core.kpi.models import (  # noqa: E402
    KpiDirty,
    KpiFlow,
    KpiPublished,
    KpiRollup,
    KpiRun,
    KpiWeek,
)

__all__ = [
    "CalendarDay",
    "IdempotencyKey",
    "KpiDirty",
    "KpiFlow",
    "KpiPublished",
    "KpiRollup",
    "KpiRun",
    "KpiWeek",
    "TimeStampedModel",
]
