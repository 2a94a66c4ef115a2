"""Working-day deadlines of 12345 tickets, on the one official calendar (``brigade.calendar``:
public holidays and make-up workdays 调休 from the maintained ``chinesecalendar`` package).

A rule of N working days gives the Nth working day after the day of receipt; the ticket is
due by the end of that day. A ticket received on a holiday starts counting on the first
working day after it, like one received on a working day.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from brigade.calendar import is_workday
from petitions.choices import DeadlineState

# A ticket is "due soon" with this many working days or fewer left (today excluded).
DUE_SOON_WORKDAYS = 2
ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=8192)
def add_workdays(day: dt.date, n: int) -> dt.date:
    """The ``n``th working day after ``day``; ``n == 0`` is ``day`` itself, or the next
    working day when ``day`` is not one."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        while not is_workday(day):
            day += ONE_DAY
        return day
    while n:
        day += ONE_DAY
        if is_workday(day):
            n -= 1
    return day


@lru_cache(maxsize=8192)
def workdays_left(today: dt.date, due: dt.date) -> int:
    """Working days left before ``due`` closes: 0 when due today; the working days after
    today up to and including ``due``; negative (working days overdue) once it has passed."""
    if due == today:
        return 0
    step, sign = (ONE_DAY, 1) if due > today else (-ONE_DAY, -1)
    count, day = 0, today
    while day != due:
        # Overdue: count the working days from the day after ``due`` up to today.
        if sign > 0:
            day += step
            count += is_workday(day)
        else:
            count += is_workday(day)
            day += step
    return sign * count if sign > 0 else -max(count, 1)


def deadline_state(due: dt.date | None, today: dt.date) -> str | None:
    """Overdue, due today, due soon or on time (``None`` for a ticket with no deadline)."""
    if due is None:
        return None
    if due < today:
        return DeadlineState.OVERDUE
    if due == today:
        return DeadlineState.DUE_TODAY
    if workdays_left(today, due) <= DUE_SOON_WORKDAYS:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME
