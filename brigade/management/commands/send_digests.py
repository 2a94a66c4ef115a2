"""``manage.py send_digests [--date YYYY-MM-DD] [--dry-run]``: the daily digest by hand.

What the morning beat entry runs, for an operator: the day's digest to every person with
something to read (in the app, and by e-mail per their choice) and to each unit's group
robot, then one line per person saying what went and where. A second run for the same day
sends nothing new and says so; a day off sends nothing. ``--dry-run`` writes nothing and
says what would go.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from brigade.core.commands import DeclaredOptionsCommand
from brigade.core.dates import epoch, horizon
from brigade.core.notices.digest import DigestReport, send_digests


def parse_day(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date: {value!r} is not a date (YYYY-MM-DD).") from exc
    if not epoch() <= day <= horizon():
        raise CommandError(f"--date: {day} is outside {epoch()}..{horizon()}.")
    return day


class Command(DeclaredOptionsCommand):
    help = (
        "Send the daily digest of a day (default: today) to every person and unit robot "
        "that has not had it yet, and print what went to whom."
    )

    arguments = {
        "--date": {"metavar": "YYYY-MM-DD", "help": "the digest's day (default: today)"},
        "--dry-run": {"action": "store_true", "help": "write and send nothing; say what would go"},
    }

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"]) if options["date"] else timezone.localdate()
        report = send_digests(day, dry_run=options["dry_run"])
        self.print_report(report)

    def print_report(self, report: DigestReport) -> None:
        day = report.day.isoformat()
        if not report.workday:
            self.stdout.write(f"{day} is not a working day: no digest is sent.")
            return
        verb = "would send" if report.dry_run else "sent"
        for person in report.people:
            counts = ", ".join(f"{action} {n}" for action, n in person.counts.items()) or "-"
            extra = f", overdue {person.overdue}" if person.overdue else ""
            overview = f", unit overdue {person.overview}" if person.overview else ""
            state = verb if person.new else "already had it"
            self.stdout.write(
                f"{person.username} ({person.name}): {state} by {' + '.join(person.channels)}"
                f" [{counts}{extra}{overview}]"
            )
        for name, count, new in report.units:
            state = verb if new else "already had it"
            self.stdout.write(f"unit {name}: group robot {state} [{count} items]")
        if not report.people and not report.units:
            self.stdout.write(f"{day}: nobody has anything due; no digest.")
        elif report.nothing_new:
            self.stdout.write(f"{day}: every digest was sent before; nothing new sent.")
        elif report.dry_run:
            self.stdout.write(f"{day}: dry run, nothing written or sent.")
        else:
            self.stdout.write(
                f"{day}: {report.notices} digests, {report.deliveries} e-mails and group "
                "messages queued."
            )
