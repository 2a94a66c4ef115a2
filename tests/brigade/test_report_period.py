"""A report's period: what is checked, the presets, the previous period it is compared with,
and the whole ISO weeks the engine's flows can give."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from brigade.core.report.compute import _merged, _whole_weeks
from brigade.core.report.period import MAX_DAYS, Period, period_errors, presets

D = dt.date
TODAY = D(2026, 11, 27)  # a Friday


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        # whole months: the same number of calendar months before
        (Period(D(2022, 1, 1), D(2022, 6, 30)), Period(D(2021, 7, 1), D(2021, 12, 31))),
        (Period(D(2022, 3, 1), D(2022, 3, 31)), Period(D(2022, 2, 1), D(2022, 2, 28))),
        (Period(D(2025, 1, 1), D(2025, 12, 31)), Period(D(2024, 1, 1), D(2024, 12, 31))),
        (Period(D(2022, 1, 1), D(2022, 3, 31)), Period(D(2021, 10, 1), D(2021, 12, 31))),
        # anything else: the same number of days just before
        (Period(D(2022, 1, 1), D(2022, 6, 13)), Period(D(2021, 7, 21), D(2021, 12, 31))),
        (Period(D(2022, 6, 13), D(2022, 6, 19)), Period(D(2022, 6, 6), D(2022, 6, 12))),
        (Period(D(2022, 3, 1), D(2022, 3, 1)), Period(D(2022, 2, 28), D(2022, 2, 28))),
    ],
)
def test_the_previous_period_has_the_same_length(period, previous):
    assert period.previous() == previous
    if not period.whole_months:
        assert previous.days == period.days


def test_what_a_period_may_not_be():
    with translation.override("en"):
        assert period_errors(D(2022, 1, 1), D(2022, 6, 30), on=TODAY) == {}
        assert period_errors(D(2022, 7, 1), D(2022, 6, 30), on=TODAY) == {
            "to": "The end of the period cannot be before its start."
        }
        assert "to" in period_errors(D(2026, 11, 1), D(2026, 11, 28), on=TODAY)  # tomorrow
        assert period_errors(D(2026, 11, 1), TODAY, on=TODAY) == {}  # today is fine
        assert period_errors(D(2024, 1, 1), D(2024, 12, 31), on=TODAY) == {}  # 366 days
        longest = D(2024, 1, 1) + dt.timedelta(days=MAX_DAYS)
        assert "to" in period_errors(D(2024, 1, 1), longest, on=TODAY)
        assert "from" in period_errors(D(1999, 12, 31), D(2000, 1, 5), on=TODAY)


def test_presets_end_today_at_the_latest():
    got = {p.key: p.period for p in presets(TODAY)}
    assert got == {
        "this_week": Period(D(2026, 11, 23), TODAY),
        "last_month": Period(D(2026, 10, 1), D(2026, 10, 31)),
        "this_quarter": Period(D(2026, 10, 1), TODAY),
        "half_year": Period(D(2026, 7, 1), TODAY),
        "last_year": Period(D(2025, 1, 1), D(2025, 12, 31)),
    }
    january = {p.key: p.period for p in presets(D(2027, 1, 1))}
    assert january["last_month"] == Period(D(2026, 12, 1), D(2026, 12, 31))
    assert january["half_year"] == Period(D(2027, 1, 1), D(2027, 1, 1))
    for period in got.values():
        assert period_errors(period.first, period.last, on=TODAY) == {}


@pytest.mark.parametrize(
    ("first", "last", "weeks"),
    [
        (D(2022, 1, 1), D(2022, 6, 30), (D(2022, 1, 3), D(2022, 6, 20))),  # Sat .. Thu
        (D(2022, 1, 3), D(2022, 1, 9), (D(2022, 1, 3), D(2022, 1, 3))),  # one whole week
        (D(2022, 1, 4), D(2022, 1, 9), None),  # Tue .. Sun: none
        (D(2022, 6, 15), D(2022, 6, 16), None),
        (None, D(2022, 6, 30), (dt.date.min, D(2022, 6, 20))),  # from the start
    ],
)
def test_the_whole_weeks_of_a_period(first, last, weeks):
    assert _whole_weeks(first, last) == weeks


def test_day_ranges_are_merged():
    assert _merged([(D(2022, 1, 10), D(2022, 1, 16)), (D(2022, 1, 1), D(2022, 1, 2))]) == [
        (D(2022, 1, 1), D(2022, 1, 2)),
        (D(2022, 1, 10), D(2022, 1, 16)),
    ]
    assert _merged([(D(2022, 1, 1), D(2022, 1, 9)), (D(2022, 1, 10), D(2022, 1, 16))]) == [
        (D(2022, 1, 1), D(2022, 1, 16))
    ]
    assert _merged([(None, D(2022, 1, 2)), (D(2022, 1, 3), D(2022, 1, 9))]) == [
        (None, D(2022, 1, 9))
    ]
