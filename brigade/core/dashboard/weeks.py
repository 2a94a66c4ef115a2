"""Which week the dashboard opens on when none is asked for.

The current week, unless little or nothing has been recorded in it: then the latest week
that has records, so that a brigade whose records stop earlier (an import of last year's
books, the demo's 2022) does not open on tiles of 0 and flat charts. The page and the API
say which week they show and link to the current one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from brigade.core.kpi.models import KpiFlow
from brigade.core.kpi.read import FigureScope, tile_keys
from brigade.core.kpi.weeks import current_week


@dataclass(frozen=True)
class OpeningWeek:
    monday: dt.date
    current: dt.date

    @property
    def fell_back(self) -> bool:
        """True when the current week had too little to show."""
        return self.monday != self.current


def opening_week(scope: FigureScope) -> OpeningWeek:
    """The latest week up to the current one in which at least half of the tiles that the
    scope has ever counted anything for count something (a week "has data"); the current
    week when it has data itself or when nothing was ever counted.

    Reads the engine's weekly flows (numerators: the events a tile counts), not the
    rollups, which carry year-to-date sums into weeks without any record. Two queries.
    """
    this_week = current_week()
    flows = KpiFlow.objects.filter(
        side=KpiFlow.Side.NUMERATOR, week__lte=this_week, metric__in=tile_keys()
    )
    if scope.unit_id is not None:
        flows = flows.filter(unit_id=scope.unit_id)
    seen = flows.aggregate(n=Count("metric", distinct=True))["n"]
    if not seen:
        return OpeningWeek(monday=this_week, current=this_week)
    latest = (
        flows.values("week")
        .annotate(n=Count("metric", distinct=True))
        .filter(n__gte=(seen + 1) // 2)
        .order_by("-week")
        .values_list("week", flat=True)
        .first()
    )
    return OpeningWeek(monday=latest or this_week, current=this_week)
