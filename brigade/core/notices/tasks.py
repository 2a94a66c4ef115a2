"""The notices' Celery tasks: thin, they call the reminders and the escalation (task
names stay ``brigade.tasks.*``, as the beat schedule names them)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from brigade.core.notices import escalations, reminders


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
    name="brigade.tasks.send_reminders_task",
)
def send_reminders_task() -> int:
    """Hourly: the day's reminders, from the digest's hour on a working day (a repeat
    writes nothing new)."""
    return len(reminders.send_reminders())


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
    name="brigade.tasks.escalate_overdue_task",
)
def escalate_overdue_task() -> int:
    """Hourly: escalations (督办) of the items overdue by the configured working hours."""
    return len(escalations.send_escalations())
