"""The working-day calendar: Chinese public holidays and make-up workdays (调休).

Backed by the maintained ``chinesecalendar`` package; for a year it does not cover yet
we fall back to Monday–Friday rather than fail a page.
"""

from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar

logger = logging.getLogger(__name__)


def is_workday(day: dt.date) -> bool:
    """True on an official working day, make-up weekend workdays included."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        logger.warning("No holiday data for %s; assuming Monday-Friday.", day.year)
        return day.isoweekday() <= 5


def is_school_day(day: dt.date) -> bool:
    """A working day outside any school break recorded by the brigade."""
    from brigade.models import SchoolBreak

    if not is_workday(day):
        return False
    return not SchoolBreak.objects.filter(starts_on__lte=day, ends_on__gte=day).exists()


def ensure_calendar(first: dt.date, last: dt.date) -> None:
    """Fill the database calendar (``CalendarDay``) for every day from first to last."""
    from brigade.models import CalendarDay

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
