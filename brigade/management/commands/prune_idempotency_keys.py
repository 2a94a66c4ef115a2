"""``manage.py prune_idempotency_keys``: delete the kept answers of Idempotency-Keys older
than 24 hours now (the hourly beat entry does the same)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from brigade.core import idempotency


class Command(BaseCommand):
    help = "Delete Idempotency-Key answers older than 24 hours."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency.prune()
        self.stdout.write(f"{deleted} expired idempotency keys deleted.")
