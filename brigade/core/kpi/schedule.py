"""Scheduling the on-change recompute: one task per burst of edits (coalesced through a
cache flag), and the flag that tells the dashboard a recompute could not be enqueued."""

from __future__ import annotations

import logging

from celery import current_app
from django.db.models import Min
from django.utils import timezone

from brigade.core.kpi.cache import cache_call
from brigade.core.kpi.models import KpiDirty

logger = logging.getLogger(__name__)

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
