"""What the duty domain tells the notices: who is who (the clerks and commanders of each
unit, through their officer rows) and who is off duty on a day.

Off duty on a day: on leave (a ``Leave`` covering it), or an officer who works shifts
(any shift within ``SHIFT_WINDOW_DAYS`` days either side) with no shift that day. An
officer who never works shifts (the office) is on duty on every working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from brigade.core.notices.registry import Member, Roster, register_roster

SHIFT_WINDOW_DAYS = 14


def members(roles: Iterable[str]) -> list[Member]:
    """Every active officer with an active login holding any of ``roles``: one query."""
    from brigade.duty.choices import UnitKind
    from brigade.duty.models import Officer

    rows = Officer.objects.filter(
        is_active=True,
        user__isnull=False,
        user__is_active=True,
        user__groups__name__in=list(roles),
    ).values_list("user_id", "unit_id", "unit__kind", "user__groups__name")
    by_user: dict[int, tuple[int, bool, set[str]]] = {}
    for user_id, unit_id, unit_kind, role in rows:
        entry = by_user.setdefault(user_id, (unit_id, unit_kind == UnitKind.HEADQUARTERS, set()))
        entry[2].add(role)
    return [
        Member(user_id=u, unit_id=unit, roles=frozenset(roles_), at_headquarters=hq)
        for u, (unit, hq, roles_) in by_user.items()
    ]


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def off_duty(user_ids: Iterable[int], day: dt.date) -> set[int]:
    """Those of ``user_ids`` who are off duty on ``day``: two queries (leaves, shifts)."""
    from brigade.duty.models import Leave, Shift

    ids = list(set(user_ids))
    if not ids:
        return set()
    away = set(
        Leave.objects.filter(
            officer__user_id__in=ids, starts_on__lte=day, ends_on__gte=day
        ).values_list("officer__user_id", flat=True)
    )
    start, end = _day_start(day), _day_start(day + dt.timedelta(days=1))
    around_start = _day_start(day - dt.timedelta(days=SHIFT_WINDOW_DAYS))
    around_end = _day_start(day + dt.timedelta(days=SHIFT_WINDOW_DAYS + 1))
    works_shifts: set[int] = set()
    on_shift: set[int] = set()
    for user_id, starts_at, ends_at in Shift.objects.filter(
        Q(starts_at__lt=around_end) & Q(ends_at__gt=around_start),
        officer__user_id__in=ids,
    ).values_list("officer__user_id", "starts_at", "ends_at"):
        works_shifts.add(user_id)
        if starts_at < end and ends_at > start:
            on_shift.add(user_id)
    return away | (works_shifts - on_shift)


def register_notices() -> None:
    register_roster(Roster(members=members, off_duty=off_duty))
