"""Shared set-ups of the notices tests: a clock on a given local time, tickets due on a
day, a Shanghai datetime."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from petitions.choices import TicketStatus
from tests.petitions.factories import TicketFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, clock: str = "09:00") -> dt.datetime:
    """A local (Asia/Shanghai) instant: ``at("2022-06-13", "09:00")``."""
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


def ticket_due(due: str | dt.date, *, status: str = TicketStatus.RECEIVED, **kwargs):
    """A ticket whose current deadline (``next_due``) is ``due``."""
    day = dt.date.fromisoformat(due) if isinstance(due, str) else due
    return TicketFactory(
        status=status,
        received_at=at("2022-06-01"),
        sign_due=day,
        reply_due=day,
        close_due=day,
        next_due=day,
        **kwargs,
    )
