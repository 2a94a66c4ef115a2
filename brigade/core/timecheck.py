"""The "not in the future" check of what a record says has happened.

A time or a day something happened at (an accident, a callback, a publicity event, a
patrol's start) lies in the brigade's window for what has happened: from the brigade's
start to today (``brigade.core.dates``). Services check it before writing; forms carry the same
check as a validator so that one submit shows every error.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from brigade.core import dates


def not_in_future(
    field: str,
    value: dt.date | dt.datetime | None,
    model: type[Model],
    *,
    model_field: str | None = None,
) -> None:
    """Raise ``ValidationError({field: ...})`` when ``value`` has not happened yet (or lies
    before the brigade's start); the message names ``model``'s field ``model_field``
    (default ``field``)."""
    name = model_field or field
    label = getattr(model._meta.get_field(name), "verbose_name", name)
    dates.check(field, value, dates.HAPPENED, label)


def happened_validator(label: str | Promise) -> dates.DateWindowValidator:
    """A form field's check of a day or time that has happened, named ``label``."""
    return dates.DateWindowValidator(dates.HAPPENED, label)


def planned_validator(label: str | Promise) -> dates.DateWindowValidator:
    """A form field's check of a deadline or a planned day (at most a year ahead)."""
    return dates.DateWindowValidator(dates.PLANNED, label)


class PhoneTimeValidator:
    """The time an action happened on a phone that may have sent it later (an offline
    queue, brigade/static/brigade/offline.js): not ahead of the server's clock by more than
    the skew, and not older than ``OFFLINE_QUEUE_MAX_AGE_DAYS`` (7 by default). A queued
    action keeps the time it was made, so that it counts in its own week; a time outside
    that window is a phone with a wrong clock or a queue left for too long, refused."""

    code = "phone_time"

    def __init__(self, label: str | Promise) -> None:
        self.label = label

    def __call__(self, value: object) -> None:
        if not isinstance(value, dt.datetime):
            return
        now = timezone.now()
        days = max_age_days()
        earliest = now - dt.timedelta(days=days)
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dates.local_tz())
        if value > now + dates.CLOCK_SKEW or value < earliest:
            raise ValidationError(
                _(
                    "%(field)s must lie between %(first)s and now: a time taken on the phone "
                    "is accepted for %(days)s days (check the phone's clock)."
                )
                % {
                    "field": capfirst(str(self.label)),
                    "first": timezone.localtime(earliest, dates.local_tz()).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "days": days,
                },
                code=self.code,
            )


def max_age_days() -> int:
    """How long a time taken on the phone stays acceptable (``OFFLINE_QUEUE_MAX_AGE_DAYS``)."""
    return int(getattr(settings, "OFFLINE_QUEUE_MAX_AGE_DAYS", 7))
