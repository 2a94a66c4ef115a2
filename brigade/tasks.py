"""The project's tasks, gathered where Celery's autodiscovery looks (``brigade.tasks``):
each is defined beside the code it runs and keeps its name ``brigade.tasks.<name>``."""

from brigade.core.kpi.tasks import close_week_task, recompute_all_task, recompute_dirty_task
from brigade.core.notices.channel_tasks import (
    deliver_task,
    retry_deliveries_task,
    send_digests_task,
)
from brigade.core.notices.tasks import escalate_overdue_task, send_reminders_task
from brigade.core.tasks import prune_idempotency_keys_task
from brigade.duty.tasks import post_coverage_task

__all__ = [
    "close_week_task",
    "deliver_task",
    "escalate_overdue_task",
    "post_coverage_task",
    "prune_idempotency_keys_task",
    "recompute_all_task",
    "recompute_dirty_task",
    "retry_deliveries_task",
    "send_digests_task",
    "send_reminders_task",
]
