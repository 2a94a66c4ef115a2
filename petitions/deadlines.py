"""Working-day deadlines of 12345 tickets, on the one official calendar (``brigade.core.calendar``:
public holidays and make-up workdays 调休 from the maintained ``chinesecalendar`` package).

A rule of N working days gives the Nth working day after the day of receipt; the ticket is
due by the end of that day. A ticket received on a holiday starts counting on the first
working day after it, like one received on a working day.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from brigade.core.calendar import first_day_with_count, is_workday, workdays_through
from petitions.choices import DeadlineState

# A ticket is "due soon" with this many working days or fewer left (today excluded).
DUE_SOON_WORKDAYS = 2


@lru_cache(maxsize=8192)
def add_workdays(day: dt.date, n: int) -> dt.date:
    """The ``n``th working day after ``day``; ``n == 0`` is ``day`` itself, or the next
    working day when ``day`` is not one. Constant time whatever ``n`` and the year
    (``date.max`` past the end of the calendar)."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return first_day_with_count(workdays_through(day) - is_workday(day) + 1)
    return first_day_with_count(workdays_through(day) + n)


@lru_cache(maxsize=8192)
def workdays_left(today: dt.date, due: dt.date) -> int:
    """Working days left before ``due`` closes: 0 when due today; the working days after
    today up to and including ``due``; negative (working days overdue) once it has passed,
    counting the working days from the day after ``due`` up to today (at least one)."""
    if due == today:
        return 0
    if due > today:
        return workdays_through(due) - workdays_through(today)
    return -max(workdays_through(today) - workdays_through(due), 1)


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
