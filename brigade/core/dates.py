"""The brigade's date window: one rule for every date a person, an import or the API sends.

- Nothing is earlier than the brigade's start (``BRIGADE_EPOCH``, 2000-01-01 by default).
- What has happened (a ticket received, a hazard found, a payment made) is not in the
  future: up to now plus a few minutes of clock skew for a time, up to today for a date,
  "today" being the brigade's local (Asia/Shanghai) date.
- What is planned or due (a deadline, an extension, a shift, a campaign's end) is at most
  one year ahead of today.

A year-1 or year-9999 record used to be accepted and then stretched every working-day count
and KPI grid built on it, or overflowed them; the window keeps such records out. Models,
forms and API serializers all read it from here (the model fields below carry it, and DRF
and ModelForms take model validators along); services call ``check`` for what they are
handed directly. Records from before the rule are listed by ``manage.py check_dates``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import Promise, cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.core.validators import _ValidatorCallable
    from django.utils.functional import _StrOrPromise

# how a field is named in a message (a lazy translation or a plain string)
Label = Promise | str

# A clock a few minutes ahead on a phone must not make "now" look like the future.
CLOCK_SKEW = dt.timedelta(minutes=5)

# The kinds of date: what has happened, and what is planned or due (a deadline).
HAPPENED = "happened"
PLANNED = "planned"
KINDS = (HAPPENED, PLANNED)


def epoch() -> dt.date:
    """The first day a record of the brigade may carry (``BRIGADE_EPOCH``)."""
    day: dt.date = settings.BRIGADE_EPOCH
    return day


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today() -> dt.date:
    """Today in the brigade's local time (not the server's, not UTC)."""
    return timezone.localdate(timezone=local_tz())


def one_year_after(day: dt.date) -> dt.date:
    """The same day a year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def horizon(on: dt.date | None = None) -> dt.date:
    """The last day a deadline or a plan may fall on: one year after today."""
    return one_year_after(on or today())


def bounds(kind: str) -> tuple[dt.date, dt.date]:
    """The first and last allowed local date for a kind of date."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of date: {kind!r}")
    return epoch(), today() if kind == HAPPENED else horizon()


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=local_tz())


def in_window(value: dt.date | dt.datetime, kind: str) -> bool:
    """Whether ``value`` (a date, or an aware date and time) lies in the window."""
    first, last = bounds(kind)
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = value.replace(tzinfo=local_tz())
        if value < _start_of(first):
            return False
        if kind == HAPPENED:
            return value <= timezone.now() + CLOCK_SKEW
        # Up to the end of the horizon's day. Compared, never converted: year 9999 in a
        # zone west of Shanghai would overflow into year 10000 here.
        return value < _start_of(last) + dt.timedelta(days=1)
    return first <= value <= last


def message(kind: str, label: Label | None) -> str:
    """The refusal: which field, and the range it accepts."""
    first, last = bounds(kind)
    params = {"field": capfirst(str(label)), "first": first.isoformat(), "last": last.isoformat()}
    if kind == HAPPENED:
        return str(_("%(field)s must be between %(first)s and today (%(last)s).") % params)
    return str(
        _("%(field)s must be between %(first)s and %(last)s (at most a year ahead).") % params
    )


def check(
    field: str, value: dt.date | dt.datetime | None, kind: str, label: Label | None = None
) -> None:
    """Raise ``ValidationError({field: ...})`` when ``value`` lies outside the window."""
    if value is not None and not in_window(value, kind):
        raise ValidationError({field: message(kind, label or field)})


@deconstructible
class DateWindowValidator:
    """A validator for one kind of date; ``label`` names the field in the message."""

    code = "date_window"

    def __init__(self, kind: str = HAPPENED, label: Label | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of date: {kind!r}")
        self.kind = kind
        self.label = label

    def __call__(self, value: object) -> None:
        if isinstance(value, dt.date) and not in_window(value, self.kind):
            label = self.label if self.label is not None else _("This date")
            raise ValidationError(message(self.kind, label), code=self.code)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DateWindowValidator)
            and self.kind == other.kind
            and str(self.label) == str(other.label)
        )

    def __hash__(self) -> int:
        return hash((self.kind, str(self.label)))


class _WindowMixin:
    """A model field that carries the window, its message naming the field."""

    window = HAPPENED
    verbose_name: _StrOrPromise
    name: str

    @cached_property
    def validators(self) -> list[_ValidatorCallable]:
        label: Promise | str = self.verbose_name or self.name
        return [*super().validators, DateWindowValidator(self.window, label)]  # type: ignore[misc]


class HappenedDateField(_WindowMixin, models.DateField):
    """A date something happened on: from the brigade's start to today."""


class HappenedDateTimeField(_WindowMixin, models.DateTimeField):
    """A time something happened at: from the brigade's start to now."""


class PlannedDateField(_WindowMixin, models.DateField):
    """A deadline or a planned day: from the brigade's start to a year ahead."""

    window = PLANNED


class PlannedDateTimeField(_WindowMixin, models.DateTimeField):
    """A planned time (a shift): from the brigade's start to a year ahead."""

    window = PLANNED


def check_fields(model: type[models.Model], **values: dt.date | dt.datetime | None) -> None:
    """Check values against the window of the model fields of the same names (their kind
    and their names in the message): ``check_fields(Hazard, found_at=..., deadline=...)``."""
    found: dict[str, str] = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        kind = getattr(field, "window", None)
        if kind is not None and value is not None and not in_window(value, kind):
            found[name] = message(kind, getattr(field, "verbose_name", name))
    if found:
        raise ValidationError(found)
