"""What every write of the petitions app shares: the clock, the receipt-time check, the
ticket's deadlines, its state's label and the check of a required text."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from brigade.core import dates
from brigade.core.kpi.weeks import local_date
from brigade.core.timecheck import not_in_future
from petitions.choices import (
    TicketStatus,
)
from petitions.deadlines import add_workdays
from petitions.models import (
    Ticket,
    TicketCategory,
)


def _now() -> dt.datetime:
    return timezone.now()


_not_in_future = not_in_future


def _received_at_message() -> str:
    return dates.message(dates.HAPPENED, Ticket._meta.get_field("received_at").verbose_name)


# --- deadlines -----------------------------------------------------------------------------


def deadlines_for(category: TicketCategory, received_at: dt.datetime) -> dict[str, dt.date]:
    """Sign, reply and close deadlines from the category's rule, in working days."""
    day = local_date(received_at)
    return {
        "sign_due": add_workdays(day, category.sign_days),
        "reply_due": add_workdays(day, category.reply_days),
        "close_due": add_workdays(day, category.close_days),
    }


def state_label(state: str) -> str:
    return str(TicketStatus(state).label) if state in TicketStatus.values else state


def required_text(field: str, text: str | None, message: str) -> str:
    """``text`` stripped; a ``ValidationError`` on ``field`` with ``message`` if empty."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text
