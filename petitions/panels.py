"""The petitions panel of the commanders' dashboard: overdue tickets and extension
requests awaiting a decision, a few listed and all counted, in a fixed number of queries."""

from __future__ import annotations

from django.utils import timezone

from brigade.core.scope import scope_of
from brigade.core.typing import Visitor
from petitions.models import Ticket, TicketExtension

SHOWN = 5


def panel_context(user: Visitor, unit_id: int | None) -> dict[str, object] | None:
    scope = scope_of(user)
    if not scope.is_commander:
        return None
    today = timezone.localdate()
    tickets = Ticket.objects.visible_to(user)
    extensions = TicketExtension.objects.visible_to(user).pending()
    if unit_id is not None:
        tickets = tickets.filter(unit_id=unit_id)
        extensions = extensions.filter(ticket__unit_id=unit_id)
    overdue = tickets.overdue(today).queue().select_related("category", "unit")
    return {
        "unit_id": unit_id,
        "today": today,
        "overdue": list(overdue[:SHOWN]),
        "overdue_count": overdue.count(),
        "pending": list(extensions.select_related("ticket").order_by("created_at")[:SHOWN]),
        "pending_count": extensions.count(),
    }
