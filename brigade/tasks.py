"""Thin Celery tasks of the brigade app: take ids or dates, call a read or a service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from brigade.models import DutyPost


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3, retry_backoff=True)
def post_coverage_task(day: str | None = None, unit_id: int | None = None) -> dict[str, Any]:
    """Posts planned vs staffed on ``day`` (ISO date, default today), brigade or one unit."""
    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    posts = DutyPost.objects.all()
    if unit_id is not None:
        posts = posts.filter(unit_id=unit_id)
    result = posts.coverage(when)
    return {
        "day": when.isoformat(),
        "unit_id": unit_id,
        "planned": result["planned"],
        "staffed": result["staffed"],
        "rate": result["rate"],
    }


# The KPI tasks report through the database (KpiRun rows, the rollups), never through a
# result: ignore_result keeps an enqueue off the result store, whose reconnect loop (about
# 20 s) would otherwise hold a request when Redis is down.
@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
)
def recompute_dirty_task() -> int:
    """The on-change recompute: every week and unit marked since the last run, once."""
    from brigade.kpi import engine

    engine.release_schedule()
    return engine.recompute_dirty()


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
)
def recompute_all_task(run_id: str | None = None, since: str | None = None) -> str:
    """Every week and scope from the records (nightly, or a commander's button)."""
    from brigade.kpi import runs

    return runs.execute(run_id, since=dt.date.fromisoformat(since) if since else None)


# a week whose changes still wait for a recompute is published a few minutes later
PUBLISH_RETRY_SECONDS = 300


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=12)
def close_week_task(self: Any) -> int:
    """At week close: catch up on changes, then freeze last week's figures as published
    (after a recompute under way has finished; never while changes wait for one)."""
    from brigade.kpi import engine
    from brigade.kpi.weeks import current_week

    engine.recompute_dirty()
    try:
        return engine.publish_week(current_week() - dt.timedelta(days=7))
    except engine.NotSettled as exc:
        raise self.retry(exc=exc, countdown=PUBLISH_RETRY_SECONDS) from exc


@shared_task(acks_late=True, ignore_result=True, max_retries=3)
def prune_idempotency_keys_task() -> int:
    """Delete the Idempotency-Key answers older than 24 hours (hourly)."""
    from brigade import idempotency

    return idempotency.prune()
