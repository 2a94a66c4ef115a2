"""The "not in the future" check of what a record says has happened.

A time or a day something happened at (an accident, a callback, a publicity event, a
patrol's start) lies in the brigade's window for what has happened: from the brigade's
start to today (``brigade.core.dates``). Services check it before writing; forms carry the same
check as a validator so that one submit shows every error.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Model
from django.utils.functional import Promise

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
