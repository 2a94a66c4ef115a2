"""The outreach panel of the commanders' dashboard: the last seven days' publicity and
assistance, and the latest commendations (four queries, however many records)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.utils import timezone

from brigade.core.kpi.scopes import of_unit
from brigade.core.scope import scope_of
from brigade.core.typing import Visitor
from outreach.models import AssistanceEvent, Commendation, PublicityEvent

SHOWN = 5
DAYS = 7


def panel_context(user: Visitor, unit_id: int | None) -> dict[str, object] | None:
    if not scope_of(user).is_commander:
        return None
    today = timezone.localdate()
    since = today - dt.timedelta(days=DAYS - 1)
    events = of_unit(PublicityEvent.objects.visible_to(user), unit_id)
    assistance = of_unit(AssistanceEvent.objects.visible_to(user), unit_id)
    commendations = of_unit(Commendation.objects.visible_to(user), unit_id)
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
