"""ISO weeks in the brigade's local time (Asia/Shanghai), keyed like ``2022-W24``.

A week runs Monday 00:00 to Sunday 23:59:59 local time. Its year-to-date figures belong to
the calendar year of its Sunday (the report's "截至6月13日" style: as of the week's end).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

_KEY = re.compile(r"^(\d{4})-W(\d{2})$")


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def week_key(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


class WeekOutOfRange(ValueError):
    """A real week outside the brigade's date window (``brigade.core.dates``)."""

    def __init__(self, key: str) -> None:
        first, last = week_range()
        self.message = _("Enter a week from %(first)s to %(last)s.") % {
            "first": week_key(first),
            "last": week_key(last),
        }
        super().__init__(f"{key} is outside the weeks {week_key(first)}..{week_key(last)}")


def week_range() -> tuple[dt.date, dt.date]:
    """The Mondays of the first and last weeks a key may name: the brigade's date window,
    from its start to a year ahead (``brigade.core.dates``)."""
    from brigade.core import dates

    return week_start(dates.epoch()), week_start(dates.horizon())


def parse_week(key: str) -> dt.date:
    """``2022-W24`` → the Monday of that week; ValueError for anything else, and
    ``WeekOutOfRange`` (a ValueError) for a week outside the date window (``9999-W52``)."""
    match = _KEY.match(key or "")
    if not match:
        raise ValueError(f"not an ISO week key like 2022-W24: {key!r}")
    year, week = int(match[1]), int(match[2])
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"{year} has no week {week}") from exc
    first, last = week_range()
    if not first <= monday <= last:
        raise WeekOutOfRange(key)
    return monday


def ytd_year(monday: dt.date) -> int:
    """The year whose year-to-date figures the week ends in."""
    return (monday + dt.timedelta(days=6)).year


def week_bounds(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware [start, end) of the week in local time."""
    tz = local_tz()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=7)


def local_date(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, local_tz()).date()
    return value


def current_week() -> dt.date:
    return week_start(timezone.localdate(timezone=local_tz()))


def weeks_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every Monday from ``first``'s week to ``last``'s week, inclusive."""
    monday, end = week_start(first), week_start(last)
    out = []
    while monday <= end:
        out.append(monday)
        monday += dt.timedelta(days=7)
    return out
