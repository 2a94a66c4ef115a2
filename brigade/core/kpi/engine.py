"""The KPI engine: weekly flows in SQL, year-to-date rollups as running sums, publishing.

Full recompute = one grouped INSERT … SELECT per metric side over all records, then one
windowed INSERT … SELECT per window kind that lays running sums on the week grid. Nothing
is aggregated in Python. An incremental recompute does the same for the weeks and units a
change touched, for the metrics that read the changed model, and re-derives only those
units' rollups (and the brigade's) of those metrics.

Every writer of the KPI tables holds the writer lock (``brigade.core.kpi.lock``) and writes in
one transaction, so any number of recomputes at once, in any processes, end as one.

This module holds the recomputes and is the engine's one entry point; its parts live beside
it: ``flows`` (weekly flows), ``rollups`` (the week grid and running sums), ``tracking``
(change marks), ``schedule`` (enqueueing the on-change recompute), ``publish`` and
``cache``. Importing it watches every registered metric.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from brigade.core.kpi.cache import bump_version, cache_call, version
from brigade.core.kpi.flows import Progress, Window, compute_flows, metric_q
from brigade.core.kpi.lock import writer_lock
from brigade.core.kpi.models import BRIGADE_SCOPE, KpiDirty, KpiRollup
from brigade.core.kpi.publish import NotSettled, publish_week
from brigade.core.kpi.registry import Metric, registry
from brigade.core.kpi.rollups import derive_rollups, ensure_weeks
from brigade.core.kpi.schedule import (
    COALESCE_SECONDS,
    ENQUEUE_FAILED,
    RECOMPUTE_ALL_TASK,
    RECOMPUTE_DIRTY_TASK,
    mark_stale,
    release_schedule,
    schedule_recompute,
    stale_since,
)
from brigade.core.kpi.tracking import (
    _MOVES,
    _WATCHERS,
    mark_dirty,
    metrics_moved_by,
    paused,
    watch,
)
from brigade.core.kpi.weeks import current_week, week_start, ytd_year

__all__ = [
    "COALESCE_SECONDS",
    "ENQUEUE_FAILED",
    "RECOMPUTE_ALL_TASK",
    "RECOMPUTE_DIRTY_TASK",
    "_MOVES",
    "_WATCHERS",
    "Mark",
    "NotSettled",
    "Progress",
    "Window",
    "bump_version",
    "cache_call",
    "claim_dirty",
    "compute_flows",
    "current_week",
    "derive_rollups",
    "ensure_weeks",
    "mark_dirty",
    "mark_stale",
    "metrics_moved_by",
    "paused",
    "publish_week",
    "recompute_all",
    "recompute_dirty",
    "recompute_marks",
    "recompute_pairs",
    "release_schedule",
    "schedule_recompute",
    "set_aside",
    "stale_since",
    "version",
    "watch",
]

logger = logging.getLogger(__name__)


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
        KpiRollup.objects.filter(metric_q(metrics), week=monday, scope__in=scopes).values_list(
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


# every metric registered, before this module was imported and after, is watched
registry.listen(watch)
