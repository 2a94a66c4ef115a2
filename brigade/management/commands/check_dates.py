"""``manage.py check_dates [--report-only]``: list the records whose dates lie outside the
brigade's window (``brigade.core.dates``).

Every date sent is checked when it arrives; records from before that rule (or written
past it, straight into the database) are listed here, per model and field, with their
count and ids, for someone to correct them: nothing is changed. The command exits with
status 1 when it finds any, so a deploy script or a cron job notices; ``--report-only``
lists them and exits 0.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.core.management.base import CommandError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from brigade.core import dates
from brigade.core.commands import DeclaredOptionsCommand

# Ids shown per model and field; the count says how many there are in all.
SHOWN_IDS = 20


def _is_history(model: type[models.Model]) -> bool:
    """A history table's rows copy their record's dates: the record is listed already."""
    return any(field.name == "history_id" for field in model._meta.concrete_fields)


def outside_window(field: models.Field[Any, Any]) -> Q:
    """The rows whose value of ``field`` lies outside its window."""
    kind: str = getattr(field, "window")  # noqa: B009 - set by the brigade.core.dates fields
    first, last = dates.bounds(kind)
    name = field.name
    if isinstance(field, models.DateTimeField):
        start = dt.datetime.combine(first, dt.time.min, tzinfo=dates.local_tz())
        if kind == dates.HAPPENED:
            return Q(**{f"{name}__lt": start}) | Q(**{f"{name}__gt": timezone.now()})
        after = dt.datetime.combine(last, dt.time.max, tzinfo=dates.local_tz())
        return Q(**{f"{name}__lt": start}) | Q(**{f"{name}__gt": after})
    return Q(**{f"{name}__lt": first}) | Q(**{f"{name}__gt": last})


def find_out_of_window() -> list[tuple[str, str, int, list[Any]]]:
    """(model label, field, count, first ids) for every field with records outside."""
    found = []
    for model in apps.get_models():
        if _is_history(model):
            continue
        for field in model._meta.concrete_fields:
            if getattr(field, "window", None) is None:
                continue
            rows = model._default_manager.filter(outside_window(field)).order_by("pk")
            count = rows.count()
            if count:
                ids = list(rows.values_list("pk", flat=True)[:SHOWN_IDS])
                found.append((model._meta.label, field.name, count, ids))
    return found


class Command(DeclaredOptionsCommand):
    help = (
        "List records whose dates lie outside the brigade's window (before BRIGADE_EPOCH, "
        "in the future for what has happened, more than a year ahead for deadlines); "
        "exits 1 when there are any, unless --report-only."
    )

    arguments = {"--report-only": {"action": "store_true", "help": "list what is found but exit 0"}}

    def handle(self, *args: Any, **options: Any) -> None:
        first = dates.epoch().isoformat()
        self.stdout.write(
            f"Window: from {first}; what happened up to now, deadlines and plans up to "
            f"{dates.horizon().isoformat()}."
        )
        found = find_out_of_window()
        for label, field, count, ids in found:
            shown = ", ".join(str(pk) for pk in ids)
            more = f", … ({count - len(ids)} more)" if count > len(ids) else ""
            self.stdout.write(f"{label}.{field}: {count} record(s) outside: ids {shown}{more}")
        total = sum(count for _, _, count, _ in found)
        if not found:
            self.stdout.write(self.style.SUCCESS("Every date lies within the window."))
            return
        summary = f"{total} value(s) outside the window in {len(found)} field(s)."
        if options["report_only"]:
            self.stdout.write(self.style.WARNING(summary))
            return
        raise CommandError(summary, returncode=1)
