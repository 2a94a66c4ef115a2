"""Thin Celery tasks of the incidents app: they call ``incidents.black_spots``."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from incidents import black_spots


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
    name="incidents.tasks.black_spots_recompute_task",
)
def black_spots_recompute_task() -> int:
    """Every black spot of the rolling window, from the records (nightly)."""
    return black_spots.recompute_all()


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
    name="incidents.tasks.black_spots_update_task",
)
def black_spots_update_task() -> int:
    """The on-change update: the spots around every cell changed since the last run."""
    black_spots.release_schedule()
    return black_spots.update_marked()
