"""The effect of a rectification: the accidents around a verified hazard in equal windows
before and after its verification, and the change.

Counted as a black spot counts them (``brigade.core.investigations.accident_counts``, the
incidents app's half): accidents with injuries or deaths of the hazard's unit in its map
cell and the six around it (the unit's own, as its black spots count
them). The window is ``BLACK_SPOT_WINDOW_DAYS`` days, or fewer when the verification is
more recent (the days since it): before = that many days up to the
day before the verification, after = as many days from the day after it. The day of the
verification is in neither.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from brigade.core import dates
from brigade.core.investigations import Unavailable, accident_counts, effect_windows
from hazards.choices import HazardStatus
from hazards.models import Hazard

FIELDS = (
    "window_days",
    "verified_on",
    "before_from",
    "before_to",
    "after_from",
    "after_to",
    "before",
    "after",
    "change",
    "change_pct",
    "before_records_api",
    "after_records_api",
)


def effect(hazard: Hazard, on: dt.date | None = None) -> dict[str, Any] | None:
    """The effect of ``hazard``'s rectification as of ``on`` (today); None unless it is
    verified and placed on the map's grid. Two counts."""
    cell = getattr(hazard, "h3_cell", "")
    if hazard.status != HazardStatus.VERIFIED or hazard.verified_at is None or not cell:
        return None
    try:
        counts = accident_counts()
    except Unavailable:
        return None
    verified = timezone.localtime(hazard.verified_at, dates.local_tz()).date()
    windows = effect_windows(verified, on or dates.today(), settings.BLACK_SPOT_WINDOW_DAYS)
    if windows is None:  # verified today: nothing to compare yet
        return dict.fromkeys(FIELDS) | {"window_days": 0, "verified_on": verified}
    before, after = windows
    days = (before[1] - before[0]).days + 1
    unit = hazard.unit_id
    n_before, n_after = counts.around(cell, *before, unit), counts.around(cell, *after, unit)
    return {
        "window_days": days,
        "verified_on": verified,
        "before_from": before[0],
        "before_to": before[1],
        "after_from": after[0],
        "after_to": after[1],
        "before": n_before,
        "after": n_after,
        "change": n_after - n_before,
        "change_pct": round((n_after - n_before) * 100 / n_before, 1) if n_before else None,
        "before_records_api": counts.records_api(cell, *before, unit),
        "after_records_api": counts.records_api(cell, *after, unit),
    }
