"""Working-day deadlines across the 2022 Spring Festival and National Day weeks: the
holidays do not count, the make-up weekend workdays (调休) do."""

from __future__ import annotations

import datetime as dt

import pytest

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
