"""A period report: the figures with their values, grouped by area, as the page, the API
and the exports show them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from brigade.core.kpi.read import FigureScope, number
from brigade.core.report.compute import Numbers, compute
from brigade.core.report.figures import AREAS, FIGURES, Area, Figure
from brigade.core.report.period import Period

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class FigureValue:
    """A figure's numbers for the period: a count or sum, or a rate (numerator over
    denominator; ``value`` None when nothing was counted to divide by)."""

    figure: Figure
    numerator: Decimal
    denominator: Decimal | None
    # the records behind it: the page and the records API (whose count, or total for a
    # sum, is the figure), and a rate's denominator's
    records_url: str | None = None
    records_api: str | None = None
    denominator_records_url: str | None = None
    denominator_records_api: str | None = None

    @property
    def quantified(self) -> bool:
        """False for work the report names without a number when no record counts it in
        the period (``Figure.unquantified_if_none``): it has no value, not 0."""
        return not (self.figure.unquantified_if_none and not self.numerator)

    @property
    def value(self) -> Decimal | None:
        if not self.quantified:
            return None
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
            # the records behind it still count (none): only the figure has no value
            "numerator": number(self.numerator),
            "quantified": self.quantified,
            "denominator": number(self.denominator),
            "unit": str(figure.unit_label),
            "is_rate": figure.is_rate,
            "records_url": self.records_url,
            "records_api": self.records_api,
            "denominator_records_url": self.denominator_records_url,
            "denominator_records_api": self.denominator_records_api,
        }


@dataclass(frozen=True)
class Report:
    period: Period
    scope: FigureScope
    figures: list[FigureValue]
    roads: list[str]
    computed_at: dt.datetime

    @property
    def is_empty(self) -> bool:
        """Nothing at all was counted in the period (a stock such as love stations aside:
        it says what exists, not what happened)."""
        return not any(fv.numerator or fv.denominator for fv in self.figures if not fv.figure.stock)

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


def links(figure: Figure, period: Period, unit_id: int | None) -> dict[str, str | None]:
    """Where a figure of the period lists the records it counts (numerator, and a rate's
    denominator): the records page and the records API."""
    out: dict[str, str | None] = {}
    for side, prefix in (("n", ""), ("d", "denominator_")):
        if side == "d" and not figure.is_rate:
            out[f"{prefix}records_url"] = out[f"{prefix}records_api"] = None
            continue
        query = {"figure": figure.key, "side": side, **period.query()}
        if unit_id is not None:
            query["unit"] = str(unit_id)
        encoded = urlencode(query)
        out[f"{prefix}records_url"] = f"{reverse('dashboard_records')}?{encoded}"
        out[f"{prefix}records_api"] = f"{reverse('dashboard-api:records')}?{encoded}"
    return out


def build_report(
    period: Period,
    scope: FigureScope,
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
            **links(figure, period, scope.unit_id),
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
