"""Working-day deadlines across the 2022 Spring Festival and National Day weeks: the
holidays do not count, the make-up weekend workdays (调休) do."""

from __future__ import annotations

import datetime as dt

import pytest

from brigade.core.calendar import is_workday
from petitions.choices import DeadlineState
from petitions.deadlines import add_workdays, deadline_state, workdays_left

D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Fri 28 Jan 2022 + 1: Sat 29 Jan is a make-up workday
        (D(2022, 1, 28), 1, D(2022, 1, 29)),
        # + 2: Sun 30 Jan is a make-up workday too
        (D(2022, 1, 28), 2, D(2022, 1, 30)),
        # + 3: 31 Jan - 6 Feb off; next working day Mon 7 Feb
        (D(2022, 1, 28), 3, D(2022, 2, 7)),
        # received during the holiday: counting starts after it
        (D(2022, 2, 2), 1, D(2022, 2, 7)),
        (D(2022, 2, 2), 0, D(2022, 2, 7)),
        (D(2022, 1, 30), 5, D(2022, 2, 11)),
        # National Day: 30 Sep (Fri) + 1 → 1-7 Oct off → Sat 8 Oct, a make-up workday
        (D(2022, 9, 30), 1, D(2022, 10, 8)),
        (D(2022, 9, 30), 2, D(2022, 10, 9)),
        (D(2022, 9, 30), 3, D(2022, 10, 10)),
        # an ordinary week: a weekend is skipped
        (D(2022, 6, 10), 1, D(2022, 6, 13)),
        (D(2022, 6, 13), 0, D(2022, 6, 13)),
    ],
)
def test_add_workdays(start, n, due):
    assert add_workdays(start, n) == due


def test_workdays_left_across_the_spring_festival():
    # due Mon 7 Feb, seen on Sun 30 Jan (a make-up workday): only 7 Feb is left
    assert workdays_left(D(2022, 1, 30), D(2022, 2, 7)) == 1
    assert workdays_left(D(2022, 1, 29), D(2022, 2, 7)) == 2
    assert workdays_left(D(2022, 2, 7), D(2022, 2, 7)) == 0


def test_workdays_overdue_counts_working_days_only():
    # due Sat 29 Jan (make-up day), seen Mon 7 Feb: 30 Jan and 7 Feb were working days
    assert workdays_left(D(2022, 2, 7), D(2022, 1, 29)) == -2
    # due Sun 9 Oct (make-up day), seen Mon 10 Oct: one working day late
    assert workdays_left(D(2022, 10, 10), D(2022, 10, 9)) == -1


def test_overdue_during_a_holiday_is_still_overdue():
    # due Fri 30 Sep, seen on 3 Oct (holiday): late, though no working day has passed
    assert workdays_left(D(2022, 10, 3), D(2022, 9, 30)) == -1
    assert deadline_state(D(2022, 9, 30), D(2022, 10, 3)) == DeadlineState.OVERDUE


@pytest.mark.parametrize(
    ("today", "due", "state"),
    [
        (D(2022, 6, 13), D(2022, 6, 10), DeadlineState.OVERDUE),
        (D(2022, 6, 13), D(2022, 6, 13), DeadlineState.DUE_TODAY),
        (D(2022, 6, 13), D(2022, 6, 15), DeadlineState.DUE_SOON),
        (D(2022, 6, 13), D(2022, 6, 16), DeadlineState.ON_TIME),
        # Fri 28 Jan → 7 Feb is 3 working days away (29 Jan, 30 Jan, 7 Feb): not "soon"
        (D(2022, 1, 28), D(2022, 2, 7), DeadlineState.ON_TIME),
        # Sat 29 Jan → 7 Feb: 2 working days (30 Jan, 7 Feb) over nine calendar days
        (D(2022, 1, 29), D(2022, 2, 7), DeadlineState.DUE_SOON),
        (D(2022, 6, 13), None, None),
    ],
)
def test_deadline_state(today, due, state):
    assert deadline_state(due, today) == state


# --- bounded: years without holiday data, year 1 and year 9999 ---------------------------


def _per_day_workdays(first: dt.date, last: dt.date) -> int:
    """Working days in (first, last], counted one day at a time (the reference)."""
    return sum(is_workday(first + dt.timedelta(days=i)) for i in range(1, (last - first).days + 1))


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (dt.date(2022, 1, 26), dt.date(2022, 2, 14)),  # over the Spring Festival and its 调休
        (dt.date(2026, 12, 1), dt.date(2027, 1, 20)),  # from the holiday data into none
        (dt.date(2003, 12, 20), dt.date(2004, 1, 20)),  # from none into the holiday data
        (dt.date(2030, 3, 1), dt.date(2030, 9, 30)),  # no holiday data at all: Monday–Friday
    ],
)
def test_workdays_left_agrees_with_counting_day_by_day(today, due):
    assert workdays_left(today, due) == _per_day_workdays(today, due)
    assert workdays_left(due, today) == -_per_day_workdays(today, due)
    n = _per_day_workdays(today, due)
    # The nth working day after today is the last working day up to due.
    landed = add_workdays(today, n)
    assert landed <= due and is_workday(landed) and _per_day_workdays(today, landed) == n


def test_year_9999_and_year_1_are_counted_without_a_loop_per_day(caplog, monkeypatch):
    # given a deadline 9999-12-31 and a receipt on 0001-01-03 (legacy rows)
    from brigade.core import calendar
    from petitions import deadlines

    calendar._known_running_count()  # the running count over the holiday data, built once
    calls = []
    original = calendar.is_workday
    spy = lambda day: calls.append(day) or original(day)  # noqa: E731
    monkeypatch.setattr(calendar, "is_workday", spy)
    monkeypatch.setattr(deadlines, "is_workday", spy)
    calendar._warned.clear()
    workdays_left.cache_clear()
    add_workdays.cache_clear()
    today = dt.date(2026, 12, 7)
    # when counted
    with caplog.at_level("WARNING", logger="brigade.core.calendar"):
        ahead = workdays_left(today, dt.date(9999, 12, 31))
        behind = workdays_left(today, dt.date(1, 1, 3))
        for _ in range(50):
            workdays_left(dt.date(2026, 12, 8), dt.date(9999, 12, 30))
        last = add_workdays(dt.date(9999, 12, 31), 10)
        first = add_workdays(dt.date(1, 1, 6), 0)
    # then the figures are Monday–Friday arithmetic outside the holiday data
    assert ahead > 2_000_000 and behind < -500_000
    assert deadline_state(dt.date(1, 1, 3), today) == DeadlineState.OVERDUE
    assert deadline_state(dt.date(9999, 12, 31), today) == DeadlineState.ON_TIME
    assert last == dt.date.max  # past the calendar's end, not an OverflowError
    assert first == dt.date(1, 1, 8)  # 0001-01-06 is a Saturday
    # at most a few single days were asked about, not millions
    assert len(calls) < 10
    # and a year without holiday data is said once, not once per day or per call
    warned = [r.getMessage() for r in caplog.records]
    assert warned.count("No holiday data for 9999; assuming Monday-Friday.") == 1
    assert warned.count("No holiday data for 1; assuming Monday-Friday.") == 1
