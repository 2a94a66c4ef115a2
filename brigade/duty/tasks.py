"""Thin Celery tasks of the duty domain: take ids or dates, call a read or a service."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from celery import shared_task
from django.utils import timezone

from brigade.duty.models import DutyPost


class CoverageReport(TypedDict):
    """The coverage of one day as the task returns it (JSON: the day in ISO form)."""

    day: str
    unit_id: int | None
    planned: int
    staffed: int
    rate: float | None


@shared_task(
    acks_late=True,
    autoretry_for=(ConnectionError,),
    max_retries=3,
    retry_backoff=True,
    name="brigade.tasks.post_coverage_task",
)
def post_coverage_task(day: str | None = None, unit_id: int | None = None) -> CoverageReport:
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
