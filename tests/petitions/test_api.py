"""The petitions API: masked lists, transitions (409 naming the state, 403, 404), the
queue with counts per state, reveal with its audit row, consultations and proposals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from brigade.core.models import RevealLog
from petitions.choices import CallbackResult, TicketStatus
from petitions.models import Ticket, TicketCallback
from tests.brigade.factories import OfficerFactory
from tests.petitions.factories import (
    ConsultationFactory,
    ProposalFactory,
    TicketCategoryFactory,
    TicketFactory,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

LIST = "petitions-api:ticket-list"


def url(name, **kwargs):
    return reverse(f"petitions-api:{name}", kwargs=kwargs or None)


def act(client, ticket, name, **body):
    return client.post(url(f"ticket-{name}", pk=ticket.pk), body, format="json")


def test_list_masks_name_and_phone(api_as, clerk, unit):
    TicketFactory(unit=unit, citizen_name="张三丰", citizen_phone="13812345678")
    row = api_as(clerk).get(reverse(LIST)).json()["results"][0]
    assert row["citizen_phone"] == "138****5678"
    assert row["citizen_name"] == "张**"


@pytest.mark.parametrize("rows", [1, 12])
def test_list_queries_do_not_grow_with_rows(api_as, clerk, unit, rows, django_assert_num_queries):
    category = TicketCategoryFactory()
    handler = OfficerFactory(unit=unit)
    TicketFactory.create_batch(rows, unit=unit, category=category, handler=handler)
    client = api_as(clerk)
    client.get(reverse(LIST))  # the user's scope is cached on the user after one call
    # count, rows (the scope is cached on the user)
    with django_assert_num_queries(2):
        response = client.get(reverse(LIST))
    assert response.json()["count"] == rows


def test_anonymous_is_401(api):
    assert api.get(reverse(LIST)).status_code == 401


def test_other_units_ticket_is_404(api_as, clerk, other_unit):
    ticket = TicketFactory(unit=other_unit)
    client = api_as(clerk)
    assert client.get(url("ticket-detail", pk=ticket.pk)).status_code == 404
    assert act(client, ticket, "sign").status_code == 404


def test_officer_cannot_sign(api_as, officer, unit):
    ticket = TicketFactory(unit=unit)
    assert act(api_as(officer), ticket, "sign").status_code == 403


def test_a_round_through_the_api(api_as, clerk, commander, unit):
    # given a received ticket and an officer of the unit
    ticket = TicketFactory(unit=unit)
    handler = OfficerFactory(unit=unit)
    client = api_as(clerk)
    # when the clerk works it
    assert act(client, ticket, "sign").json()["status"] == TicketStatus.SIGNED
    assert act(client, ticket, "assign", handler=handler.pk).json()["handler"]["id"] == handler.pk
    body = act(client, ticket, "reply", text="已安排警力。").json()
    assert (body["status"], body["reply"]) == (TicketStatus.REPLIED, "已安排警力。")
    body = act(client, ticket, "close").json()
    assert body["status"] == TicketStatus.CLOSED and body["closed_on_time"] is True
    # then the commander calls back
    response = act(api_as(commander), ticket, "callback", result=CallbackResult.SATISFIED)
    assert response.status_code == 201
    assert response.json()["round"] == 1
    detail = api_as(clerk).get(url("ticket-detail", pk=ticket.pk)).json()
    assert [r["text"] for r in detail["replies"]] == ["已安排警力。"]
    assert [c["result"] for c in detail["callbacks"]] == [CallbackResult.SATISFIED]


def test_out_of_order_is_409_naming_the_state(api_as, clerk, unit):
    ticket = TicketFactory(unit=unit)
    response = act(api_as(clerk), ticket, "close")
    assert response.status_code == 409
    assert response.json()["state"] == TicketStatus.RECEIVED


def test_handler_calling_back_their_own_ticket_is_403(api_as, clerk, unit):
    ticket = TicketFactory(unit=unit)
    client = api_as(clerk)
    act(client, ticket, "sign")
    act(client, ticket, "assign", handler=clerk.officer.pk)
    act(client, ticket, "reply", text="已处理")
    act(client, ticket, "close")
    response = act(client, ticket, "callback", result=CallbackResult.SATISFIED)
    assert response.status_code == 403
    assert not TicketCallback.objects.exists()


def test_reply_without_text_is_400(api_as, clerk, unit):
    ticket = TicketFactory(unit=unit, status=TicketStatus.SIGNED)
    response = act(api_as(clerk), ticket, "reply", text="")
    assert response.status_code == 400
    assert "text" in response.json()


def test_return_and_extension(api_as, clerk, commander, unit):
    ticket = TicketFactory(unit=unit)
    client = api_as(clerk)
    new_due = (ticket.close_due + dt.timedelta(days=10)).isoformat()
    assert act(client, ticket, "extend", new_due=new_due, reason="需协调").status_code == 201
    # a clerk cannot approve
    assert act(client, ticket, "approve-extension", approve=True).status_code == 403
    response = act(api_as(commander), ticket, "approve-extension", approve=True)
    assert response.json()["status"] == "approved"
    ticket.refresh_from_db()
    assert ticket.close_due.isoformat() == new_due
    assert act(api_as(commander), ticket, "approve-extension", approve=True).status_code == 409
    response = act(client, ticket, "return", reason="属城管职责")
    assert response.json()["status"] == TicketStatus.RETURNED


def test_reveal_unmasks_and_audits(api_as, clerk, officer, unit):
    ticket = TicketFactory(unit=unit, citizen_phone="13812345678")
    response = act(api_as(clerk), ticket, "reveal")
    assert response.json()["citizen_phone"] == "13812345678"
    assert ticket.phone_views.filter(user=clerk, way="reveal").count() == 1
    assert act(api_as(officer), ticket, "reveal").status_code == 403
    assert RevealLog.objects.count() == 1


def test_create_by_hand(api_as, clerk, unit):
    category = TicketCategoryFactory(sign_days=1, reply_days=3, close_days=5)
    response = api_as(clerk).post(
        reverse(LIST),
        {
            "number": "2022061300001",
            "received_at": "2022-01-28T09:00:00+08:00",
            "category": category.pk,
            "unit": unit.pk,
            "content": "路口信号灯故障",
            "citizen_phone": "13900001111",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["close_due"] == "2022-02-09"
    assert body["citizen_phone"] == "139****1111"
    duplicate = api_as(clerk).post(
        reverse(LIST),
        {
            "number": "2022061300001",
            "received_at": "2022-01-28T09:00:00+08:00",
            "category": category.pk,
            "unit": unit.pk,
            "content": "x",
        },
        format="json",
    )
    assert duplicate.status_code == 400 and "number" in duplicate.json()


def test_queue_orders_by_urgency_with_counts(api_as, clerk, unit, django_assert_max_num_queries):
    today = timezone.localdate()
    late = TicketFactory(unit=unit, next_due=today - dt.timedelta(days=3))
    later = TicketFactory(unit=unit, next_due=today + dt.timedelta(days=20))
    now = TicketFactory(unit=unit, next_due=today)
    TicketFactory(unit=unit, status=TicketStatus.CLOSED, next_due=None)
    client = api_as(clerk)
    body = client.get(url("ticket-queue")).json()
    assert [r["id"] for r in body["results"]] == [late.pk, now.pk, later.pk]
    assert [r["deadline_state"] for r in body["results"]] == ["overdue", "due_today", "on_time"]
    assert body["counts"] == {"received": 3, "signed": 0, "handling": 0, "replied": 0}
    # keyset pages
    first = client.get(url("ticket-queue"), {"page_size": 2}).json()
    assert len(first["results"]) == 2
    rest = client.get(url("ticket-queue"), {"page_size": 2, "after": first["next_after"]}).json()
    assert [r["id"] for r in rest["results"]] == [later.pk]
    assert rest["next_after"] is None


@pytest.mark.parametrize("rows", [1, 15])
def test_queue_queries_are_constant(api_as, clerk, unit, rows, django_assert_num_queries):
    category = TicketCategoryFactory()
    TicketFactory.create_batch(rows, unit=unit, category=category)
    client = api_as(clerk)
    client.get(url("ticket-queue"))
    # counts per state (one grouped query), rows
    with django_assert_num_queries(2):
        body = client.get(url("ticket-queue")).json()
    assert len(body["results"]) == rows


def test_search_by_phone_and_number(api_as, clerk, unit):
    a = TicketFactory(unit=unit, citizen_phone="13812345678", number="2022000111")
    TicketFactory(unit=unit, citizen_phone="13900000000", number="2022000222")
    client = api_as(clerk)
    # a phone number finds its ticket only whole (the end of one tells what the mask hides)
    assert [r["id"] for r in client.get(reverse(LIST), {"q": "5678"}).json()["results"]] == []
    whole = client.get(reverse(LIST), {"q": "138 1234 5678"}).json()["results"]
    assert [r["id"] for r in whole] == [a.pk]
    assert a.phone_views.filter(user=clerk, way="search").count() == 1
    assert [r["id"] for r in client.get(reverse(LIST), {"q": "2022000111"}).json()["results"]] == [
        a.pk
    ]


def test_consultation_quick_log(api_as, officer, unit):
    response = api_as(officer).post(
        url("consultation-list"),
        {"channel": "phone", "topic": "如何处理违章", "unit": unit.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["unit"]["id"] == unit.pk
    ConsultationFactory(unit=unit)
    assert api_as(officer).get(url("consultation-list")).json()["count"] == 2


def test_proposal_answered_once(api_as, clerk, unit):
    proposal = ProposalFactory(unit=unit)
    client = api_as(clerk)
    body = {"reply_mode": "in_person", "reply": "已上门答复"}
    response = client.post(url("proposal-answer", pk=proposal.pk), body, format="json")
    assert response.status_code == 200
    assert response.json()["reply_mode"] == "in_person"
    again = client.post(url("proposal-answer", pk=proposal.pk), body, format="json")
    assert again.status_code == 409


def test_categories_are_edited_by_an_administrator(api_as, clerk, admin_user):
    body = {"name": "交通拥堵", "code": "jam", "sign_days": 1, "reply_days": 3, "close_days": 5}
    assert api_as(clerk).post(url("category-list"), body, format="json").status_code == 403
    assert api_as(admin_user).post(url("category-list"), body, format="json").status_code == 201
    bad = {**body, "code": "jam2", "name": "x", "reply_days": 9}
    response = api_as(admin_user).post(url("category-list"), bad, format="json")
    assert response.status_code == 400 and "close_days" in response.json()


def test_number_is_unique_in_the_table():
    assert Ticket._meta.get_field("number").unique


def test_fast_rows_equal_the_declared_fields(rf, clerk, unit):
    """The list's one-pass rendering gives exactly what the declared fields give."""
    from rest_framework import serializers as drf

    from petitions.api.serializers import TicketSerializer

    ticket = TicketFactory(
        unit=unit, handler=OfficerFactory(unit=unit), reply="已处理", closed_on_time=True
    )
    ticket = Ticket.objects.for_list().get(pk=ticket.pk)
    request = rf.get("/")
    request.user = clerk
    serializer = TicketSerializer(ticket, context={"request": request})
    declared = drf.ModelSerializer.to_representation(serializer, ticket)
    assert serializer.to_representation(ticket) == dict(declared)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_empty_content_sent_in_a_form_is_refused(api_as, clerk, unit, method):
    ticket = TicketFactory(unit=unit, content="花园路拥堵")
    body = "channel=hotline&content=&location=%E8%8A%B1%E5%9B%AD%E8%B7%AF"
    response = getattr(api_as(clerk), method)(
        url("ticket-detail", pk=ticket.pk), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "content" in response.json()
    ticket.refresh_from_db()
    assert ticket.content == "花园路拥堵"


def test_a_form_without_content_keeps_it(api_as, clerk, unit):
    ticket = TicketFactory(unit=unit, content="花园路拥堵")
    response = api_as(clerk).patch(
        url("ticket-detail", pk=ticket.pk),
        "location=%E5%BB%BA%E8%AE%BE%E4%B8%9C%E8%B7%AF",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.content, ticket.location) == ("花园路拥堵", "建设东路")
