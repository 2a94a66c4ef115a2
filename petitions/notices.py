"""The 12345 tickets' due items: to sign, to reply (反馈) and to close (办结), each by the
deadline the ticket's state works towards (``next_due``, in working days by its category's
rule). Held by the ticket's handler (their login); a ticket without one waits on the
unit's clerks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brigade.core.notices.models import NoticeAction
from brigade.core.notices.registry import Source, due_rows, notice_sources
from petitions.choices import TicketStatus

# the ticket states each action is due in
STATES: dict[str, tuple[str, ...]] = {
    NoticeAction.SIGN: (TicketStatus.RECEIVED,),
    NoticeAction.REPLY: (TicketStatus.SIGNED, TicketStatus.HANDLING),
    NoticeAction.CLOSE: (TicketStatus.REPLIED,),
}


def tickets_due(action: str, day: dt.date, until: dt.date) -> QuerySet[Any, dict[str, Any]]:
    """Open tickets in the states of ``action`` whose next deadline is by ``until``: one
    query (the partial ``ticket_open_status`` index)."""
    from petitions.models import Ticket

    return due_rows(
        Ticket.objects.filter(status__in=STATES[action], next_due__lte=until),
        day,
        due="next_due",
        holder=Case(
            When(handler__is_active=True, then=F("handler__user_id")),
            default=None,
            output_field=IntegerField(),
        ),
        title=Concat(Value(gettext("12345 ticket") + " "), F("number"), output_field=CharField()),
    )


def register_notices() -> None:
    def source(action: str, label: Any) -> Source:
        return Source(
            action=action,
            label=label,
            model="petitions.Ticket",
            query=lambda day, until: tickets_due(action, day, until),
            url_name="petitions:ticket_detail",
        )

    notice_sources.register(
        source(NoticeAction.SIGN, _("12345 tickets to sign")),
        source(NoticeAction.REPLY, _("12345 tickets to reply to")),
        source(NoticeAction.CLOSE, _("12345 tickets to close")),
    )
