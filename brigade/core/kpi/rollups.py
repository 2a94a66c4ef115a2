"""Year-to-date (and cumulative, and weekly) rollups: the flows' running sums laid on the
week grid in SQL, per unit and for the brigade."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from brigade.core.kpi.flows import metric_q
from brigade.core.kpi.models import BRIGADE_SCOPE, KpiFlow, KpiRollup, KpiWeek
from brigade.core.kpi.registry import Metric, registry
from brigade.core.kpi.sql import SqlValue, db_date, db_datetime, roomy, table
from brigade.core.kpi.weeks import current_week, week_key, week_start, weeks_between, ytd_year


def ensure_weeks(first: dt.date, last: dt.date) -> None:
    """Make sure the grid has every week from ``first`` to ``last``."""
    have = set(
        KpiWeek.objects.filter(monday__gte=first, monday__lte=last).values_list("monday", flat=True)
    )
    missing = [m for m in weeks_between(first, last) if m not in have]
    KpiWeek.objects.bulk_create(
        [KpiWeek(monday=m, key=week_key(m), ytd_year=ytd_year(m)) for m in missing],
        ignore_conflicts=True,
    )


def _metric_sql(metrics: Iterable[Metric] | None) -> tuple[str, list[SqlValue]]:
    """``metric_q`` as a SQL condition on ``metric`` (``""`` for every metric)."""
    if metrics is None:
        return "", []
    metrics = list(metrics)
    keys = [m.key for m in metrics]
    parts = [f"metric IN ({', '.join(['%s'] * len(keys))})"] if keys else ["1 = 0"]
    params: list[SqlValue] = list(keys)
    for metric in metrics:
        if metric.numerator.split:
            prefix = f"{metric.key}."
            parts.append(f"SUBSTR(metric, 1, {len(prefix)}) = %s")
            params.append(prefix)
    return f" AND ({' OR '.join(parts)})", params


_WINDOWS = {
    # window kind: (flow grouping and join on cohort?, running-sum partition)
    "ytd": (True, "w.ytd_year"),
    "cumulative": (False, None),
    "week": (False, ""),
}


def _grid_from(win: str, since: dt.date) -> dt.date | None:
    """The first week whose flows the figures of ``since`` onwards depend on: the first
    week of its year-to-date year, ``since`` itself for weekly figures, or all (None)."""
    if win == "ytd":
        return week_start(dt.date(ytd_year(since), 1, 1))
    if win == "week":
        return since
    return None


def _rollup_sql(
    win: str,
    per_unit: bool,
    unit_ids: frozenset[int] | None,
    last: dt.date,
    since: dt.date,
    metrics: Iterable[Metric] | None = None,
) -> tuple[str, list[SqlValue]]:
    """The INSERT of the rollups of weeks ``since`` to ``last``; its parameters but the
    first (computed-at)."""
    by_cohort, partition_extra = _WINDOWS[win]
    unit_group = ", unit_id" if per_unit else ""
    unit_join = " AND f.unit_id = g.unit_id" if per_unit else ""
    cohort_col = ", cohort_year" if by_cohort else ""
    cohort_join = " AND f.cohort_year = w.ytd_year" if by_cohort else ""
    unit_filter, params = "", list[SqlValue]()
    if per_unit and unit_ids is not None:
        unit_filter = f" AND unit_id IN ({', '.join(['%s'] * len(unit_ids))})"
        params = [*sorted(unit_ids)]
    metric_filter, metric_params = _metric_sql(metrics)
    unit_filter += metric_filter
    params = [*params, *metric_params]
    # Only the weeks the written figures depend on are laid on the grid (an incremental
    # recompute of a recent week does not sum every year before it).
    first = _grid_from(win, since)
    weekly_from = (" AND week >= %s" if first else "") + " AND week <= %s"
    grid_from = " AND w.monday >= %s" if first else ""
    first_params = [db_date(first)] if first else []
    flows = table(KpiFlow)
    keys = (
        f"SELECT metric{', unit_id' if per_unit else ''}, MAX(kind) AS kind, "
        f"MAX(rule_version) AS rv FROM {flows} WHERE win = %s{unit_filter} "
        f"GROUP BY metric{unit_group}"
    )
    weekly = (
        f"SELECT metric{unit_group}, week{cohort_col}, "
        "SUM(CASE WHEN side = 'n' THEN amount ELSE 0 END) AS n, "
        "SUM(CASE WHEN side = 'd' THEN amount ELSE 0 END) AS d "
        f"FROM {flows} WHERE win = %s{unit_filter}{weekly_from} "
        f"GROUP BY metric{unit_group}, week{cohort_col}"
    )
    if partition_extra == "":
        num, den = "COALESCE(f.n, 0)", "COALESCE(f.d, 0)"
    else:
        partition = f"g.metric{', g.unit_id' if per_unit else ''}"
        if partition_extra:
            partition += f", {partition_extra}"
        over = f"OVER (PARTITION BY {partition} ORDER BY w.monday)"
        num, den = f"SUM(COALESCE(f.n, 0)) {over}", f"SUM(COALESCE(f.d, 0)) {over}"
    grid = (
        f"SELECT g.metric, {('g.unit_id' if per_unit else 'NULL')} AS unit_id, w.monday, "
        f"g.kind, g.rv, {num} AS num, {den} AS den "
        f"FROM ({keys}) g CROSS JOIN {table(KpiWeek)} w "
        f"LEFT JOIN ({weekly}) f ON f.metric = g.metric{unit_join} AND f.week = w.monday"
        f"{cohort_join} WHERE w.monday <= %s{grid_from}"
    )
    scope = "CAST(t.unit_id AS VARCHAR(20))" if per_unit else f"'{BRIGADE_SCOPE}'"
    sql = (
        f"INSERT INTO {table(KpiRollup)} "
        "(metric, week, scope, unit_id, numerator, denominator, value, rule_version, computed_at) "
        f"SELECT t.metric, t.monday, {scope}, {('t.unit_id' if per_unit else 'NULL')}, t.num, "
        "CASE WHEN t.kind = 'r' THEN t.den END, "
        "CASE WHEN t.kind = 'r' THEN (CASE WHEN t.den > 0 THEN t.num * 1.0 / t.den END) "
        "ELSE t.num END, t.rv, %s "
        f"FROM ({grid}) t WHERE t.monday >= %s"
    )
    return sql, [
        win,
        *params,
        win,
        *params,
        *first_params,
        db_date(last),
        db_date(last),
        *first_params,
        db_date(since),
    ]


def derive_rollups(
    since: dt.date | None = None,
    unit_ids: frozenset[int] | None = None,
    until: dt.date | None = None,
    metrics: list[Metric] | None = None,
) -> None:
    """Lay the flows' running sums on the week grid, for weeks from ``since`` (default:
    the first week with a flow) to the current week; for ``unit_ids`` and the brigade, or
    for every scope; for ``metrics`` (default: every metric)."""
    bounds = KpiFlow.objects.aggregate(first=Min("week"), last=Max("week"))
    last = until or current_week()
    if bounds["first"] is None:
        KpiRollup.objects.all().delete()  # no flow left: no figure counts anything
        return
    if unit_ids is not None:
        oldest = KpiRollup.objects.aggregate(oldest=Min("week"))["oldest"]
        if oldest is None or oldest > bounds["first"]:
            # the grid grows at its start: every scope gains those weeks (up to the current
            # one, whatever ``until`` says), as in a full run
            since, unit_ids, last, metrics = None, None, current_week(), None
    # the grid starts at the first flow: a mark of an earlier week (a record since moved
    # or deleted) adds no week before it
    ensure_weeks(bounds["first"], last)
    # no figure before the first flow (a full run writes none): an incremental one neither
    since = max(since or bounds["first"], bounds["first"])
    now = timezone.now()
    with transaction.atomic():
        roomy()
        # weeks before the first flow count nothing any more: their records were deleted
        KpiRollup.objects.filter(week__lt=bounds["first"]).delete()
        stale = KpiRollup.objects.filter(week__gte=since, week__lte=last)
        if unit_ids is not None:
            stale = stale.filter(scope__in=[BRIGADE_SCOPE, *map(str, sorted(unit_ids))])
        if metrics is not None:
            stale = stale.filter(metric_q(metrics))
        stale.delete()
        # only the window kinds a metric uses: flows come from the registered metrics only
        used = {metric.window for metric in (registry.all() if metrics is None else metrics)}
        with connection.cursor() as cursor:
            for win in (w for w in _WINDOWS if w in used):
                for per_unit in (True, False):
                    sql, params = _rollup_sql(
                        win,
                        per_unit,
                        unit_ids if per_unit else None,
                        last=last,
                        since=since,
                        metrics=metrics,
                    )
                    cursor.execute(sql, [db_datetime(now), *params])
        if bounds["first"] < since <= last:
            # A scope's first record of a kind (or its last one gone) adds (or drops) a
            # figure: write (or drop) its weeks before ``since`` too, as a full run does;
            # for the units recomputed, or for every scope (a full run from ``since``).
            keys = KpiRollup.objects.values_list("metric", "scope")
            if unit_ids is not None:
                keys = keys.filter(scope__in=[BRIGADE_SCOPE, *map(str, sorted(unit_ids))])
            if metrics is not None:
                keys = keys.filter(metric_q(metrics))
            if set(keys.filter(week=since - dt.timedelta(days=7))) != set(keys.filter(week=last)):
                derive_rollups(unit_ids=unit_ids, until=until, metrics=metrics)
