"""The year to date: from January 1st of a day's year to that day.

The default period of a list or ledger that a figure "year to date" points at, and the
query string of its link (``?date_from=2026-01-01&date_to=2026-12-07``), so that a list
opened from a figure shows the records the figure counts.
"""

from __future__ import annotations

import datetime as dt


def year_to_date(day: dt.date) -> tuple[dt.date, dt.date]:
    """January 1st of ``day``'s year, and ``day``."""
    return dt.date(day.year, 1, 1), day


def ytd_query(day: dt.date, *, first: str = "date_from", last: str = "date_to") -> dict[str, str]:
    """The query of a list's year to date as of ``day`` (its date filters named ``first``
    and ``last``)."""
    return period_query(*year_to_date(day), first=first, last=last)


def period_query(
    start: dt.date, end: dt.date, *, first: str = "date_from", last: str = "date_to"
) -> dict[str, str]:
    """The query of a list's period from ``start`` to ``end``."""
    return {first: start.isoformat(), last: end.isoformat()}
