"""Two clerks acting on one ticket at the same moment: exactly one writes, and the history
records the step once; the other gets the 409 (TransitionNotAllowed), or, where the action
only moves the ticket to a state it is now in, the ticket as it is. Threads with
their own connections, on SQLite and (marked postgres) on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from brigade.core.errors import TransitionNotAllowed
from petitions import services
from petitions.choices import CallbackResult, TicketStatus
from petitions.models import Ticket, TicketCallback
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.petitions.factories import TicketFactory


def _ticket_in(status: str) -> tuple[Ticket, list]:
    unit = UnitFactory()
    users = [UserFactory(), UserFactory()]
    ticket = TicketFactory(unit=unit)
    if status in (TicketStatus.REPLIED, TicketStatus.CLOSED):
        services.ticket_sign(ticket=ticket, by=users[0])
        services.ticket_assign(ticket=ticket, handler=OfficerFactory(unit=unit), by=users[0])
        services.ticket_reply(ticket=ticket, text="已处理", by=users[0])
    if status == TicketStatus.CLOSED:
        services.ticket_close(ticket=ticket, by=users[0])
    return ticket, users


def _race(action: str, ticket: Ticket, users: list) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(user) -> None:
        try:
            mine = Ticket.objects.get(pk=ticket.pk)
            barrier.wait(timeout=10)
            if action == "sign":
                services.ticket_sign(ticket=mine, by=user)
            elif action == "close":
                services.ticket_close(ticket=mine, by=user)
            else:
                services.ticket_callback(ticket=mine, result=CallbackResult.SATISFIED, by=user)
            outcomes.append("won")
        except TransitionNotAllowed:
            outcomes.append("409")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(user,)) for user in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


CASES = [
    ("sign", TicketStatus.RECEIVED, TicketStatus.SIGNED),
    ("close", TicketStatus.REPLIED, TicketStatus.CLOSED),
    ("callback", TicketStatus.CLOSED, TicketStatus.CLOSED),
]


def _check(action: str, start: str, end: str) -> None:
    # given a ticket two clerks have open
    ticket, users = _ticket_in(start)
    before = ticket.history.filter(status=end).count()
    # when both act at once
    outcomes = _race(action, ticket, users)
    # then one wins and the history has one new row; the other is refused, or, for an
    # action that only moves the ticket (sign, close), shown the ticket in its new state
    if action == "callback":
        assert sorted(outcomes) == ["409", "won"]
    else:
        assert outcomes == ["won", "won"]
    ticket.refresh_from_db()
    assert ticket.status == end
    assert ticket.history.filter(status=end).count() == before + 1
    if action == "callback":
        assert TicketCallback.objects.filter(ticket=ticket).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("action", "start", "end"), CASES)
def test_two_clerks_at_once(action, start, end):
    _check(action, start, end)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("action", "start", "end"), CASES)
def test_two_clerks_at_once_on_postgres(action, start, end):
    _check(action, start, end)
