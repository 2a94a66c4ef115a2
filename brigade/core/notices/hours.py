"""Working time: how long an item has been overdue, counted as the office counts it.

The office works 08:30–12:00 and 13:30–17:30 (7.5 hours) on each working day of the
brigade's calendar (public holidays off, make-up days 调休 on). "Overdue by 8 working
hours" means 8 of those hours have passed since the deadline; nights, lunch breaks,
weekends and holidays do not count.

Reminders count working days before a deadline (``leads``, ``reminder_day``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from brigade.core.calendar import first_day_with_count, is_workday, workdays_through

# the office's hours of a working day, local time
WORKING_PERIODS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(8, 30), dt.time(12, 0)),
    (dt.time(13, 30), dt.time(17, 30)),
)


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


DAY_SECONDS = sum(_seconds(end) - _seconds(start) for start, end in WORKING_PERIODS)
DAY_HOURS = DAY_SECONDS / 3600


def _worked_by(moment: dt.time) -> int:
    """Working seconds of a working day that have passed by ``moment``."""
    at = _seconds(moment)
    return sum(max(0, min(at, _seconds(end)) - _seconds(start)) for start, end in WORKING_PERIODS)


def working_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """The working hours from ``start`` to ``end`` (aware or naive local datetimes), 0 when
    ``end`` is not after ``start``. Constant time whatever the span: the whole working
    days between come from the calendar's running count."""
    if timezone.is_aware(start):
        start = timezone.localtime(start)
    if timezone.is_aware(end):
        end = timezone.localtime(end)
    if end <= start:
        return 0.0
    first, last = start.date(), end.date()
    if first == last:
        if not is_workday(first):
            return 0.0
        return (_worked_by(end.time()) - _worked_by(start.time())) / 3600
    seconds = 0
    if is_workday(first):
        seconds += DAY_SECONDS - _worked_by(start.time())
    # the whole working days strictly between
    seconds += (workdays_through(last - dt.timedelta(days=1)) - workdays_through(first)) * (
        DAY_SECONDS
    )
    if is_workday(last):
        seconds += _worked_by(end.time())
    return seconds / 3600


def deadline_passed_at(due: dt.date) -> dt.datetime:
    """The moment an item due on ``due`` becomes overdue: the end of that day (local
    midnight), as deadlines are given in days."""
    return timezone.make_aware(dt.datetime.combine(due + dt.timedelta(days=1), dt.time()))


def hours_overdue(due: dt.date, now: dt.datetime) -> float:
    """Working hours that have passed since an item due on ``due`` became overdue."""
    if due >= dt.date.max - dt.timedelta(days=1):
        return 0.0
    return working_hours_between(deadline_passed_at(due), now)


def leads() -> tuple[int, ...]:
    """The configured leads, largest first (``"1,0"`` → ``(1, 0)``)."""
    raw = str(getattr(settings, "NOTICE_REMINDER_LEADS", "1,0"))
    return tuple(sorted({int(p) for p in raw.replace(" ", "").split(",") if p}, reverse=True))


@lru_cache(maxsize=4096)
def reminder_day(due: dt.date, lead: int) -> dt.date:
    """The working day on which the reminder ``lead`` working days before ``due`` goes
    out: the last working day on or before ``due`` (lead 0), and ``lead`` working days
    before that."""
    anchor = workdays_through(due)  # the count at the last working day on or before due
    return first_day_with_count(max(anchor - lead, 1))


def window_end(day: dt.date) -> dt.date:
    """The last deadline a reminder may go out for on ``day``: the day before the working
    day that follows the largest lead's working day after ``day``."""
    largest = max(leads(), default=0)
    following = first_day_with_count(workdays_through(day) + largest + 1)
    return following - dt.timedelta(days=1) if following < dt.date.max else dt.date.max
