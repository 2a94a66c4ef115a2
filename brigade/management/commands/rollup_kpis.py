"""``manage.py rollup_kpis [--since 2022-W10]``: recompute the KPI flows and rollups now.

What the nightly beat entry runs, for an operator at a terminal: after a bulk import, a
changed metric rule, or to check the figures without waiting for the night. With
``--since`` only the flows of that week onwards are recomputed (earlier weeks keep theirs).
It waits for a recompute under way (the writer lock), and lists the changes whose
incremental recompute failed and were set aside, if the run did not cover them.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError, OutputWrapper
from django.db.models import Min
from tqdm import tqdm

from brigade.core.commands import DeclaredOptionsCommand
from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiFlow, KpiRollup
from brigade.core.kpi.weeks import parse_week, week_key


class _BarOutput:
    """tqdm redraws its bar with a carriage return: write to the command's stderr as is,
    without the newline OutputWrapper would add (so ``call_command(stderr=...)`` captures it)."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")

    def flush(self) -> None:
        self.out.flush()


class Command(DeclaredOptionsCommand):
    help = (
        "Recompute every KPI's weekly flows and year-to-date rollups from the records, "
        "for every week and scope (or from --since on), with a progress bar."
    )

    arguments = {
        "--since": {
            "metavar": "WEEK",
            "help": "recompute flows from this ISO week on (e.g. 2022-W10); earlier weeks "
            "keep the flows they have",
        }
    }

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            try:
                since = parse_week(options["since"])
            except ValueError as exc:
                raise CommandError(f"--since: {exc}") from exc

        quiet = options["verbosity"] == 0
        bars: list[tqdm] = []  # made at the first step, when the engine says how many

        def progress(done: int, total: int) -> None:
            if quiet:
                return
            if not bars:
                bars.append(
                    tqdm(total=total, desc="KPI rollup", unit="step", file=_BarOutput(self.stderr))
                )
            bar = bars[0]
            bar.total = total
            bar.update(done - bar.n)

        started = time.monotonic()
        try:
            engine.recompute_all(progress=progress, since=since)
        finally:
            for bar in bars:
                bar.close()
        seconds = time.monotonic() - started

        first = since or KpiFlow.objects.aggregate(first=Min("week"))["first"]
        written = KpiRollup.objects.filter(week__gte=first) if first else KpiRollup.objects.none()
        flows = KpiFlow.objects.filter(week__gte=first) if first else KpiFlow.objects.none()
        weeks = written.values("week").distinct().count()
        scopes = written.values("scope").distinct().count()
        start = f" from {week_key(since)}" if since else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"KPIs recomputed{start}: {written.count()} rollup rows and {flows.count()} "
                f"weekly flows written, {weeks} weeks, {scopes} scopes, in {seconds:.1f} s."
            )
        )
        self.report_set_aside()

    def report_set_aside(self) -> None:
        """Changes whose incremental recompute failed and that this run did not cover."""
        marks = list(engine.set_aside())
        if not marks:
            return
        self.stderr.write(
            self.style.WARNING(
                f"{len(marks)} changed week(s) could not be recomputed and are set aside:"
            )
        )
        for mark in marks:
            what = mark.model or "every metric"
            self.stderr.write(f"  {mark.week} unit {mark.unit_id} ({what}): {mark.error}")
