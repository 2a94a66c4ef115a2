"""The KPI engine: weekly flows in SQL, year-to-date rollups as running sums, publishing.

Full recompute = one grouped INSERT … SELECT per metric side over all records, then one
windowed INSERT … SELECT per window kind that lays running sums on the week grid. Nothing
is aggregated in Python. An incremental recompute does the same for the weeks and units a
change touched, for the metrics that read the changed model, and re-derives only those
units' rollups (and the brigade's) of those metrics.

Every writer of the KPI tables holds the writer lock (``brigade.core.kpi.lock``) and writes in
one transaction, so any number of recomputes at once, in any processes, end as one.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, DateTimeField, F, Max, Min, Q, QuerySet, Sum
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import ExtractYear, TruncWeek
from django.utils import timezone

from brigade.core.kpi.lock import writer_lock
from brigade.core.kpi.models import (
    BRIGADE_SCOPE,
    KpiDirty,
    KpiFlow,
    KpiPublished,
    KpiRollup,
    KpiWeek,
)
from brigade.core.kpi.registry import Flow, Metric, registry
from brigade.core.kpi.weeks import (
    current_week,
    local_tz,
    week_bounds,
    week_key,
    week_range,
    week_start,
    weeks_between,
    ytd_year,
)

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _dt(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _d(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _as_date(sql: str) -> str:
    """A timestamp (or date text on SQLite) as a date."""
    if connection.vendor == "sqlite":
        return f"date({sql})"
    return f"CAST({sql} AS DATE)"


def _week_of_date(sql: str) -> str:
    """The Monday of a date's ISO week."""
    if connection.vendor == "sqlite":
        return f"date({sql}, 'weekday 0', '-6 days')"
    return f"CAST(DATE_TRUNC('week', {sql}) AS DATE)"


# Memory for the grouped queries and the rollup grid of one transaction (PostgreSQL): the
# server's default (4MB) spills the patrols' hash join and the grid's aggregate to disk.
WORK_MEM = "64MB"


def _roomy() -> None:
    """Give the current transaction's grouped queries ``WORK_MEM`` (PostgreSQL only)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")


def _field(model: Any, path: str) -> Any:
    """The model field at the end of a ``a__b__c`` path."""
    *relations, name = path.split(LOOKUP_SEP)
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)


# --- flows --------------------------------------------------------------------------------


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


def _flow_queryset(flow: Flow, window: Window) -> QuerySet[Any]:
    assert flow.source is not None
    qs = flow.source().order_by()
    model = qs.model
    is_datetime = isinstance(_field(model, flow.when), DateTimeField)
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
    cohort_is_datetime = isinstance(_field(model, cohort), DateTimeField)
    group: dict[str, Any] = {
        "w": TruncWeek(flow.when, tzinfo=tz) if is_datetime else TruncWeek(flow.when),
        "c": ExtractYear(cohort, tzinfo=tz) if cohort_is_datetime else ExtractYear(cohort),
        "u": F(flow.unit),
    }
    if flow.split:
        group["s"] = F(flow.split)
    total = Sum(flow.amount) if flow.amount is not None else Count("pk")
    return qs.values(**group).annotate(t=total)


def _flow_select(flow: Flow, window: Window) -> tuple[str, list[Any]]:
    """SQL whose rows are (w, c, u, [s,] t): week, cohort year, unit, amount."""
    if flow.sql is not None:
        # the rows' own bounds (a calendar from the first post, up to today) when the
        # window has none; a window's weeks within the date window's
        first, last = _weeks(window)
        lo = first if window.first is not None else None
        hi = last + dt.timedelta(days=6) if window.last is not None else None
        inner, params = flow.sql(connection, lo, hi, window.unit_ids)
        week = _week_of_date("src.day")
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
        f"INSERT INTO {_table(KpiFlow)} "
        "(metric, side, kind, win, week, cohort_year, unit_id, amount, rule_version, computed_at) "
        f"SELECT {key_sql}, %s, %s, %s, {_as_date('sub.w')}, sub.c, sub.u, sub.t, %s, %s "
        f"FROM ({select}) sub WHERE sub.t IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [key, side, kind, metric.window, metric.rule_version, _dt(now), *params],
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
        _roomy()
        stale = KpiFlow.objects.all()
        if window.first is not None and window.last is not None:
            stale = stale.filter(week__gte=window.first, week__lte=window.last)
        if window.unit_ids is not None:
            stale = stale.filter(unit_id__in=sorted(window.unit_ids))
        if not everything:
            stale = stale.filter(_metric_q(metrics))
        stale.delete()  # one DELETE: no signals or relations on these derived rows
        for done, (metric, side, flow) in enumerate(sides, start=1):
            _insert_flow(metric, side, flow, window, now)
            if progress:
                progress(done, len(sides))
    return len(sides)


def _metric_q(metrics: Iterable[Metric]) -> Q:
    """The flows and rollups of ``metrics`` (a split metric's parts by their prefix)."""
    which = Q()
    for metric in metrics:
        which |= Q(metric=metric.key)
        if metric.numerator.split:
            which |= Q(metric__startswith=f"{metric.key}.")
    return which


def _metric_sql(metrics: Iterable[Metric] | None) -> tuple[str, list[Any]]:
    """``_metric_q`` as a SQL condition on ``metric`` (``""`` for every metric)."""
    if metrics is None:
        return "", []
    metrics = list(metrics)
    keys = [m.key for m in metrics]
    parts = [f"metric IN ({', '.join(['%s'] * len(keys))})"] if keys else ["1 = 0"]
    params: list[Any] = list(keys)
    for metric in metrics:
        if metric.numerator.split:
            prefix = f"{metric.key}."
            parts.append(f"SUBSTR(metric, 1, {len(prefix)}) = %s")
            params.append(prefix)
    return f" AND ({' OR '.join(parts)})", params


# --- the week grid and rollups ------------------------------------------------------------


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
) -> tuple[str, list]:
    """The INSERT of the rollups of weeks ``since`` to ``last``; its parameters but the
    first (computed-at)."""
    by_cohort, partition_extra = _WINDOWS[win]
    unit_group = ", unit_id" if per_unit else ""
    unit_join = " AND f.unit_id = g.unit_id" if per_unit else ""
    cohort_col = ", cohort_year" if by_cohort else ""
    cohort_join = " AND f.cohort_year = w.ytd_year" if by_cohort else ""
    unit_filter, params = "", []
    if per_unit and unit_ids is not None:
        unit_filter = f" AND unit_id IN ({', '.join(['%s'] * len(unit_ids))})"
        params = sorted(unit_ids)
    metric_filter, metric_params = _metric_sql(metrics)
    unit_filter += metric_filter
    params = [*params, *metric_params]
    # Only the weeks the written figures depend on are laid on the grid (an incremental
    # recompute of a recent week does not sum every year before it).
    first = _grid_from(win, since)
    weekly_from = (" AND week >= %s" if first else "") + " AND week <= %s"
    grid_from = " AND w.monday >= %s" if first else ""
    first_params = [_d(first)] if first else []
    flows = _table(KpiFlow)
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
        f"FROM ({keys}) g CROSS JOIN {_table(KpiWeek)} w "
        f"LEFT JOIN ({weekly}) f ON f.metric = g.metric{unit_join} AND f.week = w.monday"
        f"{cohort_join} WHERE w.monday <= %s{grid_from}"
    )
    scope = "CAST(t.unit_id AS VARCHAR(20))" if per_unit else f"'{BRIGADE_SCOPE}'"
    sql = (
        f"INSERT INTO {_table(KpiRollup)} "
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
        _d(last),
        _d(last),
        *first_params,
        _d(since),
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
        _roomy()
        # weeks before the first flow count nothing any more: their records were deleted
        KpiRollup.objects.filter(week__lt=bounds["first"]).delete()
        stale = KpiRollup.objects.filter(week__gte=since, week__lte=last)
        if unit_ids is not None:
            stale = stale.filter(scope__in=[BRIGADE_SCOPE, *map(str, sorted(unit_ids))])
        if metrics is not None:
            stale = stale.filter(_metric_q(metrics))
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
                    cursor.execute(sql, [_dt(now), *params])
        if bounds["first"] < since <= last:
            # A scope's first record of a kind (or its last one gone) adds (or drops) a
            # figure: write (or drop) its weeks before ``since`` too, as a full run does;
            # for the units recomputed, or for every scope (a full run from ``since``).
            keys = KpiRollup.objects.values_list("metric", "scope")
            if unit_ids is not None:
                keys = keys.filter(scope__in=[BRIGADE_SCOPE, *map(str, sorted(unit_ids))])
            if metrics is not None:
                keys = keys.filter(_metric_q(metrics))
            if set(keys.filter(week=since - dt.timedelta(days=7))) != set(keys.filter(week=last)):
                derive_rollups(unit_ids=unit_ids, until=until, metrics=metrics)


# --- recomputes ---------------------------------------------------------------------------


def recompute_all(progress: Progress | None = None, since: dt.date | None = None) -> None:
    """Every flow and rollup from the records: what the nightly beat entry runs.

    With ``since`` (a Monday), only the flows of that week onwards are recomputed.

    Holds the writer lock (waiting for a recompute under way) and writes in one
    transaction: a run that fails leaves the figures as they were. The marks of the weeks
    it covers are claimed first, in that transaction: a change committed later keeps its
    mark for the next incremental run.
    """
    total = sum(1 + (m.denominator is not None) for m in registry.all()) + 1
    window = Window(first=since, last=current_week()) if since else Window()

    def step(done: int, _of: int) -> None:
        if progress:
            progress(done, total)

    with writer_lock(), transaction.atomic():
        covered = KpiDirty.objects.all()
        if since is not None:
            covered = covered.filter(week__gte=since)
        covered.delete()  # one DELETE of what is visible now, before any flow is read
        compute_flows(window=window, progress=step)
        derive_rollups(since=since)
    bump_version()
    cache_call(None, "delete", ENQUEUE_FAILED)
    if progress:
        progress(total, total)


Mark = tuple[dt.date, int, str]


def _pending() -> list[tuple[int, dt.date, int, str]]:
    """The marks waiting for an incremental run (not the ones set aside)."""
    return list(
        KpiDirty.objects.filter(failed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "week", "unit_id", "model")
    )


def claim_dirty() -> list[Mark]:
    """Take the marked (week, unit, model) marks, so marks made meanwhile wait for the next
    run. Call it inside the transaction that recomputes them (a failure gives them back)."""
    rows = _pending()
    KpiDirty.objects.filter(pk__in=[pk for pk, *_rest in rows]).delete()
    return [(week, unit, model) for _pk, week, unit, model in rows]


def _consecutive(mondays: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """``[(first, last), ...]``: the runs of consecutive weeks among ``mondays``."""
    runs: list[tuple[dt.date, dt.date]] = []
    for monday in sorted(set(mondays)):
        if runs and monday - runs[-1][1] == dt.timedelta(days=7):
            runs[-1] = (runs[-1][0], monday)
        else:
            runs.append((monday, monday))
    return runs


_MOVES: dict[str, set[str]] = {}  # "app.Model" -> keys of the metrics that read it


def metrics_moved_by(model: str) -> list[Metric]:
    """The metrics a change to ``model`` ("app.Model") can move; every metric for ``""``
    or a model no metric names (a mark made without saying what changed)."""
    keys = _MOVES.get(model) if model else None
    if keys is None:
        return registry.all()
    return [metric for metric in registry.all() if metric.key in keys]


def recompute_pairs(pairs: Iterable[tuple[dt.date, int]]) -> int:
    """Recompute every metric's flows of the given (week, unit) pairs; see
    ``recompute_marks``."""
    return recompute_marks((week, unit, "") for week, unit in pairs)


def recompute_marks(marks: Iterable[Mark]) -> int:
    """Recompute the flows of the given (week, unit, model) marks, of the metrics that
    read that model, and re-derive those units' rollups (and the brigade's) of those
    metrics from the earliest week touched. Returns the flow queries run."""
    groups: dict[frozenset[str], dict[int, list[dt.date]]] = {}
    for week, unit, model in marks:
        keys = frozenset(metric.key for metric in metrics_moved_by(model))
        groups.setdefault(keys, {}).setdefault(unit, []).append(week)
    moved = frozenset().union(*groups)
    metrics = [metric for metric in registry.all() if metric.key in moved]
    if not metrics:
        return 0
    by_unit: dict[int, list[dt.date]] = {}
    queries = 0
    with writer_lock(), transaction.atomic():
        for keys, weeks_of in groups.items():
            group = [metric for metric in metrics if metric.key in keys]
            for unit, weeks in sorted(weeks_of.items()):
                by_unit.setdefault(unit, []).extend(weeks)
                # one window per run of consecutive weeks: the weeks between two marked
                # ones (a patrol moved from March to May) keep their flows
                for first, last in _consecutive(weeks):
                    window = Window(first=first, last=last, unit_ids=frozenset({unit}))
                    queries += compute_flows(metrics=group, window=window)
        since = min(w for weeks in by_unit.values() for w in weeks)
        units = frozenset(by_unit)
        until = _year_end(max(w for weeks in by_unit.values() for w in weeks))
        if until >= current_week() or any(m.window == "cumulative" for m in metrics):
            derive_rollups(since=since, unit_ids=units, metrics=metrics)
        else:
            # Year-to-date and weekly figures start again each year, so a change moves the
            # figures of its own year only; later weeks keep theirs unless the scopes' set
            # of figures changed (a first record of a kind, or the last one gone).
            derive_rollups(since=since, unit_ids=units, until=until, metrics=metrics)
            if _figure_keys(until, units, metrics) != _figure_keys(current_week(), units, metrics):
                derive_rollups(since=until + dt.timedelta(days=7), unit_ids=units, metrics=metrics)
    bump_version()
    cache_call(None, "delete", ENQUEUE_FAILED)
    return queries


def _year_end(monday: dt.date) -> dt.date:
    """The last week of ``monday``'s year-to-date year."""
    return week_start(dt.date(ytd_year(monday) + 1, 1, 1)) - dt.timedelta(days=7)


def _figure_keys(
    monday: dt.date, unit_ids: frozenset[int], metrics: list[Metric]
) -> set[tuple[str, str]]:
    """The (metric, scope) figures of a week for the brigade and ``unit_ids``."""
    scopes = [BRIGADE_SCOPE, *map(str, sorted(unit_ids))]
    return set(
        KpiRollup.objects.filter(_metric_q(metrics), week=monday, scope__in=scopes).values_list(
            "metric", "scope"
        )
    )


# What a recompute raises when the database itself fails: the marks stay for a retry,
# none is set aside for it.
_DATABASE_DOWN = (OperationalError, InterfaceError)


def recompute_dirty() -> int:
    """The on-change recompute: every marked week and unit, once.

    The marks are claimed and recomputed in one transaction, holding the writer lock. If
    that fails, each mark is tried again alone; one that still fails is set aside
    (``failed_at``, ``error``), logged and reported (``manage.py rollup_kpis``), never
    claimed again by this run or the next, and the others are computed.
    """
    with writer_lock():
        try:
            with transaction.atomic():
                return recompute_marks(claim_dirty())
        except _DATABASE_DOWN:
            raise
        except Exception:
            logger.warning("KPI recompute of the marks failed; trying each alone", exc_info=True)
        queries = 0
        for pk, week, unit, model in _pending():
            try:
                with transaction.atomic():
                    if KpiDirty.objects.filter(pk=pk, failed_at__isnull=True).delete()[0]:
                        queries += recompute_marks([(week, unit, model)])
            except _DATABASE_DOWN:
                raise
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"[:2000]
                KpiDirty.objects.filter(pk=pk).update(failed_at=timezone.now(), error=error)
                logger.error(
                    "KPI mark set aside (week %s, unit %s, %s): %s",
                    week,
                    unit,
                    model or "every metric",
                    error,
                    exc_info=not isinstance(exc, DatabaseError),
                )
        return queries


def set_aside() -> QuerySet[KpiDirty]:
    """The marks whose recompute failed: reported until a full recompute covers them."""
    return KpiDirty.objects.filter(failed_at__isnull=False).order_by("week", "unit_id")


# --- change tracking ----------------------------------------------------------------------

_paused = False


class paused:
    """Suspend change tracking (bulk loads that end with a full recompute)."""

    def __enter__(self) -> None:
        global _paused
        self._before, _paused = _paused, True

    def __exit__(self, *exc: object) -> None:
        global _paused
        _paused = self._before


def mark_dirty(
    pairs: Iterable[tuple[dt.date, int]], schedule: bool = True, model: Any = ""
) -> None:
    """Remember that these (week or day, unit) pairs changed; recompute after the commit.

    ``model`` (a model class or "app.Model") is what changed: the incremental recompute
    then computes only the metrics that read it; without it, every metric.
    """
    label = model if isinstance(model, str) else model._meta.label
    marks = {(week_start(day), int(unit)) for day, unit in pairs if day and unit is not None}
    if not marks:
        return
    # a row of its own per change (no upsert): a recompute that claims the marks it sees
    # never takes this one before this transaction's changes are visible to it
    KpiDirty.objects.bulk_create(
        [KpiDirty(week=w, unit_id=u, model=label) for w, u in sorted(marks)]
    )
    if schedule:
        transaction.on_commit(schedule_recompute)


COALESCE_SECONDS = 3
# enqueued by name (brigade/core/kpi/tasks.py), so that the engine never imports its tasks
RECOMPUTE_DIRTY_TASK = "brigade.tasks.recompute_dirty_task"
RECOMPUTE_ALL_TASK = "brigade.tasks.recompute_all_task"
_SCHEDULED = "kpi:recompute-scheduled"
ENQUEUE_FAILED = "kpi:enqueue-failed"


def schedule_recompute() -> None:
    """Enqueue one incremental recompute for however many marks a burst of edits made.

    The first mark of a burst wins the cache flag and enqueues a task a few seconds
    ahead; later marks find the flag and add nothing. The task clears the flag before it
    claims the marks. A broker that does not answer costs a bounded wait, never a failed
    request: the marks stay and the nightly recompute (or the next enqueue) takes them.
    """
    recompute_dirty_task = current_app.tasks[RECOMPUTE_DIRTY_TASK]

    # With the cache down too, enqueue anyway: coalescing is lost, correctness is not.
    if cache_call(True, "add", _SCHEDULED, 1, timeout=COALESCE_SECONDS * 20) is False:
        return
    try:
        recompute_dirty_task.apply_async(countdown=COALESCE_SECONDS, retry=False)
    except Exception:  # the broker is down: kombu raises several kinds
        cache_call(None, "delete", _SCHEDULED)
        mark_stale()
        logger.warning("KPI recompute could not be enqueued; figures may be stale", exc_info=True)


def mark_stale() -> None:
    """Remember that a recompute could not be enqueued (the dashboard says so)."""
    cache_call(None, "set", ENQUEUE_FAILED, timezone.now().isoformat(), timeout=None)


_UNANSWERED = object()


def stale_since() -> str | None:
    """When an enqueue last failed, if no recompute has finished since.

    The flag lives in the cache, which is Redis like the broker: while it does not answer,
    the oldest change waiting for a recompute tells instead (its enqueue failed too).
    """
    flag = cache_call(_UNANSWERED, "get", ENQUEUE_FAILED)
    if flag is not _UNANSWERED:
        return flag
    oldest = KpiDirty.objects.filter(failed_at__isnull=True).aggregate(first=Min("marked_at"))[
        "first"
    ]
    return oldest.isoformat() if oldest else None


def release_schedule() -> None:
    cache_call(None, "delete", _SCHEDULED)


def _value_at(instance: Any, path: str) -> Any:
    value = instance
    try:
        for part in path.split(LOOKUP_SEP):
            if value is None:
                return None
            value = getattr(value, part)
    except ObjectDoesNotExist:  # a parent deleted in the same cascade
        return None
    return value


def _touches(
    flow: Flow | _Through, instance: Any, values: dict[str, Any]
) -> set[tuple[dt.date, int]]:
    from brigade.core.kpi.weeks import local_date

    when = values.get(flow.when)
    unit = values.get(flow.unit)
    if when is None or unit is None:
        return set()
    return {(local_date(when), unit)}


def _snapshot(flow: Flow | _Through, instance: Any) -> dict[str, Any]:
    return {path: _value_at(instance, path) for path in (flow.when, flow.unit) if path}


@dataclass(frozen=True)
class _Through:
    """A flow's event time and unit as read on the related record they come from (the
    session of an attendance): a change there (the session's date) moves the flow too."""

    when: str
    unit: str
    touch: None = None


def _through(flow: Flow) -> tuple[str, _Through] | None:
    """The related model that holds a queryset flow's event time and unit, if one does."""
    if flow.source is None or flow.touch is not None or flow.watch:
        return None
    relation, _, when = flow.when.partition(LOOKUP_SEP)
    prefix = relation + LOOKUP_SEP
    if not when or not flow.unit.startswith(prefix):
        return None
    parent = flow.source().model._meta.get_field(relation).related_model
    return parent._meta.label, _Through(when=when, unit=flow.unit.removeprefix(prefix))


_WATCHERS: dict[str, list[Flow | _Through]] = {}


def _flows_watching(model: Any) -> list[Flow | _Through]:
    return _WATCHERS.get(model._meta.label, [])


def _on_init(sender: type, instance: Any, **kwargs: Any) -> None:
    # Only plain columns: reading a relation here would cost a query per loaded row.
    flows = _flows_watching(sender)
    instance._kpi_initial = {
        path: instance.__dict__.get(path)
        for flow in flows
        if flow.touch is None
        for path in (flow.when, flow.unit)
        if path and LOOKUP_SEP not in path
    }
    if any(flow.touch is not None for flow in flows):
        # a ``touch`` reads the record itself: keep its values as loaded (a shallow copy)
        instance._kpi_loaded = instance.__dict__.copy()


def _as_loaded(instance: Any) -> Any | None:
    """A copy of ``instance`` with the column values it had when loaded (None if new)."""
    loaded = getattr(instance, "_kpi_loaded", None)
    if not loaded or loaded.get(instance._meta.pk.attname) is None:
        return None
    before = copy.copy(instance)
    before._state.fields_cache = {}  # no related object of the new values
    for field in instance._meta.concrete_fields:
        if field.attname in loaded:
            before.__dict__[field.attname] = loaded[field.attname]
    return before


def _on_change(sender: type, instance: Any, **kwargs: Any) -> None:
    if _paused or kwargs.get("raw"):
        return
    pairs: set[tuple[dt.date, int]] = set()
    initial = getattr(instance, "_kpi_initial", {})
    before = _as_loaded(instance)
    for flow in _flows_watching(sender):
        if flow.touch is not None:
            pairs |= set(flow.touch(instance))
            if before is not None:
                # where the record was before this change (a check-in withdrawn or moved,
                # a post given to another unit, a school break shortened)
                pairs |= set(flow.touch(before))
            continue
        now = _snapshot(flow, instance)
        pairs |= _touches(flow, instance, now)
        # where the record was before this change (a moved date, another unit)
        pairs |= _touches(flow, instance, {p: initial.get(p, v) for p, v in now.items()})
    mark_dirty(pairs, model=sender)
    instance._kpi_initial = {path: instance.__dict__.get(path) for path in initial}
    if hasattr(instance, "_kpi_loaded"):
        instance._kpi_loaded = {k: v for k, v in instance.__dict__.items() if k != "_kpi_loaded"}


def watch(metric: Metric) -> None:
    """Mark the weeks a change to a counted record touches (called at registration)."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_init, post_save

    for flow in (metric.numerator, metric.denominator):
        if flow is None:
            continue
        watchers: list[tuple[str, Flow | _Through]] = [(label, flow) for label in flow.watched()]
        if through := _through(flow):
            watchers.append(through)
        for label, watcher in watchers:
            _WATCHERS.setdefault(label, []).append(watcher)
            _MOVES.setdefault(label, set()).add(metric.key)
            model = apps.get_model(label)
            uid = f"kpi-{label}"
            post_init.connect(_on_init, sender=model, dispatch_uid=f"{uid}-init")
            post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}-delete")


# --- publishing ---------------------------------------------------------------------------


class NotSettled(Exception):
    """A week's figures wait for a recompute of changed records: not published yet."""


def publish_week(monday: dt.date) -> int:
    """Freeze a closed week's figures as published; a week is published once.

    Holds the writer lock, so it waits for a recompute under way and freezes what that
    run committed (a run that fails commits nothing). Raises ``NotSettled`` while a change
    to that week or an earlier one waits for its recompute.
    """
    with writer_lock(), transaction.atomic():
        waiting = KpiDirty.objects.filter(failed_at__isnull=True, week__lte=monday)
        if waiting.exists():
            raise NotSettled(f"{waiting.count()} changed weeks wait for a recompute")
        return _publish(monday)


def _publish(monday: dt.date) -> int:
    already = set(KpiPublished.objects.filter(week=monday).values_list("metric", "scope"))
    now = timezone.now()
    rows = [
        KpiPublished(
            metric=r.metric,
            week=r.week,
            scope=r.scope,
            unit_id=r.unit_id,
            numerator=r.numerator,
            denominator=r.denominator,
            value=r.value,
            rule_version=r.rule_version,
            published_at=now,
        )
        for r in KpiRollup.objects.filter(week=monday)
        if (r.metric, r.scope) not in already
    ]
    KpiPublished.objects.bulk_create(rows, ignore_conflicts=True)
    bump_version()
    return len(rows)


# --- cache version of computed payloads ---------------------------------------------------

_VERSION = "kpi:version"


def cache_call(default: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """A cache call that survives a cache outage (Redis down): ``default`` instead."""
    from django.core.cache import cache

    try:
        return getattr(cache, name)(*args, **kwargs)
    except Exception:  # redis-py raises its own ConnectionError/TimeoutError
        logger.warning("cache unavailable for %s", name, exc_info=True)
        return default


def bump_version() -> None:
    """Every read payload is cached under the current version; a recompute moves it on."""
    if cache_call(None, "add", _VERSION, 1, timeout=None) is False:
        cache_call(None, "incr", _VERSION)


def version() -> int:
    return int(cache_call(0, "get", _VERSION) or 0)


# every metric registered, before this module was imported and after, is watched
registry.listen(watch)
