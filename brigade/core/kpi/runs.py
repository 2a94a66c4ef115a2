"""Recompute runs that a person starts and follows (the dashboard's button, the API).

Any number of requests at once end as one fresh recompute:

- At most one run is queued at a time (``kpirun_one_queued``). ``start()`` joins the
  queued run if there is one (the caller then follows that run), else creates one and
  enqueues its task a moment ahead (``COALESCE_SECONDS``), so that a burst of presses
  lands in one run.
- The task waits for the writer lock (``brigade.core.kpi.lock``), then moves its run from
  queued to running (committed at once, so a new request queues behind it), and
  recomputes. A task delivered again for a run that is done does nothing; for a run that
  reads running (its worker died holding the lock, which the database then released) it
  runs it again.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import current_app
from django.db import IntegrityError, transaction
from django.utils import timezone

from brigade.core.kpi import engine
from brigade.core.kpi.lock import writer_lock
from brigade.core.kpi.models import KpiRun

logger = logging.getLogger(__name__)

# the countdown of a run's task: presses within it join the run
COALESCE_SECONDS = 0.5
# a queued run older than this whose task may have been lost gets its task sent again
# (a duplicate finds the run done and does nothing)
RESEND_AFTER = dt.timedelta(minutes=2)


class BrokerUnavailable(Exception):
    """The task could not be handed to the broker in time."""


# What publishing to an unreachable broker raises (kombu wraps most; sockets leak OSError).
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError,
    kombu.exceptions.KombuError,
    redis.exceptions.RedisError,
    OSError,
)


def _covering(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    """The ``since`` of a run that covers both requests (None: every week)."""
    if a is None or b is None:
        return None
    return min(a, b)


def _queue(*, by: Any, since: dt.date | None) -> tuple[KpiRun, bool]:
    """The queued run, joined or created: ``(run, created)``."""
    for _attempt in range(5):
        with transaction.atomic():
            run = KpiRun.objects.select_for_update().filter(state=KpiRun.State.QUEUED).first()
            if run is not None:
                wider = _covering(run.since, since)
                if wider != run.since:
                    KpiRun.objects.filter(pk=run.pk).update(since=wider)
                    run.since = wider
                return run, False
        try:
            with transaction.atomic():
                return KpiRun.objects.create(requested_by=by, since=since), True
        except IntegrityError:
            continue  # another request queued one meanwhile: join it
    raise RuntimeError("could not queue a KPI recompute")


def start(*, by: Any, since: dt.date | None = None) -> KpiRun:
    """Queue a run (or join the one queued) and enqueue it; without a broker it has run
    by the time this returns."""
    recompute_all_task = current_app.tasks[engine.RECOMPUTE_ALL_TASK]
    person = by if by and by.is_authenticated else None
    run, created = _queue(by=person, since=since)
    if not created and timezone.now() - run.created_at < RESEND_AFTER:
        return run
    eager = recompute_all_task.app.conf.task_always_eager
    try:
        recompute_all_task.apply_async(
            kwargs={"run_id": str(run.pk), "since": since.isoformat() if since else None},
            countdown=0 if eager else COALESCE_SECONDS,
            retry=False,
        )
    except BROKER_ERRORS as exc:
        if created:
            KpiRun.objects.filter(pk=run.pk, state=KpiRun.State.QUEUED).update(
                state=KpiRun.State.FAILED,
                error="The task queue does not answer.",
                finished_at=timezone.now(),
            )
        logger.warning("KPI recompute could not be enqueued", exc_info=True)
        raise BrokerUnavailable(str(exc)) from exc
    except Exception:
        if not eager:
            raise
        # Eager (no broker): the recompute itself failed; the run row says why.
        logger.exception("KPI recompute %s failed", run.pk)
    run.refresh_from_db()
    return run


def _take(run_id: str | None, since: dt.date | None) -> KpiRun | None:
    """Under the writer lock: the run to execute, now running; None if it is done."""
    now = timezone.now()
    with transaction.atomic():
        run = None
        if run_id:
            run = KpiRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:  # the nightly entry (no run), or a run row deleted since
            return KpiRun.objects.create(since=since, state=KpiRun.State.RUNNING, started_at=now)
        if run.state == KpiRun.State.DONE:
            return None
        run.state, run.started_at, run.error, run.finished_at = (
            KpiRun.State.RUNNING,
            now,
            "",
            None,
        )
        run.save(update_fields=["state", "started_at", "error", "finished_at"])
        return run


def execute(run_id: str | None, since: dt.date | None = None) -> str:
    """The task's body: run the full recompute, reporting progress on the run row."""
    with writer_lock():
        run = _take(run_id, since)
        if run is None:
            logger.info("KPI recompute %s is already done", run_id)
            return str(run_id)

        pk = run.pk

        def progress(done: int, total: int) -> None:
            KpiRun.objects.filter(pk=pk).update(done=done, total=total)

        try:
            engine.recompute_all(progress=progress, since=run.since)
        except Exception as exc:
            KpiRun.objects.filter(pk=run.pk).update(
                state=KpiRun.State.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
            )
            raise
        KpiRun.objects.filter(pk=run.pk).update(state=KpiRun.State.DONE, finished_at=timezone.now())
        return str(run.pk)
