"""The metric registry: each app declares its metrics in its own ``kpis.py`` and registers
them from ``AppConfig.ready()``. The engine knows metrics only through this registry.

A metric is a numerator flow and, for a rate, a denominator flow. A flow is a set of
dated events (a record's timestamp, its unit, an amount) that the engine counts per ISO
week in SQL; year-to-date figures are running sums of those weekly flows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, QuerySet
from django.db.models.expressions import BaseExpression
from django.utils.functional import Promise

Window = Literal["ytd", "cumulative", "week"]
# A query with its parameters, as ``cursor.execute`` takes them.
Sql = tuple[str, list[Any]]


@dataclass(frozen=True)
class Flow:
    """Events counted per week.

    - ``source``: returns the queryset of records, one event each (filtered as the metric
      says); the engine adds the week range and unit filters.
    - ``when``: the field path of the event time (a datetime or a date); also used for
      range filters, so index it.
    - ``unit``: the field path of the record's unit id.
    - ``cohort``: the field path whose local year is the record's cohort (default ``when``):
      "verified by week end / found this year" counts verifications of this year's finds.
    - ``amount``: an expression summed per week; ``None`` counts the records.
    - ``split``: a field path whose value suffixes the metric key (one metric per value,
      e.g. violations per type), all from one grouped query.
    - ``sql``: instead of a queryset, a callable ``(connection, lo, hi, unit_ids)`` returning
      ``(sql, params)`` whose rows are ``(day, cohort, unit_id, amount)``, ``day`` a local
      date; for the few metrics no queryset can express (a calendar crossed with posts).
    - ``rows``: for a ``sql`` flow, the same rows with the record each comes from: a
      callable like ``sql`` whose rows are ``(day, cohort, unit_id, amount, pk, ref)``,
      ``pk`` a primary key of ``rows_of`` ("app.Model") and ``ref`` what tells apart the
      events of one record (the day of a post-day; a constant where a record's events net
      out, as a hazard's +1 overdue and −1 closed). Declare ``sql`` with ``rows_sql(rows)``
      so that the figure and the list of its records read one definition.
    - ``sums``: for a ``sql`` flow, its amounts are quantities (people), not one per record.
    """

    source: Callable[[], QuerySet[Any]] | None = None
    when: str = ""
    unit: str = "unit_id"
    cohort: str | None = None
    amount: BaseExpression | F | None = None
    split: str | None = None
    sql: Callable[..., Sql] | None = None
    # models whose changes move this flow's figures ("app.Model"; default: the source's)
    watch: tuple[str, ...] = ()
    # for a sql flow: the (day, unit id) pairs a changed record moves
    touch: Callable[[Any], Iterable[tuple[Any, int]]] | None = None
    rows: Callable[..., Sql] | None = None
    rows_of: str = ""
    sums: bool = False

    @property
    def is_sum(self) -> bool:
        """Its figure sums an amount (hours, yuan, people) rather than counting records."""
        return self.amount is not None or self.sums

    def watched(self) -> tuple[str, ...]:
        if self.watch:
            return self.watch
        if self.source is not None:
            return (self.source().model._meta.label,)
        return ()

    def __post_init__(self) -> None:
        if (self.source is None) == (self.sql is None):
            raise ValueError("a flow has either a source queryset or sql")
        if self.source is not None and not self.when:
            raise ValueError("a queryset flow names its event time field ('when')")


def rows_sql(rows: Callable[..., Sql]) -> Callable[..., Sql]:
    """A ``sql`` flow's callable read from its ``rows`` (the engine's columns only)."""

    def sql(
        connection: BaseDatabaseWrapper,
        lo: dt.date | None,
        hi: dt.date | None,
        unit_ids: Iterable[int] | None,
    ) -> Sql:
        inner, params = rows(connection, lo, hi, unit_ids)
        return (
            "SELECT r.day AS day, r.cohort AS cohort, r.unit_id AS unit_id, r.amount AS amount "
            f"FROM ({inner}) r",
            list(params),
        )

    return sql


# --- the pieces of a ``rows`` flow's SQL every app writes alike ------------------------------


def sql_year(connection: BaseDatabaseWrapper, column: str) -> str:
    """The year of a date column, an integer (a row's ``cohort``). For a query whose
    parameters are filled in later: its percent sign is doubled."""
    if connection.vendor == "sqlite":
        return f"CAST(strftime('%%Y', {column}) AS INTEGER)"
    return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"


def sql_days(
    connection: BaseDatabaseWrapper,
    day: str,
    lo: dt.date | None,
    hi: dt.date | None,
    day_params: Sequence[object] = (),
    *,
    until: dt.date | None = None,
) -> Sql:
    """`` AND`` conditions that keep the rows whose ``day`` (an SQL date expression, with
    its parameters) falls within [lo, hi] (None: no bound), and not after ``until`` (the
    last day a stock may count: today)."""
    if until is not None:
        hi = min(hi, until) if hi else until
    sql, params = "", []
    if hi is not None:
        sql += f" AND {day} <= %s"
        params += [*day_params, connection.ops.adapt_datefield_value(hi)]
    if lo is not None:
        sql += f" AND {day} >= %s"
        params += [*day_params, connection.ops.adapt_datefield_value(lo)]
    return sql, params


def sql_units(column: str, unit_ids: Iterable[int] | None) -> Sql:
    """An `` AND`` condition that keeps the rows of ``unit_ids`` (None: every unit)."""
    if unit_ids is None:
        return "", []
    ids = sorted(unit_ids)
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


@dataclass(frozen=True)
class Metric:
    """One figure: a numerator flow, and a denominator flow for a rate.

    ``rule_version`` changes when what is counted changes; rollups record it.
    The records behind a figure are listed by ``brigade.core.kpi.records`` from its flows.
    """

    key: str
    label: Promise | str
    numerator: Flow
    denominator: Flow | None = None
    unit_label: Promise | str = ""
    window: Window = "ytd"
    rule_version: int = 1
    description: str = ""
    # keys that ``numerator.split`` produces, with their labels (for split metrics)
    parts: tuple[tuple[str, Promise | str], ...] = ()
    # shown as a dashboard tile (split parts are charted, not tiled)
    tile: bool = True
    # where it stands among its app's metrics (those of one order: as registered)
    order: int = 100
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]

    def keys(self) -> list[str]:
        """The metric keys this declaration produces (one per split part)."""
        if self.numerator.split:
            return [f"{self.key}.{part}" for part, _label in self.parts]
        return [self.key]


class Registry:
    def __init__(self) -> None:
        self._metrics: dict[str, Metric] = {}
        self._listeners: list[Callable[[Metric], None]] = []

    def register(self, *metrics: Metric) -> None:
        """Add metrics (from an app's ``ready()``); each listener (the engine, which
        watches the models they count) hears of each."""
        for metric in metrics:
            if metric.key in self._metrics:
                raise ValueError(f"metric {metric.key} is registered twice")
            self._metrics[metric.key] = metric
            for listener in self._listeners:
                listener(metric)

    def listen(self, listener: Callable[[Metric], None]) -> None:
        """Call ``listener`` with every metric registered, before and after."""
        self._listeners.append(listener)
        for metric in list(self._metrics.values()):
            listener(metric)

    def all(self) -> list[Metric]:
        """By app, then ``order``, then in the order they were registered."""
        return sorted(self._metrics.values(), key=lambda m: (m.app, m.order))

    def get(self, key: str) -> Metric:
        return self._metrics[key]

    def labels(self) -> dict[str, Promise | str]:
        """Every produced key (split parts included) with its label."""
        out: dict[str, Promise | str] = {}
        for metric in self.all():
            if metric.numerator.split:
                for part, label in metric.parts:
                    out[f"{metric.key}.{part}"] = label
            else:
                out[metric.key] = metric.label
        return out

    def owner(self, key: str) -> Metric:
        """The declaration behind a produced key (a split part's parent)."""
        if key in self._metrics:
            return self._metrics[key]
        parent = key.rsplit(".", 1)[0]
        return self._metrics[parent]

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.all())


registry = Registry()
register = registry.register
