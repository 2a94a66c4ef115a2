"""办结 is not final at one click: whoever closed a ticket may take the close back for a few
seconds (a declared transition of the ticket's table, with its guard). Anyone else, or too
late, or after the callback: 409. The close and its undo are both in the history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from brigade.core.errors import TransitionNotAllowed
from brigade.core.roles import Role
from petitions import services
from petitions.choices import CallbackResult, TicketStatus
from petitions.models import Ticket
from petitions.transitions import CLOSE_UNDO_SECONDS, TICKET_TRANSITIONS
from tests.brigade.factories import OfficerFactory, UserFactory
from tests.petitions.factories import TicketFactory

# clock: reads "now" (the undo's window, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]


@pytest.fixture
def handler(unit):
    return OfficerFactory(unit=unit, name="承办民警")


@pytest.fixture
def replied(unit, clerk, handler):
    ticket = TicketFactory(unit=unit)
    services.ticket_sign(ticket=ticket, by=clerk)
    services.ticket_assign(ticket=ticket, handler=handler, by=clerk)
    return services.ticket_reply(ticket=ticket, text="已安排警力疏导。", by=clerk)


@pytest.fixture
def far_clerk(other_unit):
    user = UserFactory(username="clerk3", roles=[Role.CLERK])
    OfficerFactory(user=user, unit=other_unit, name="二中队内勤")
    return user


@pytest.fixture
def other_clerk(unit):
    user = UserFactory(username="clerk2", roles=[Role.CLERK])
    OfficerFactory(user=user, unit=unit, name="另一内勤")
    return user


def _age(ticket: Ticket, seconds: int) -> None:
    """The ticket was closed ``seconds`` ago."""
    Ticket.objects.filter(pk=ticket.pk).update(
        closed_at=timezone.now() - dt.timedelta(seconds=seconds)
    )
    ticket.refresh_from_db()


def undo_url(ticket: Ticket) -> str:
    return reverse("petitions:ticket_undo_close", args=[ticket.pk])


def test_undo_is_a_declared_transition_with_its_guard(replied, clerk):
    action = TICKET_TRANSITIONS["undo_close"]
    assert (action.sources, action.target) == ((TicketStatus.CLOSED,), TicketStatus.REPLIED)
    assert action.guard is not None
    services.ticket_close(ticket=replied, by=clerk)
    assert TICKET_TRANSITIONS.can(replied, "undo_close")
    _age(replied, CLOSE_UNDO_SECONDS + 1)
    assert not TICKET_TRANSITIONS.can(replied, "undo_close")


def test_the_closer_undoes_the_close_at_once(replied, clerk):
    services.ticket_close(ticket=replied, by=clerk)
    closed_versions = replied.history.count()
    ticket = services.ticket_undo_close(ticket=replied, by=clerk)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REPLIED
    assert (ticket.closed_at, ticket.closed_by, ticket.closed_on_time) == (None, None, None)
    assert ticket.next_due == ticket.close_due
    # both in the history: the close, then its undo with the reason said
    rows = list(ticket.history.order_by("-history_date", "-history_id")[:2])
    assert ticket.history.count() == closed_versions + 1
    assert (rows[1].status, rows[0].status) == (TicketStatus.CLOSED, TicketStatus.REPLIED)
    assert rows[0].history_change_reason
    assert rows[1].history_change_reason in (None, "")
    # and it can be closed again
    services.ticket_close(ticket=ticket, by=clerk)
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CLOSED


def test_someone_else_cannot_undo_the_close(replied, clerk, other_clerk):
    services.ticket_close(ticket=replied, by=clerk)
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="whoever closed"):
        services.ticket_undo_close(ticket=replied, by=other_clerk)
    assert Ticket.objects.get(pk=replied.pk).status == TicketStatus.CLOSED


def test_too_late_is_refused(replied, clerk):
    services.ticket_close(ticket=replied, by=clerk)
    _age(replied, CLOSE_UNDO_SECONDS + 1)
    with pytest.raises(TransitionNotAllowed, match=str(CLOSE_UNDO_SECONDS)):
        services.ticket_undo_close(ticket=replied, by=clerk)
    assert Ticket.objects.get(pk=replied.pk).status == TicketStatus.CLOSED


def test_after_the_callback_it_is_too_late(replied, clerk, commander):
    services.ticket_close(ticket=replied, by=clerk)
    services.ticket_callback(ticket=replied, result=CallbackResult.SATISFIED, by=commander)
    with pytest.raises(TransitionNotAllowed):
        services.ticket_undo_close(ticket=replied, by=clerk)
    assert Ticket.objects.get(pk=replied.pk).status == TicketStatus.CLOSED


def test_an_open_ticket_has_no_close_to_undo(replied, clerk):
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="just closed"):
        services.ticket_undo_close(ticket=replied, by=clerk)


# --- the page -------------------------------------------------------------------------------


def test_the_ticket_page_offers_undo_to_the_closer_only(client, replied, clerk, other_clerk):
    client.force_login(clerk)
    client.post(reverse("petitions:ticket_close", args=[replied.pk]))
    page = client.get(reverse("petitions:ticket_detail", args=[replied.pk])).content.decode()
    assert 'data-testid="action-undo_close"' in page
    assert 'data-testid="undo-close"' in page
    client.force_login(other_clerk)
    page = client.get(reverse("petitions:ticket_detail", args=[replied.pk])).content.decode()
    assert 'data-testid="action-undo_close"' not in page
    # and nobody once the window is over
    _age(replied, CLOSE_UNDO_SECONDS + 1)
    client.force_login(clerk)
    page = client.get(reverse("petitions:ticket_detail", args=[replied.pk])).content.decode()
    assert 'data-testid="action-undo_close"' not in page


def test_the_panel_undoes_and_the_history_says_so(client, replied, clerk):
    client.force_login(clerk)
    closed = client.post(
        reverse("petitions:ticket_close", args=[replied.pk]), HTTP_HX_REQUEST="true"
    )
    assert closed.status_code == 200
    assert 'data-testid="action-undo_close"' in closed.content.decode()
    undone = client.post(undo_url(replied), HTTP_HX_REQUEST="true")
    assert undone.status_code == 200
    assert 'data-testid="panel-done"' in undone.content.decode()
    assert Ticket.objects.get(pk=replied.pk).status == TicketStatus.REPLIED
    page = client.get(reverse("petitions:ticket_detail", args=[replied.pk])).content.decode()
    assert 'data-testid="history-reason"' in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("clerk", 200), ("other_clerk", 409), ("officer", 403), ("far_clerk", 404)],
)
def test_undo_per_role_in_the_window(client, request, replied, clerk, who, status):
    """The closer (a clerk): done; another clerk: 409 (not theirs); an officer: 403 (not
    the desk's role); a clerk of another unit: 404 (out of scope)."""
    services.ticket_close(ticket=replied, by=clerk)
    client.force_login(request.getfixturevalue(who))
    response = client.post(undo_url(replied), HTTP_HX_REQUEST="true")
    assert response.status_code == status
    expected = TicketStatus.REPLIED if status == 200 else TicketStatus.CLOSED
    assert Ticket.objects.get(pk=replied.pk).status == expected


def test_a_commander_undoes_their_own_close(client, replied, commander):
    services.ticket_close(ticket=replied, by=commander)
    client.force_login(commander)
    assert client.post(undo_url(replied), HTTP_HX_REQUEST="true").status_code == 200


def test_the_page_answers_409_after_the_window(client, replied, clerk):
    services.ticket_close(ticket=replied, by=clerk)
    _age(replied, CLOSE_UNDO_SECONDS + 1)
    client.force_login(clerk)
    response = client.post(undo_url(replied), HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert 'data-testid="panel-error"' in response.content.decode()
    assert Ticket.objects.get(pk=replied.pk).status == TicketStatus.CLOSED


# --- the API --------------------------------------------------------------------------------


def test_the_api_undoes_for_the_closer_and_refuses_others(api_as, replied, clerk, other_clerk):
    services.ticket_close(ticket=replied, by=clerk)
    path = reverse("petitions-api:ticket-undo_close", kwargs={"pk": replied.pk})
    assert api_as(other_clerk).post(path).status_code == 409
    response = api_as(clerk).post(path)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == TicketStatus.REPLIED
    # a second undo: nothing closed to undo
    assert api_as(clerk).post(path).status_code == 409


def test_the_api_refuses_after_the_window(api_as, replied, clerk):
    services.ticket_close(ticket=replied, by=clerk)
    _age(replied, CLOSE_UNDO_SECONDS + 1)
    path = reverse("petitions-api:ticket-undo_close", kwargs={"pk": replied.pk})
    assert api_as(clerk).post(path).status_code == 409


# --- an action's address, reloaded ------------------------------------------------------------


@pytest.mark.parametrize("name", ["reply", "close", "undo_close", "reopen"])
def test_an_actions_address_reloaded_is_the_tickets_page_not_405(client, replied, clerk, name):
    """A reply sent back with its errors leaves the browser at .../reply/: reloading it (or
    a phone restoring the tab) shows the ticket, never "HTTP ERROR 405"."""
    client.force_login(clerk)
    answer = client.post(reverse("petitions:ticket_reply", args=[replied.pk]), {"text": ""})
    assert answer.status_code in (400, 409)
    response = client.get(reverse(f"petitions:ticket_{name}", args=[replied.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:ticket_detail", args=[replied.pk])


def test_an_actions_address_of_another_units_ticket_is_404(client, replied, far_clerk):
    client.force_login(far_clerk)
    response = client.get(reverse("petitions:ticket_close", args=[replied.pk]))
    assert response.status_code == 404
