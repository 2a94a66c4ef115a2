"""A ticket's transitions, declared once: from which states each action starts, where it
leads and who may do it. The services refuse what the table does not allow (HTTP 409), the
ticket's page offers exactly the actions it allows, and the API takes its roles from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from brigade.core.roles import DESK, STAFF
from brigade.core.transitions import Action, TransitionTable
from petitions.choices import OPEN_STATUSES, TicketStatus

if TYPE_CHECKING:
    from petitions.models import Ticket


def _not_called_back(ticket: Ticket) -> bool:
    """One callback per round: the ticket's round has not had its callback yet."""
    return bool(ticket.callback_round < ticket.round)


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
