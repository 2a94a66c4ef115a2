"""Change tracking: the weeks and units a saved or deleted record touches are marked
(``KpiDirty``) for the incremental recompute, which is scheduled after the commit."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Model
from django.db.models.constants import LOOKUP_SEP

from brigade.core.kpi.models import KpiDirty
from brigade.core.kpi.registry import Flow, Metric, registry
from brigade.core.kpi.schedule import schedule_recompute
from brigade.core.kpi.weeks import local_date, week_start

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
    pairs: Iterable[tuple[dt.date, int]], schedule: bool = True, model: type[Model] | str = ""
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


def _value_at(instance: Model, path: str) -> Any:
    value: Any = instance
    try:
        for part in path.split(LOOKUP_SEP):
            if value is None:
                return None
            value = getattr(value, part)
    except ObjectDoesNotExist:  # a parent deleted in the same cascade
        return None
    return value


def _touches(
    flow: Flow | _Through, instance: Model, values: dict[str, Any]
) -> set[tuple[dt.date, int]]:
    when = values.get(flow.when)
    unit = values.get(flow.unit)
    if when is None or unit is None:
        return set()
    return {(local_date(when), unit)}


def _snapshot(flow: Flow | _Through, instance: Model) -> dict[str, Any]:
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


def _flows_watching(model: type[Model]) -> list[Flow | _Through]:
    return _WATCHERS.get(model._meta.label, [])


def _on_init(sender: type[Model], instance: Any, **kwargs: Any) -> None:
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


def _as_loaded(instance: Model) -> Model | None:
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


def _on_change(sender: type[Model], instance: Any, **kwargs: Any) -> None:
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


_MOVES: dict[str, set[str]] = {}  # "app.Model" -> keys of the metrics that read it


def metrics_moved_by(model: str) -> list[Metric]:
    """The metrics a change to ``model`` ("app.Model") can move; every metric for ``""``
    or a model no metric names (a mark made without saying what changed)."""
    keys = _MOVES.get(model) if model else None
    if keys is None:
        return registry.all()
    return [metric for metric in registry.all() if metric.key in keys]
