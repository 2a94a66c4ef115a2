"""The channels' tasks (names ``brigade.tasks.*``): one task per delivery, so that a
refused or hanging channel holds up only its own; the sweep that hands out what the broker
lost; the daily digest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task

from brigade.core.notices import delivery


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    # the attempts are counted on the row (NOTICE_RETRY_MAX), not by Celery
    max_retries=None,
    name="brigade.tasks.deliver_task",
)
def deliver_task(self: Any, delivery_id: int) -> str:
    """Send one delivery; a failed send is tried again after its backoff."""
    outcome = delivery.deliver(delivery_id)
    # run eagerly (no broker) a retry would run at once, before its backoff: the beat
    # sweep, or the next run of a command, sends it instead
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(acks_late=True, ignore_result=True, name="brigade.tasks.retry_deliveries_task")
def retry_deliveries_task() -> int:
    """Hand out the pending deliveries whose next attempt is due (every 10 minutes)."""
    ids = delivery.due_ids()
    for pk in ids:
        deliver_task.delay(pk)
    return len(ids)


@shared_task(acks_late=True, ignore_result=True, name="brigade.tasks.send_digests_task")
def send_digests_task(day: str | None = None) -> int:
    """The daily digest of ``day`` (ISO date; default today in Asia/Shanghai): notices
    written once per person and day, whatever the number of runs."""
    from django.utils import timezone

    from brigade.core.notices.digest import send_digests

    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    return send_digests(when).notices
