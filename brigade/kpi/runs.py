"""Recompute runs that a person starts and follows (the dashboard's button, the API)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import kombu.exceptions
import redis.exceptions
from django.utils import timezone

from brigade.kpi import engine
from brigade.kpi.models import KpiRun

logger = logging.getLogger(__name__)


class BrokerUnavailable(Exception):
    """The task could not be handed to the broker in time."""


# What publishing to an unreachable broker raises (kombu wraps most; sockets leak OSError).
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError,
    kombu.exceptions.KombuError,
    redis.exceptions.RedisError,
    OSError,
)


def start(*, by: Any, since: dt.date | None = None) -> KpiRun:
    """Record a run and enqueue it; without a broker it has run by the time this returns."""
    from brigade.tasks import recompute_all_task

    run = KpiRun.objects.create(
        requested_by=by if by and by.is_authenticated else None, since=since
    )
    try:
        recompute_all_task.apply_async(
            kwargs={"run_id": str(run.pk), "since": since.isoformat() if since else None},
            retry=False,
        )
    except BROKER_ERRORS as exc:
        KpiRun.objects.filter(pk=run.pk).update(
            state=KpiRun.State.FAILED,
            error="The task queue does not answer.",
            finished_at=timezone.now(),
        )
        logger.warning("KPI recompute could not be enqueued", exc_info=True)
        raise BrokerUnavailable(str(exc)) from exc
    except Exception:
        if not recompute_all_task.app.conf.task_always_eager:
            raise
        # Eager (no broker): the recompute itself failed; the run row says why.
        logger.exception("KPI recompute %s failed", run.pk)
    run.refresh_from_db()
    return run


def execute(run_id: str | None, since: dt.date | None = None) -> str:
    """The task's body: run the full recompute, reporting progress on the run row."""
    run = None
    if run_id:
        run = KpiRun.objects.filter(pk=run_id).first()
    if run is None:
        run = KpiRun.objects.create(since=since)
    KpiRun.objects.filter(pk=run.pk).update(
        state=KpiRun.State.RUNNING, started_at=timezone.now(), error=""
    )

    def progress(done: int, total: int) -> None:
        KpiRun.objects.filter(pk=run.pk).update(done=done, total=total)

    try:
        engine.recompute_all(progress=progress, since=since)
    except Exception as exc:
        KpiRun.objects.filter(pk=run.pk).update(
            state=KpiRun.State.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    KpiRun.objects.filter(pk=run.pk).update(state=KpiRun.State.DONE, finished_at=timezone.now())
    return str(run.pk)
