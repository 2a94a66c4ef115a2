"""The KPI engine's Celery tasks: thin, they call the engine and the runs.

Task names stay ``brigade.tasks.*`` (the beat schedule and queued messages name them);
the engine enqueues them by name, so that it never imports this module back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from celery import Task, shared_task
from django.db import OperationalError

from brigade.core.kpi import engine, runs
from brigade.core.kpi.weeks import current_week

P = ParamSpec("P")
R = TypeVar("R")


# The KPI tasks report through the database (KpiRun rows, the rollups), never through a
# result: ignore_result keeps an enqueue off the result store, whose reconnect loop (about
# 20 s) would otherwise hold a request when Redis is down.
def recompute(name: str) -> Callable[[Callable[P, R]], Task[P, R]]:
    """A recompute task named ``name``: a database gone away is retried."""
    return shared_task(
        acks_late=True,
        ignore_result=True,
        autoretry_for=(OperationalError,),
        max_retries=3,
        retry_backoff=True,
        name=name,
    )


@recompute(name="brigade.tasks.recompute_dirty_task")
def recompute_dirty_task() -> int:
    """The on-change recompute: every week and unit marked since the last run, once."""
    engine.release_schedule()
    return engine.recompute_dirty()


@recompute(name="brigade.tasks.recompute_all_task")
def recompute_all_task(run_id: str | None = None, since: str | None = None) -> str:
    """Every week and scope from the records (nightly, or a commander's button)."""
    return runs.execute(run_id, since=dt.date.fromisoformat(since) if since else None)


# a week whose changes still wait for a recompute is published a few minutes later
PUBLISH_RETRY_SECONDS = 300


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=12,
    name="brigade.tasks.close_week_task",
)
def close_week_task(self: Task[[], int]) -> int:
    """At week close: catch up on changes, then freeze last week's figures as published
    (after a recompute under way has finished; never while changes wait for one)."""
    engine.recompute_dirty()
    try:
        return engine.publish_week(current_week() - dt.timedelta(days=7))
    except engine.NotSettled as exc:
        raise self.retry(exc=exc, countdown=PUBLISH_RETRY_SECONDS) from exc
