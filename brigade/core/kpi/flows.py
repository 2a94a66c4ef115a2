"""Weekly flows: one grouped INSERT … SELECT per metric side, for a window of weeks and
units. Nothing is aggregated in Python."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, DateTimeField, F, Model, Q, QuerySet, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import ExtractYear, TruncWeek
from django.utils import timezone

from brigade.core.kpi.models import KpiFlow
from brigade.core.kpi.registry import Flow, Metric, registry
from brigade.core.kpi.sql import (
    SqlValue,
    as_date,
    db_datetime,
    field_at,
    roomy,
    table,
    week_of_date,
)
from brigade.core.kpi.weeks import local_tz, week_bounds, week_range

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Window:
    """The weeks (Mondays, inclusive) and units a recompute is limited to."""

    first: dt.date | None = None
    last: dt.date | None = None
    unit_ids: frozenset[int] | None = None


def _weeks(window: Window) -> tuple[dt.date, dt.date]:
    """The Mondays of the first and last weeks whose flows ``window`` covers: never outside
    the date window's weeks (``week_range``). A record dated before it or far after it (a
    legacy row the checks never saw, listed by ``manage.py check_dates``) counts in no
    figure, rather than stretching the week grid to year 1 or 9999. First after last: none.
    """
    first, last = week_range()
    if window.first is not None:
        first = max(first, window.first)
    if window.last is not None:
        last = min(last, window.last)
    return first, last


def _flow_queryset(flow: Flow, window: Window) -> QuerySet[Model, dict[str, object]]:
    assert flow.source is not None
    qs = flow.source().order_by()
    model = qs.model
    is_datetime = isinstance(field_at(model, flow.when), DateTimeField)
    tz = local_tz()
    first, last = _weeks(window)
    lo: dt.date = first
    hi: dt.date = last + dt.timedelta(days=7)
    if is_datetime:
        lo, hi = week_bounds(first)[0], week_bounds(last)[1]
    qs = qs.filter(**{f"{flow.when}__gte": lo, f"{flow.when}__lt": hi})
    if window.unit_ids is not None:
        qs = qs.filter(**{f"{flow.unit}__in": sorted(window.unit_ids)})
    cohort = flow.cohort or flow.when
    cohort_is_datetime = isinstance(field_at(model, cohort), DateTimeField)
    group: dict[str, Combinable] = {
        "w": TruncWeek(flow.when, tzinfo=tz) if is_datetime else TruncWeek(flow.when),
        "c": ExtractYear(cohort, tzinfo=tz) if cohort_is_datetime else ExtractYear(cohort),
        "u": F(flow.unit),
    }
    if flow.split:
        group["s"] = F(flow.split)
    total = Sum(flow.amount) if flow.amount is not None else Count("pk")
    return qs.values(**group).annotate(t=total)


def _flow_select(flow: Flow, window: Window) -> tuple[str, list[SqlValue]]:
    """SQL whose rows are (w, c, u, [s,] t): week, cohort year, unit, amount."""
    if flow.sql is not None:
        # the rows' own bounds (a calendar from the first post, up to today) when the
        # window has none; a window's weeks within the date window's
        first, last = _weeks(window)
        lo = first if window.first is not None else None
        hi = last + dt.timedelta(days=6) if window.last is not None else None
        inner, params = flow.sql(connection, lo, hi, window.unit_ids)
        week = week_of_date("src.day")
        sql = (
            f"SELECT {week} AS w, src.cohort AS c, src.unit_id AS u, SUM(src.amount) AS t "
            f"FROM ({inner}) src GROUP BY {week}, src.cohort, src.unit_id"
        )
        return sql, list(params)
    compiled, compiled_params = _flow_queryset(flow, window).query.sql_with_params()
    return compiled, list(compiled_params)


def _insert_flow(metric: Metric, side: str, flow: Flow, window: Window, now: dt.datetime) -> None:
    select, params = _flow_select(flow, window)
    key_sql = "%s || sub.s" if flow.split else "%s"
    key = f"{metric.key}." if flow.split else metric.key
    kind = KpiFlow.Kind.RATE if metric.is_rate else KpiFlow.Kind.SUM
    sql = (
        f"INSERT INTO {table(KpiFlow)} "
        "(metric, side, kind, win, week, cohort_year, unit_id, amount, rule_version, computed_at) "
        f"SELECT {key_sql}, %s, %s, %s, {as_date('sub.w')}, sub.c, sub.u, sub.t, %s, %s "
        f"FROM ({select}) sub WHERE sub.t IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [key, side, kind, metric.window, metric.rule_version, db_datetime(now), *params],
        )


def compute_flows(
    metrics: Iterable[Metric] | None = None,
    window: Window = Window(),
    progress: Progress | None = None,
) -> int:
    """Recompute the weekly flows of ``metrics`` (default: all) inside ``window``.

    Returns the number of grouped queries run. Idempotent: the window's flows are deleted
    and inserted again in one transaction.
    """
    everything = metrics is None
    metrics = list(registry.all() if metrics is None else metrics)
    if not metrics:
        return 0
    sides = [(m, s, f) for m in metrics for s, f in (("n", m.numerator), ("d", m.denominator)) if f]
    now = timezone.now()
    with transaction.atomic():
        roomy()
        stale = KpiFlow.objects.all()
        if window.first is not None and window.last is not None:
            stale = stale.filter(week__gte=window.first, week__lte=window.last)
        if window.unit_ids is not None:
            stale = stale.filter(unit_id__in=sorted(window.unit_ids))
        if not everything:
            stale = stale.filter(metric_q(metrics))
        stale.delete()  # one DELETE: no signals or relations on these derived rows
        for done, (metric, side, flow) in enumerate(sides, start=1):
            _insert_flow(metric, side, flow, window, now)
            if progress:
                progress(done, len(sides))
    return len(sides)


def metric_q(metrics: Iterable[Metric]) -> Q:
    """The flows and rollups of ``metrics`` (a split metric's parts by their prefix)."""
    which = Q()
    for metric in metrics:
        which |= Q(metric=metric.key)
        if metric.numerator.split:
            which |= Q(metric__startswith=f"{metric.key}.")
    return which
