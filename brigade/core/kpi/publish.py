"""Publishing: a closed week's figures frozen once, when no change waits for a recompute."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from brigade.core.kpi.cache import bump_version
from brigade.core.kpi.lock import writer_lock
from brigade.core.kpi.models import KpiDirty, KpiPublished, KpiRollup


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
