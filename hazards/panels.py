"""The hazards panel of the commanders' dashboard: overdue hazards and those awaiting a
commander's check (the first few of each, and how many in all: four queries)."""

from __future__ import annotations

from django.utils import timezone

from brigade.core.scope import scope_of
from brigade.core.typing import Visitor
from hazards.models import Hazard

SHOWN = 5


def panel_context(user: Visitor, unit_id: int | None) -> dict[str, object] | None:
    scope = scope_of(user)
    if not scope.is_commander:
        return None
    hazards = Hazard.objects.visible_to(user)
    if unit_id is not None:
        hazards = hazards.filter(unit_id=unit_id)
    overdue = hazards.overdue(timezone.localdate()).order_by("deadline", "pk")
    awaiting = hazards.awaiting_check().order_by("rectified_at", "pk")
    return {
        "unit_id": unit_id,
        "overdue": list(overdue[:SHOWN]),
        "overdue_count": overdue.count(),
        "awaiting": list(awaiting[:SHOWN]),
        "awaiting_count": awaiting.count(),
    }
