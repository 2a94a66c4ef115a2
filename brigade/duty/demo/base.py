"""What every app's part of the demo shares: the context it receives, the report's half year,
and the small steps the parts take alike (days, times of day, the demo users, the officers
on road duty, the records already there)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.contrib.auth import get_user_model
from django.utils import timezone

from brigade.core.modelbase import NamedRecord
from brigade.duty.demo.data import DESK_BADGES
from brigade.duty.models import Officer, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SEED = 20220630
REPORT_START = dt.date(2022, 1, 1)
REPORT_END = dt.date(2022, 6, 30)


class Output(Protocol):
    def write(self, msg: str, /) -> object: ...


@dataclass
class DemoContext:
    """What every app's ``seed(demo)`` receives: the day, the output, seeded randomness."""

    stdout: Output
    today: dt.date = field(default_factory=timezone.localdate)
    seed: int = SEED
    # Filled by the brigade's part, for the apps seeded after it.
    units: dict[str, Unit] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)

    def rng(self, part: str) -> random.Random:
        """A generator of its own per part, so that a new part never shifts another's data."""
        return random.Random(f"{self.seed}:{part}")

    def log(self, message: str) -> None:
        self.stdout.write(message + "\n")

    def users(self, *names: str) -> dict[str, User]:
        """The demo users of these names that exist, by name."""
        found = get_user_model().objects.filter(username__in=names)
        return {user.get_username(): user for user in found}

    def road_officers(self) -> dict[int, list[Officer]]:
        """Per unit (by id), the officers who take road duty (not desk staff), in badge
        order."""
        by_unit: dict[int, list[Officer]] = {}
        for badge_no in sorted(self.officers):
            officer = self.officers[badge_no]
            if badge_no not in DESK_BADGES:
                by_unit.setdefault(officer.unit_id, []).append(officer)
        return by_unit


def english_name(record: NamedRecord, name_en: str) -> None:
    """Give a named record its English name (for the English pages), once: a name already
    given, or an empty one, is left as it is."""
    if name_en and not record.name_en:
        record.name_en = name_en
        record.save(update_fields=["name_en", "updated_at"])


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every day from ``start`` to ``end``, both included."""
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def aware(day: dt.date, time: dt.time) -> dt.datetime:
    """``day`` at ``time`` in the brigade's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, time))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour:minute`` in the brigade's time zone."""
    return aware(day, dt.time(hour, minute))


def report_window() -> tuple[dt.datetime, dt.datetime]:
    """The report's half year as a half-open range of instants."""
    return aware(REPORT_START, dt.time.min), aware(REPORT_END + dt.timedelta(days=1), dt.time.min)
