"""The period of a report: two local dates, checked once for the page and the API alike,
the presets the page offers, and the previous period a report is compared with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from brigade.core import dates
from brigade.core.kpi.weeks import local_tz

# A report covers at most a year (a leap year's 366 days): longer spans are several reports.
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """From ``first`` to ``last``, both local dates, both included."""

    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def whole_months(self) -> int:
        """How many calendar months the period covers exactly (0: not whole months)."""
        if self.first.day != 1 or (self.last + dt.timedelta(days=1)).day != 1:
            return 0
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def previous(self) -> Period:
        """The period of the same length just before: the same number of calendar months
        for whole months (a half-year is compared with the half-year before), else the
        same number of days."""
        months = self.whole_months
        if months:
            return Period(add_months(self.first, -months), self.first - dt.timedelta(days=1))
        last = self.first - dt.timedelta(days=1)
        return Period(last - dt.timedelta(days=self.days - 1), last)

    def query(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def today() -> dt.date:
    return timezone.localdate(timezone=local_tz())


def period_errors(first: dt.date, last: dt.date, *, on: dt.date | None = None) -> dict[str, str]:
    """What is wrong with the period, by field (``from``/``to``); empty when it is fine."""
    on = on or today()
    errors: dict[str, str] = {}
    # Nothing the brigade records is older (brigade.core.dates); it also keeps the previous
    # period's dates valid.
    earliest = dates.epoch()
    if first < earliest:
        errors["from"] = str(
            _("The period cannot start before %(day)s.") % {"day": earliest.isoformat()}
        )
    if last > on:
        errors["to"] = str(
            _("The period cannot end after today (%(day)s).") % {"day": on.isoformat()}
        )
    elif last < first:
        errors["to"] = str(_("The end of the period cannot be before its start."))
    elif (last - first).days + 1 > MAX_DAYS:
        errors["to"] = str(
            _("A report covers at most %(days)s days; this period has %(span)s.")
            % {"days": MAX_DAYS, "span": (last - first).days + 1}
        )
    return errors


@dataclass(frozen=True)
class Preset:
    key: str
    label: Promise
    period: Period


def presets(on: dt.date | None = None) -> list[Preset]:
    """The periods a commander picks most, as of ``on`` (default today); none ends later."""
    on = on or today()
    monday = on - dt.timedelta(days=on.weekday())
    this_month = on.replace(day=1)
    last_month = add_months(this_month, -1)
    quarter = dt.date(on.year, (on.month - 1) // 3 * 3 + 1, 1)
    half = dt.date(on.year, 1 if on.month <= 6 else 7, 1)
    return [
        Preset("this_week", _("This week"), Period(monday, on)),
        Preset(
            "last_month", _("Last month"), Period(last_month, this_month - dt.timedelta(days=1))
        ),
        Preset("this_quarter", _("This quarter"), Period(quarter, on)),
        Preset("half_year", _("This half-year"), Period(half, on)),
        Preset(
            "last_year",
            _("Last year"),
            Period(dt.date(on.year - 1, 1, 1), dt.date(on.year - 1, 12, 31)),
        ),
    ]


def default_period(on: dt.date | None = None) -> Period:
    """What the page shows before a period is picked: this half-year so far."""
    return next(p.period for p in presets(on) if p.key == "half_year")
