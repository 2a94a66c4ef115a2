"""The working-day calendar: Chinese public holidays and make-up workdays (调休).

Backed by the maintained ``chinesecalendar`` package; for a year it does not cover we fall
back to Monday–Friday rather than fail a page, and say so once per year and process.

Counts over a span (``workdays_through``) are arithmetic, not a loop per day: a running
count over the years the package covers, built once, and whole Monday–Friday weeks outside
them. A deadline in year 9999 costs what one in 2022 costs.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate

from chinese_calendar import constants

logger = logging.getLogger(__name__)

# The days the package knows, as ordinals (date.toordinal()), both included.
FIRST_KNOWN = dt.date(min(constants.holidays).year, 1, 1)
LAST_KNOWN = dt.date(max(constants.holidays).year, 12, 31)
_FIRST, _LAST = FIRST_KNOWN.toordinal(), LAST_KNOWN.toordinal()

_warned: set[int] = set()
_warned_lock = threading.Lock()


def _assumed_weekdays(year: int) -> None:
    """Warn, once per year and process, that a year has no holiday data."""
    if year in _warned:
        return
    with _warned_lock:
        if year in _warned:
            return
        _warned.add(year)
    logger.warning("No holiday data for %s; assuming Monday-Friday.", year)


def has_holiday_data(day: dt.date) -> bool:
    return FIRST_KNOWN <= day <= LAST_KNOWN


def is_workday(day: dt.date) -> bool:
    """True on an official working day, make-up weekend workdays included."""
    if has_holiday_data(day):
        return day in constants.workdays or (day.weekday() < 5 and day not in constants.holidays)
    _assumed_weekdays(day.year)
    return day.isoweekday() <= 5


def _weekdays_through(ordinal: int) -> int:
    """Monday–Friday days from 0001-01-01 (a Monday) up to and including ``ordinal``."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


@lru_cache(maxsize=1)
def _known_running_count() -> list[int]:
    """Working days from the first known day up to each known day, included."""
    start = FIRST_KNOWN
    return list(
        accumulate(is_workday(start + dt.timedelta(days=i)) for i in range(_LAST - _FIRST + 1))
    )


def _count_through(ordinal: int) -> int:
    if ordinal < _FIRST:
        return _weekdays_through(ordinal)
    before = _weekdays_through(_FIRST - 1)
    if ordinal <= _LAST:
        return before + _known_running_count()[ordinal - _FIRST]
    known = before + _known_running_count()[-1]
    return known + _weekdays_through(ordinal) - _weekdays_through(_LAST)


def workdays_through(day: dt.date) -> int:
    """The number of working days from 0001-01-01 up to and including ``day``: the
    difference of two of these counts the working days of a span, in constant time."""
    if not has_holiday_data(day):
        _assumed_weekdays(day.year)
    return _count_through(day.toordinal())


class _CountsByOrdinal:
    """``workdays_through`` indexed by ordinal, for ``bisect``."""

    def __getitem__(self, ordinal: int) -> int:
        return _count_through(ordinal)

    def __len__(self) -> int:
        return dt.date.max.toordinal() + 1


def first_day_with_count(count: int) -> dt.date:
    """The first day by which ``count`` working days have passed (counted from
    0001-01-01): a binary search of about 22 constant-time steps. ``date.max`` when that
    lies beyond the calendar."""
    last = dt.date.max.toordinal()
    if _count_through(last) < count:
        day = dt.date.max
    else:
        day = dt.date.fromordinal(max(bisect_left(_CountsByOrdinal(), count, 1, last + 1), 1))
    if not has_holiday_data(day):
        _assumed_weekdays(day.year)
    return day


def ensure_calendar(first: dt.date, last: dt.date) -> None:
    """Fill the database calendar (``CalendarDay``) for every day from first to last.

    Never before the brigade's start (``brigade.core.dates.epoch``) nor past a year ahead: a
    legacy record dated year 1 must not fill seven hundred thousand rows."""
    from brigade.core.dates import epoch, horizon
    from brigade.core.models import CalendarDay

    first, last = max(first, epoch()), min(last, horizon())

    have = set(
        CalendarDay.objects.filter(day__gte=first, day__lte=last).values_list("day", flat=True)
    )
    days = []
    day = first
    while day <= last:
        if day not in have:
            days.append(
                CalendarDay(
                    day=day,
                    year=day.year,
                    isoweekday=day.isoweekday(),
                    is_workday=is_workday(day),
                )
            )
        day += dt.timedelta(days=1)
    CalendarDay.objects.bulk_create(days, ignore_conflicts=True)
