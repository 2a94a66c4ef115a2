"""What one app asks of another across the core, without importing it: the hazards app
opens an investigation for the incidents app's black spots, and the incidents app counts
accidents around a place for the hazards app's rectification effect.

Each side registers its half in ``AppConfig.ready()``; the other calls it through here.
Nothing registered (an app left out of INSTALLED_APPS): ``Unavailable``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


class Unavailable(LookupError):
    """The app that answers this is not installed."""


@dataclass(frozen=True)
class Investigation:
    """A hazard investigation as the one who opened it needs to name it."""

    id: int
    url: str
    api_url: str
    is_open: bool
    # the local day its rectification was verified (None: not verified)
    verified_on: dt.date | None = None


@dataclass(frozen=True)
class Opening:
    """What an investigation opened from accident analysis is given: the unit that answers
    for it, where it is, what it is about and the accidents behind it."""

    unit_id: int
    road: str
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    description: str
    accident_id: int | None
    by: Any


@dataclass(frozen=True)
class Investigations:
    """The hazards app's half: ``open`` one (returns it); ``find`` those of these ids that
    still exist (one query)."""

    open: Callable[[Opening], Investigation]
    find: Callable[[Iterable[int]], dict[int, Investigation]]


@dataclass(frozen=True)
class AccidentCounts:
    """The incidents app's half: ``around(cell, first, last, unit_id)`` counts the
    accidents a black spot of that unit centred on ``cell`` would count (its ring),
    between the two days (both included); ``records_api(...)`` lists them."""

    around: Callable[[str, dt.date, dt.date, int], int]
    records_api: Callable[[str, dt.date, dt.date, int], str]


Days = tuple[dt.date, dt.date]


def effect_windows(verified_on: dt.date, on: dt.date, most: int) -> tuple[Days, Days] | None:
    """The equal windows a rectification's effect compares: ``most`` days, or fewer when
    the verification is more recent (the days since it, up to ``on``); before = the days
    up to the day before the verification, after = as many from the day after it (the day
    itself in neither). None when verified on ``on`` (nothing to compare yet)."""
    days = min(most, (on - verified_on).days)
    if days < 1:
        return None
    one = dt.timedelta(days=1)
    before = (verified_on - days * one, verified_on - one)
    return before, (verified_on + one, verified_on + days * one)


_investigations: list[Investigations] = []
_accident_counts: list[AccidentCounts] = []


def register_investigations(hook: Investigations) -> None:
    _investigations[:] = [hook]


def register_accident_counts(hook: AccidentCounts) -> None:
    _accident_counts[:] = [hook]


def investigations() -> Investigations:
    if not _investigations:
        raise Unavailable("no app opens hazard investigations")
    return _investigations[0]


def accident_counts() -> AccidentCounts:
    if not _accident_counts:
        raise Unavailable("no app counts accidents")
    return _accident_counts[0]
