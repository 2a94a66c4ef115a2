"""The incidents panel of the commanders' dashboard: advances awaiting approval, recovery
deadlines near or past, open hit-and-run cases (the first few of each and how many in all:
six queries, however many rows)."""

from __future__ import annotations

from django.utils import timezone

from brigade.core.scope import scope_of
from incidents.models import Accident, FundAdvance

SHOWN = 5


def panel_context(user: object, unit_id: int | None) -> dict[str, object] | None:
    scope = scope_of(user)
    if not scope.is_commander:
        return None
    today = timezone.localdate()
    advances = FundAdvance.objects.visible_to(user).select_related("accident")
    accidents = Accident.objects.visible_to(user)
    if unit_id is not None:
        advances = advances.filter(accident__unit_id=unit_id)
        accidents = accidents.filter(unit_id=unit_id)
    awaiting = advances.awaiting_approval().order_by("created_at", "pk")
    warnings = advances.recovery_warnings(today).order_by("recovery_due", "pk")
    cases = accidents.open_cases()
    return {
        "unit_id": unit_id,
        "today": today,
        "awaiting": list(awaiting[:SHOWN]),
        "awaiting_count": awaiting.count(),
        "warnings": list(warnings[:SHOWN]),
        "warnings_count": warnings.count(),
        "cases": list(cases[:SHOWN]),
        "cases_count": cases.count(),
    }
