"""A ticket's transitions, declared once: from which states each action starts, where it
leads and who may do it. The services refuse what the table does not allow (HTTP 409), the
ticket's page offers exactly the actions it allows, and the API takes its roles from it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from brigade.core.roles import DESK, STAFF
from brigade.core.transitions import Action, TransitionTable
from petitions.choices import OPEN_STATUSES, TicketStatus

if TYPE_CHECKING:
    from petitions.models import Ticket


def _not_called_back(ticket: Ticket) -> bool:
    """One callback per round: the ticket's round has not had its callback yet."""
    return bool(ticket.callback_round < ticket.round)


# 办结 can be taken back for this long after the click, by whoever closed the ticket only
# (a mis-click on the queue's one button): the close and its undo are both in the history.
CLOSE_UNDO_SECONDS = 15


def undo_close_until(ticket: Ticket) -> dt.datetime | None:
    """Until when the ticket's close may be undone (None: it is not closed)."""
    if ticket.closed_at is None:
        return None
    return ticket.closed_at + dt.timedelta(seconds=CLOSE_UNDO_SECONDS)


def _close_undoable(ticket: Ticket) -> bool:
    """The close is still fresh (within CLOSE_UNDO_SECONDS) and the round not called back;
    who may undo it (the closer only) the service checks against the user."""
    until = undo_close_until(ticket)
    return until is not None and timezone.now() <= until and _not_called_back(ticket)


_IN_HAND = (TicketStatus.SIGNED, TicketStatus.HANDLING)
# not yet being handled: still the platform's to take back
_UNTOUCHED = (TicketStatus.RECEIVED, TicketStatus.SIGNED)

TICKET_TRANSITIONS = TransitionTable(
    states=tuple(TicketStatus.values),
    actions=(
        Action("sign", (TicketStatus.RECEIVED,), TicketStatus.SIGNED, DESK, repeatable=True),
        Action("assign", _IN_HAND, TicketStatus.HANDLING, DESK),
        Action("reply", _IN_HAND, TicketStatus.REPLIED, DESK),
        Action("close", (TicketStatus.REPLIED,), TicketStatus.CLOSED, DESK, repeatable=True),
        # a close taken back at once by its closer: replied again, the close's marks cleared
        Action(
            "undo_close",
            (TicketStatus.CLOSED,),
            TicketStatus.REPLIED,
            DESK,
            guard=_close_undoable,
        ),
        # stays closed, or (dissatisfied) goes back to signed or handling: the service says
        Action("callback", (TicketStatus.CLOSED,), None, DESK, guard=_not_called_back),
        # back to signed, or to handling when it has a handler: the service says
        Action("reopen", (TicketStatus.CLOSED,), None, STAFF),
        Action(
            "return",
            (TicketStatus.RECEIVED, TicketStatus.SIGNED),
            TicketStatus.RETURNED,
            DESK,
        ),
        # no change of state: a commander then decides on the request
        Action("extend", tuple(OPEN_STATUSES), None, DESK),
    ),
)

# Who decides on a ticket's extension request: a check of someone's request, never by its
# requester, also open to the brigade's second approver (brigade.core.permissions.four_eyes).
EXTENSION_DECIDERS = STAFF
