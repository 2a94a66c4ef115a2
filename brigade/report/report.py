"""A period report: the figures with their values, grouped by area, as the page, the API
and the exports show them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from brigade.kpi.read import Scope, number
from brigade.report.compute import Numbers, compute
from brigade.report.figures import AREAS, FIGURES, Area, Figure
from brigade.report.period import Period

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class FigureValue:
    """A figure's numbers for the period: a count or sum, or a rate (numerator over
    denominator; ``value`` None when nothing was counted to divide by)."""

    figure: Figure
    numerator: Decimal
    denominator: Decimal | None
    records_url: str | None

    @property
    def value(self) -> Decimal | None:
        if self.denominator is None:
            return self.numerator
        if not self.denominator:
            return None
        return self.numerator / self.denominator

    @property
    def key(self) -> str:
        return self.figure.key

    def as_json(self) -> dict[str, Any]:
        figure = self.figure
        value = self.value
        return {
            "row": figure.row,
            "key": figure.key,
            "area": figure.area,
            "label": str(figure.label),
            "value": number(value.quantize(RATE_PLACES) if figure.is_rate and value else value),
            "numerator": number(self.numerator),
            "denominator": number(self.denominator),
            "unit": str(figure.unit_label),
            "is_rate": figure.is_rate,
            "records_url": self.records_url,
        }


@dataclass(frozen=True)
class Report:
    period: Period
    scope: Scope
    figures: list[FigureValue]
    roads: list[str]
    computed_at: dt.datetime

    @property
    def is_empty(self) -> bool:
        """Nothing at all was counted in the period (a stock such as love stations aside:
        it says what exists, not what happened)."""
        return not any(
            fv.numerator or fv.denominator
            for fv in self.figures
            if fv.figure.key != "outreach.love_stations"
        )

    def get(self, key: str) -> FigureValue:
        return next(fv for fv in self.figures if fv.figure.key == key)

    def areas(self) -> list[tuple[Area, list[FigureValue]]]:
        return [(area, [fv for fv in self.figures if fv.figure.area == area.key]) for area in AREAS]

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "scope": self.scope.as_json(),
            "computed_at": timezone.localtime(self.computed_at).isoformat(),
            "roads": self.roads,
            "figures": [fv.as_json() for fv in self.figures],
        }


def build_report(
    period: Period,
    scope: Scope,
    figures: list[Figure] | None = None,
    *,
    use_flows: bool = True,
) -> Report:
    """The report of ``period`` for ``scope`` (see ``compute`` for how it is counted)."""
    figures = FIGURES if figures is None else figures
    numbers: Numbers = compute(period, scope.unit_id, figures, use_flows=use_flows)
    values = [
        FigureValue(
            figure=figure,
            numerator=numbers.get(figure.numerator),
            denominator=numbers.get(figure.denominator) if figure.denominator else None,
            records_url=figure.records(period, scope.unit_id) if figure.records else None,
        )
        for figure in figures
    ]
    return Report(
        period=period,
        scope=scope,
        figures=values,
        roads=numbers.roads,
        computed_at=timezone.now(),
    )
