"""The ticket's life through the services: sign, assign, reply, close, callback, rounds,
return, extension; every out-of-order step is a 409 naming the current state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from brigade.core.errors import TransitionNotAllowed
from brigade.core.models import RevealLog
from petitions import services
from petitions.choices import CallbackResult, ExtensionStatus, TicketStatus
from petitions.models import Ticket, TicketCallback
from tests.brigade.factories import OfficerFactory
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]


@pytest.fixture
def ticket(unit):
    return TicketFactory(unit=unit)


@pytest.fixture
def handler(unit):
    return OfficerFactory(unit=unit, name="承办民警")


def _closed(ticket, clerk, handler):
    services.ticket_sign(ticket=ticket, by=clerk)
    services.ticket_assign(ticket=ticket, handler=handler, by=clerk)
    services.ticket_reply(ticket=ticket, text="已安排警力疏导。", by=clerk)
    return services.ticket_close(ticket=ticket, by=clerk)


def test_create_computes_the_deadlines_from_the_category_rule(unit, clerk):
    # given a category of 1/3/5 working days, a ticket received on Fri 28 Jan 2022
    category = TicketCategoryFactory(sign_days=1, reply_days=3, close_days=5)
    received = timezone.make_aware(dt.datetime(2022, 1, 28, 9, 0))
    # when
    ticket = services.ticket_create(
        number="2022012800001",
        category=category,
        unit=unit,
        content="路灯不亮",
        received_at=received,
        channel="hotline",
        created_by=clerk,
    )
    # then make-up workdays count and the Spring Festival does not
    assert ticket.sign_due == dt.date(2022, 1, 29)
    assert ticket.reply_due == dt.date(2022, 2, 7)
    assert ticket.close_due == dt.date(2022, 2, 9)
    assert ticket.next_due == ticket.sign_due
    assert ticket.status == TicketStatus.RECEIVED


def test_create_refuses_a_duplicate_number(unit, ticket):
    with pytest.raises(ValidationError) as err:
        services.ticket_create(
            number=ticket.number,
            category=ticket.category,
            unit=unit,
            content="x",
            received_at=timezone.now(),
            channel="hotline",
        )
    assert "number" in err.value.message_dict


def test_the_whole_round(ticket, clerk, handler, commander):
    ticket = services.ticket_sign(ticket=ticket, by=clerk)
    assert (ticket.status, ticket.signed_by, ticket.next_due) == (
        TicketStatus.SIGNED,
        clerk,
        ticket.reply_due,
    )
    ticket = services.ticket_assign(ticket=ticket, handler=handler, by=clerk)
    assert (ticket.status, ticket.handler) == (TicketStatus.HANDLING, handler)
    ticket = services.ticket_reply(ticket=ticket, text="已安排警力疏导。", by=clerk)
    assert ticket.status == TicketStatus.REPLIED
    assert ticket.reply == "已安排警力疏导。"
    assert ticket.next_due == ticket.close_due
    assert ticket.replies.get().text == "已安排警力疏导。"
    ticket = services.ticket_close(ticket=ticket, by=clerk)
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.closed_on_time is True
    assert ticket.next_due is None
    callback = services.ticket_callback(
        ticket=ticket, result=CallbackResult.SATISFIED, by=commander
    )
    assert callback.round == 1
    assert callback.unit_id == ticket.unit_id
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    # the history tells the whole story, one row per step
    statuses = list(ticket.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["received", "signed", "handling", "replied", "closed", "closed"]


def test_a_late_close_is_not_on_time(ticket, clerk, handler):
    Ticket.objects.filter(pk=ticket.pk).update(close_due=timezone.localdate() - dt.timedelta(1))
    ticket.refresh_from_db()
    ticket = _closed(ticket, clerk, handler)
    assert ticket.closed_on_time is False


def test_out_of_order_names_the_current_state(ticket, clerk):
    with pytest.raises(TransitionNotAllowed) as err:
        services.ticket_close(ticket=ticket, by=clerk)
    assert err.value.state == TicketStatus.RECEIVED
    assert str(TicketStatus.RECEIVED.label) in err.value.message
    services.ticket_sign(ticket=ticket, by=clerk)
    with pytest.raises(TransitionNotAllowed) as err:
        services.ticket_close(ticket=ticket, by=clerk)
    assert err.value.state == TicketStatus.SIGNED


def test_a_stale_object_cannot_sign_twice(ticket, clerk, commander):
    # given two clerks who loaded the same ticket
    mine, theirs = Ticket.objects.get(pk=ticket.pk), Ticket.objects.get(pk=ticket.pk)
    services.ticket_sign(ticket=mine, by=clerk)
    # when the second signs from their stale copy, the ticket is shown as it is: signed
    repeated = services.ticket_sign(ticket=theirs, by=commander)
    assert repeated.status == TicketStatus.SIGNED and repeated.signed_by == clerk
    # then the first signature stands, and the history has one signing
    ticket.refresh_from_db()
    assert ticket.signed_by == clerk
    assert ticket.history.filter(status=TicketStatus.SIGNED).count() == 1


def test_the_handler_cannot_record_the_callback(ticket, clerk):
    handler = clerk.officer
    _closed(ticket, clerk, handler)
    with pytest.raises(PermissionDenied):
        services.ticket_callback(ticket=ticket, result=CallbackResult.SATISFIED, by=clerk)
    assert not TicketCallback.objects.exists()


def test_dissatisfied_opens_a_second_round(ticket, clerk, handler, commander):
    ticket = _closed(ticket, clerk, handler)
    services.ticket_callback(ticket=ticket, result=CallbackResult.DISSATISFIED, by=commander)
    ticket.refresh_from_db()
    assert ticket.round == 2
    assert ticket.status == TicketStatus.HANDLING
    assert ticket.closed_at is None and ticket.reopened_at is not None
    assert ticket.next_due == ticket.reply_due
    # the second round is replied, closed and called back on its own
    services.ticket_reply(ticket=ticket, text="已增设标志。", by=clerk)
    services.ticket_close(ticket=ticket, by=clerk)
    services.ticket_callback(ticket=ticket, result=CallbackResult.SATISFIED, by=commander)
    ticket.refresh_from_db()
    assert list(ticket.replies.values_list("round", "text")) == [
        (1, "已安排警力疏导。"),
        (2, "已增设标志。"),
    ]
    assert list(ticket.callbacks.values_list("round", "result")) == [
        (1, CallbackResult.DISSATISFIED),
        (2, CallbackResult.SATISFIED),
    ]


def test_a_round_is_called_back_once(ticket, clerk, handler, commander):
    ticket = _closed(ticket, clerk, handler)
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_callback(ticket=ticket, result=CallbackResult.SATISFIED, by=commander)
    with pytest.raises(TransitionNotAllowed):
        services.ticket_callback(ticket=stale, result=CallbackResult.UNREACHABLE, by=commander)
    assert TicketCallback.objects.count() == 1


def test_return_needs_a_reason_and_ends_the_ticket(ticket, clerk):
    with pytest.raises(ValidationError):
        services.ticket_return(ticket=ticket, reason=" ", by=clerk)
    ticket = services.ticket_return(ticket=ticket, reason="属城管职责", by=clerk)
    assert ticket.status == TicketStatus.RETURNED
    assert ticket.next_due is None
    with pytest.raises(TransitionNotAllowed) as err:
        services.ticket_sign(ticket=ticket, by=clerk)
    assert err.value.state == TicketStatus.RETURNED


def test_extension_moves_the_deadline_once_approved(ticket, clerk, commander):
    services.ticket_sign(ticket=ticket, by=clerk)
    new_due = ticket.close_due + dt.timedelta(days=14)
    request = services.extension_request(ticket=ticket, new_due=new_due, reason="需协调", by=clerk)
    assert request.status == ExtensionStatus.PENDING
    with pytest.raises(TransitionNotAllowed):
        services.extension_request(ticket=ticket, new_due=new_due, reason="再次", by=clerk)
    services.extension_decide(extension=request, approve=True, by=commander)
    ticket.refresh_from_db()
    assert ticket.close_due == new_due
    with pytest.raises(TransitionNotAllowed):
        services.extension_decide(extension=request, approve=False, by=commander)


def test_extension_must_be_later(ticket, clerk):
    with pytest.raises(ValidationError) as err:
        services.extension_request(
            ticket=ticket, new_due=ticket.close_due, reason="需协调", by=clerk
        )
    assert "new_due" in err.value.message_dict


def test_rejected_extension_keeps_the_deadline(ticket, clerk, commander):
    before = ticket.close_due
    request = services.extension_request(
        ticket=ticket, new_due=before + dt.timedelta(days=3), reason="需协调", by=clerk
    )
    services.extension_decide(extension=request, approve=False, by=commander)
    ticket.refresh_from_db()
    assert ticket.close_due == before


def test_assign_only_within_the_unit(ticket, clerk, other_unit):
    services.ticket_sign(ticket=ticket, by=clerk)
    with pytest.raises(ValidationError):
        services.ticket_assign(ticket=ticket, handler=OfficerFactory(unit=other_unit), by=clerk)


def test_reveal_writes_the_audit_row(ticket, clerk):
    shown = services.reveal_phone(ticket=ticket, user=clerk, ip="10.0.0.8")
    assert shown["citizen_phone"] == "13812345678"
    log = RevealLog.objects.get()
    assert (log.user, log.record_id, log.ip, log.way) == (clerk, ticket.pk, "10.0.0.8", "reveal")
    assert (log.record, log.unit_id) == (ticket.number, ticket.unit_id)


def test_reopen_by_a_commander(ticket, clerk, handler, commander):
    ticket = _closed(ticket, clerk, handler)
    ticket = services.ticket_reopen(ticket=ticket, by=commander, reason="复查")
    assert (ticket.status, ticket.round) == (TicketStatus.HANDLING, 2)
