"""The read side of the KPI engine: what the dashboard and its API show.

Every read is a fixed number of queries whatever the number of metrics and units, and its
payload is cached under the engine's version (moved on by every recompute and publish),
the week, the scope and the language; a cache outage degrades to computing it again.

Numbers leave as JSON numbers: an integral amount as an integer, anything else as a float
rounded to 4 places (a rate's value 0.4579 is 45.79 %). Sums of money, when they come,
have 2 decimals and stay far below 2**53 cents, so a float still prints them exactly.
``value`` is null where no figure exists: no rollup row, or a rate over nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict, TypeVar

from django.utils import timezone, translation

from brigade.core.kpi import engine, records
from brigade.core.kpi.models import BRIGADE_SCOPE, KpiPublished, KpiRollup
from brigade.core.kpi.records import Span
from brigade.core.kpi.registry import Metric, registry
from brigade.core.kpi.weeks import current_week, week_key, week_range

# Versioned keys go stale on their own; this only bounds what an idle cache keeps.
CACHE_SECONDS = 6 * 3600
MAX_TREND_WEEKS = 156

Number = int | float
Payload = TypeVar("Payload")


class ScopeJson(TypedDict):
    kind: str
    unit: int | None
    name: str


class FigureJson(TypedDict):
    """A figure: its numerator, its denominator (a rate's) and its value."""

    numerator: Number | None
    denominator: Number | None
    value: Number | None


class Links(TypedDict):
    """Where a figure's records are listed (null where none are)."""

    records_url: str | None
    records_api: str | None
    denominator_records_url: str | None
    denominator_records_api: str | None


class PublishedJson(FigureJson):
    published_at: str


class MetricJson(FigureJson, Links):
    """One key's figure of the week, as the dashboard shows it."""

    label: str
    unit_label: str
    is_rate: bool
    tile: bool
    part_of: str | None
    previous: Number | None
    change: Number | None
    published: PublishedJson | None
    drifted: bool


class FiguresJson(TypedDict):
    week: str
    scope: ScopeJson
    computed_at: str | None
    has_data: bool
    metrics: dict[str, MetricJson]


class LiveFiguresJson(FiguresJson):
    stale: str | None


class TrendPoint(FigureJson, Links):
    week: str


class CellJson(FigureJson, Links):
    pass


class UnitRow(TypedDict):
    unit: int
    name: str
    metrics: dict[str, CellJson]


@dataclass(frozen=True)
class FigureScope:
    """The brigade (``unit_id`` None) or one unit, with the name to show for it."""

    unit_id: int | None
    name: str

    @property
    def key(self) -> str:
        """The rollups' ``scope`` column."""
        return BRIGADE_SCOPE if self.unit_id is None else str(self.unit_id)

    @property
    def kind(self) -> str:
        return "brigade" if self.unit_id is None else "unit"

    def as_json(self) -> ScopeJson:
        return {"kind": self.kind, "unit": self.unit_id, "name": self.name}


def number(value: Decimal | float | None) -> Number | None:
    """A Decimal as a JSON number: integers stay integers, others 4 decimals."""
    if value is None:
        return None
    decimal = Decimal(value)
    if decimal == decimal.to_integral_value():
        return int(decimal)
    return round(float(decimal), 4)


def _difference(value: Number | None, previous: Number | None) -> Number | None:
    if value is None or previous is None:
        return None
    return number(Decimal(str(value)) - Decimal(str(previous)))


def produced() -> list[tuple[str, Metric]]:
    """Every key the registry produces (split parts included), with its declaration."""
    # Metric.keys() is the declaration's produced keys, not a mapping's
    return [(key, metric) for metric in registry.all() for key in metric.keys()]  # noqa: SIM118


def tile_keys() -> list[str]:
    """The keys shown as tiles (split parts are charted, not tiled)."""
    return [key for key, metric in produced() if metric.tile]


def split_groups() -> list[tuple[Metric, list[str]]]:
    """Metrics split by a field (violations by type) and the keys of their parts."""
    return [(m, m.keys()) for m in registry.all() if m.numerator.split]


def is_known(key: str) -> bool:
    return key in registry.labels()


# --- cache ------------------------------------------------------------------------------


def _cache_key(kind: str, *parts: object) -> str:
    # hashed: key lists and unit names would overrun a key's length and character limits
    language = translation.get_language() or "-"
    joined = "\x1f".join(str(p) for p in (*parts, language))
    digest = hashlib.sha256(joined.encode()).hexdigest()[:40]
    return f"kpi:read:v{engine.version()}:{kind}:{digest}"


def _cached(key: str, compute: Callable[[], Payload]) -> Payload:
    """The stored payload, else compute and store it (each cache call survives an outage)."""
    hit = engine.cache_call(None, "get", key)
    if hit is not None:
        return hit
    value = compute()
    engine.cache_call(None, "set", key, value, timeout=CACHE_SECONDS)
    return value


# --- one figure -------------------------------------------------------------------------


def _figure(metric: Metric, row: Mapping[str, Any] | None) -> FigureJson:
    """numerator/denominator/value of a rollup row; a missing row counts nothing."""
    if row is None:
        return {
            "numerator": 0,
            "denominator": 0 if metric.is_rate else None,
            "value": None,
        }
    return {
        "numerator": number(row["numerator"]),
        "denominator": number(row["denominator"]) if metric.is_rate else None,
        "value": number(row["value"]),
    }


def _links(key: str, metric: Metric, monday: dt.date, unit_id: int | None) -> Links:
    """Where a week's figure lists its records: the page (``records_url``) and the API
    (``records_api``, whose ``count``, or ``total`` for a sum, is the figure), and the
    same for a rate's denominator."""
    span = Span(week=monday)
    rate = metric.is_rate
    return {
        "records_url": records.page_url(key, "n", span, unit_id),
        "records_api": records.api_url(key, "n", span, unit_id),
        "denominator_records_url": records.page_url(key, "d", span, unit_id) if rate else None,
        "denominator_records_api": records.api_url(key, "d", span, unit_id) if rate else None,
    }


_COLUMNS = ("metric", "week", "numerator", "denominator", "value")


# --- figures of a week ------------------------------------------------------------------


def figures(monday: dt.date, scope: FigureScope) -> LiveFiguresJson:
    """Every metric's figure for the week and scope, with last week's, the change, and the
    published figure if the week was published (``drifted`` when live differs).

    Two queries (the week's and last week's rollups; the published ones), none when the
    payload is cached. ``stale`` is read fresh: an enqueue failure moves no version.
    """
    payload = _cached(
        _cache_key("figures", week_key(monday), scope.key, scope.name),
        lambda: _compute_figures(monday, scope),
    )
    return {**payload, "stale": engine.stale_since()}


def _compute_figures(monday: dt.date, scope: FigureScope) -> FiguresJson:
    previous_monday = monday - dt.timedelta(days=7)
    rows: dict[tuple[str, dt.date], dict[str, Any]] = {}
    computed_at: dt.datetime | None = None
    for row in KpiRollup.objects.filter(scope=scope.key, week__in=[monday, previous_monday]).values(
        *_COLUMNS, "computed_at"
    ):
        rows[(row["metric"], row["week"])] = row
        if row["week"] == monday and (computed_at is None or row["computed_at"] > computed_at):
            computed_at = row["computed_at"]
    published = {
        row["metric"]: row
        for row in KpiPublished.objects.filter(scope=scope.key, week=monday).values(
            *_COLUMNS, "published_at"
        )
    }
    labels = registry.labels()
    metrics: dict[str, MetricJson] = {}
    for key, metric in produced():
        live = _figure(metric, rows.get((key, monday)))
        previous = _figure(metric, rows.get((key, previous_monday)))["value"]
        frozen = published.get(key)
        published_json: PublishedJson | None = None
        drifted = False
        if frozen is not None:
            figure = _figure(metric, frozen)
            published_json = {
                **figure,
                "published_at": timezone.localtime(frozen["published_at"]).isoformat(),
            }
            drifted = figure != live
        metrics[key] = {
            "label": str(labels[key]),
            **live,
            "unit_label": str(metric.unit_label),
            "is_rate": metric.is_rate,
            "tile": metric.tile,
            "part_of": metric.key if key != metric.key else None,
            "previous": previous,
            "change": _difference(live["value"], previous),
            "published": published_json,
            "drifted": drifted,
            **_links(key, metric, monday, scope.unit_id),
        }
    return {
        "week": week_key(monday),
        "scope": scope.as_json(),
        "computed_at": timezone.localtime(computed_at).isoformat() if computed_at else None,
        # no rollup for this week and scope: nothing computed yet (the dashboard's empty state)
        "has_data": computed_at is not None,
        "metrics": metrics,
    }


# --- trends -----------------------------------------------------------------------------


def _weeks_ending(until: dt.date, weeks: int) -> list[dt.date]:
    return [until - dt.timedelta(days=7 * back) for back in range(weeks - 1, -1, -1)]


def trend(
    metric_key: str, scope: FigureScope, weeks: int = 26, until: dt.date | None = None
) -> list[TrendPoint]:
    """The weekly series of one key ending with ``until`` (default: the current week):
    one point per week, oldest first, zero-filled (value null) where no rollup exists."""
    return trends([metric_key], scope, weeks=weeks, until=until)[metric_key]


def trends(
    metric_keys: Iterable[str], scope: FigureScope, weeks: int = 26, until: dt.date | None = None
) -> dict[str, list[TrendPoint]]:
    """``trend`` of several keys at once: one query (none when cached)."""
    keys = list(metric_keys)
    if not 1 <= weeks <= MAX_TREND_WEEKS:
        raise ValueError(f"weeks must be between 1 and {MAX_TREND_WEEKS}")
    last = until or current_week()
    return _cached(
        _cache_key("trends", week_key(last), weeks, scope.key, ",".join(keys)),
        lambda: _compute_trends(keys, scope, weeks, last),
    )


def _compute_trends(
    keys: list[str], scope: FigureScope, weeks: int, last: dt.date
) -> dict[str, list[TrendPoint]]:
    mondays = _weeks_ending(last, weeks)
    rows = {
        (row["metric"], row["week"]): row
        for row in KpiRollup.objects.filter(
            scope=scope.key, metric__in=keys, week__gte=mondays[0], week__lte=last
        ).values(*_COLUMNS)
    }
    first = week_range()[0]
    return {
        key: [
            {
                "week": week_key(monday),
                **_figure(registry.owner(key), rows.get((key, monday))),
                **_trend_links(key, monday, scope.unit_id, first),
            }
            for monday in mondays
        ]
        for key in keys
    }


def _trend_links(key: str, monday: dt.date, unit_id: int | None, first: dt.date) -> Links:
    """A trend point's records, as a tile's (none for a week before the date window, which
    records nothing and whose list would be refused)."""
    if monday >= first:
        return _links(key, registry.owner(key), monday, unit_id)
    return {
        "records_url": None,
        "records_api": None,
        "denominator_records_url": None,
        "denominator_records_api": None,
    }


# --- per unit ---------------------------------------------------------------------------


def unit_table(
    monday: dt.date, metric_keys: Iterable[str] | None = None, *, units: Mapping[int, str]
) -> list[UnitRow]:
    """One row per unit (in the order of ``units``: id → name) with the week's figures of
    ``metric_keys`` (default: the tile metrics). One query (none when cached)."""
    keys = list(metric_keys) if metric_keys is not None else tile_keys()
    unit_ids = list(units)
    cache_key = _cache_key(
        "units",
        week_key(monday),
        ",".join(keys),
        ",".join(f"{pk}={name}" for pk, name in units.items()),
    )
    return _cached(cache_key, lambda: _compute_unit_table(monday, keys, unit_ids, units))


def _compute_unit_table(
    monday: dt.date, keys: list[str], unit_ids: list[int], units: Mapping[int, str]
) -> list[UnitRow]:
    rows = {
        (row["metric"], row["unit_id"]): row
        for row in KpiRollup.objects.filter(
            week=monday, metric__in=keys, scope__in=[str(pk) for pk in unit_ids]
        ).values(*_COLUMNS, "unit_id")
    }
    out: list[UnitRow] = []
    for pk in unit_ids:
        cells: dict[str, CellJson] = {}
        for key in keys:
            metric = registry.owner(key)
            cells[key] = {
                **_figure(metric, rows.get((key, pk))),
                **_links(key, metric, monday, pk),
            }
        out.append({"unit": pk, "name": units[pk], "metrics": cells})
    return out
