"""Tables and bases the core owns: the record base class and the official calendar.

The KPI engine's tables (``brigade.core.kpi.models``) and the kept answers of repeated
writes (``brigade.core.idempotency``) are imported here so that the project's app
(``brigade.models``) registers every core table with one import.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brigade.core.querysets import ScopedQuerySet


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


class RevealWay(models.TextChoices):
    """How a user came to see personal data whole."""

    REVEAL = "reveal", _("Shown on request")
    SEARCH = "search", _("Found by a search")


class RevealLogQuerySet(ScopedQuerySet):
    def for_list(self) -> RevealLogQuerySet:
        return self.select_related("user", "record_type")


class RevealLog(models.Model):
    """Audit row: who saw a person's phone number whole (or found a record by it), on which
    record, when, from where (``brigade.core.privacy``).

    One log for every app: the record is named by its type and id (and by a label kept at
    the time, which stays readable if the record goes), its unit scopes the log. Append-only
    (never changed or deleted by the application), so it keeps no change history of its own:
    it is itself the audit trail.
    """

    at = models.DateTimeField(_("viewed at"), default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    way = models.CharField(_("how it was seen"), max_length=10, choices=RevealWay.choices)
    record_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kind of record"),
    )
    record_id = models.PositiveBigIntegerField(_("record id"))
    record = models.CharField(_("record"), max_length=200)
    # the record's unit when it was seen (units belong to the duty domain: kept by id)
    unit_id = models.PositiveIntegerField(_("unit"), null=True, blank=True)

    objects = RevealLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("phone number view")
        verbose_name_plural = _("phone number views")
        indexes = [
            models.Index(fields=["unit_id", "at"], name="reveallog_unit_at"),
            models.Index(fields=["user", "at"], name="reveallog_user_at"),
            models.Index(fields=["at"], name="reveallog_at"),
            models.Index(fields=["record_type", "record_id"], name="reveallog_record"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.record}"

    @property
    def link(self) -> str | None:
        from brigade.core.nav import record_pages

        kind = self.record_type
        return record_pages.url(f"{kind.app_label}.{kind.model}", self.record_id)


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
    "RevealLog",
    "RevealWay",
    "TimeStampedModel",
]
