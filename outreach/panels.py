"""The outreach panel of the commanders' dashboard: the last seven days' publicity and
assistance, and the latest commendations (four queries, however many records)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from brigade.core.scope import scope_of
from outreach.models import AssistanceEvent, Commendation, PublicityEvent

SHOWN = 5
DAYS = 7


def panel_context(user: Any, unit_id: int | None) -> dict[str, Any] | None:
    if not scope_of(user).is_commander:
        return None
    today = timezone.localdate()
    since = today - dt.timedelta(days=DAYS - 1)
    events = PublicityEvent.objects.visible_to(user)
    assistance = AssistanceEvent.objects.visible_to(user)
    commendations = Commendation.objects.visible_to(user)
    if unit_id is not None:
        events = events.filter(unit_id=unit_id)
        assistance = assistance.filter(unit_id=unit_id)
        commendations = commendations.filter(unit_id=unit_id)
    week = events.held_between(since, today).aggregate(
        events=Count("pk"), people=Sum("audience", default=0)
    )
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    return {
        "unit_id": unit_id,
        "since": since,
        "events": week["events"],
        "people": week["people"],
        "recent_events": list(events.select_related("unit").order_by("-held_on", "-pk")[:SHOWN]),
        "assistance": assistance.filter(occurred_at__gte=start).count(),
        "commendations": list(
            commendations.select_related("officer", "recipient_unit").order_by(
                "-received_on", "-pk"
            )[:3]
        ),
    }
