"""Housekeeping tasks of the core (task names stay ``brigade.tasks.*``)."""

from __future__ import annotations

from celery import shared_task

from brigade.core import idempotency


@shared_task(
    acks_late=True,
    ignore_result=True,
    max_retries=3,
    name="brigade.tasks.prune_idempotency_keys_task",
)
def prune_idempotency_keys_task() -> int:
    """Delete the Idempotency-Key answers older than 24 hours (hourly)."""
    return idempotency.prune()
