"""The petitions pages: the clerk's queue (order, counts, masking, constant queries,
keyset pages, export), a ticket's page with its actions, the side panel, the audited
reveal, the import with its preview, consultations and proposals."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from brigade.core.models import RevealLog
from petitions.choices import CallbackResult, TicketStatus
from petitions.models import Proposal, Ticket
from tests.brigade.factories import OfficerFactory
from tests.petitions.factories import (
    ProposalFactory,
    TicketCategoryFactory,
    TicketFactory,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

QUEUE = reverse("petitions:ticket_list")


def detail(ticket):
    return reverse("petitions:ticket_detail", args=[ticket.pk])


def action(ticket, name):
    return reverse(f"petitions:ticket_{name}", args=[ticket.pk])


def test_clerk_lands_on_the_queue(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("home"))["Location"] == QUEUE


def test_queue_orders_by_urgency_and_counts_states(client, clerk, unit):
    today = timezone.localdate()
    later = TicketFactory(unit=unit, next_due=today + dt.timedelta(days=30))
    late = TicketFactory(unit=unit, next_due=today - dt.timedelta(days=5))
    due = TicketFactory(unit=unit, next_due=today)
    TicketFactory(unit=unit, status=TicketStatus.CLOSED, next_due=None)
    client.force_login(clerk)
    response = client.get(QUEUE)
    html = response.content.decode()
    assert [t.pk for t in response.context["rows"]] == [late.pk, due.pk, later.pk]
    assert html.index(f'ticket-row-{late.pk}"') < html.index(f'ticket-row-{due.pk}"')
    counts = {c["status"]: c["count"] for c in response.context["counts"]}
    # the open states counted; closed ones are history, listed but not counted
    assert counts["received"] == 3 and counts["closed"] is None
    # the row's next action, and no unmasked phone anywhere in the list
    assert f'data-testid="row-action-{late.pk}"' in html
    assert "13812345678" not in html
    assert "Keyboard shortcuts" in html or "键盘快捷键" in html


@pytest.mark.parametrize("rows", [1, 20])
def test_queue_queries_are_constant(client, clerk, unit, rows, django_assert_num_queries):
    category = TicketCategoryFactory()
    handler = OfficerFactory(unit=unit)
    TicketFactory.create_batch(rows, unit=unit, category=category, handler=handler)
    client.force_login(clerk)
    # session, user, scope (groups, officer), the filter form's choices (categories,
    # officers, channels...), counts per state (one grouped query), rows, the bell's
    # count of unread notices; the same for 1 and for 20 rows
    with django_assert_num_queries(12):
        response = client.get(QUEUE)
    assert len(response.context["rows"]) == rows


def test_queue_pages_by_keyset(client, clerk, unit, monkeypatch):
    monkeypatch.setattr("petitions.views.queue.QUEUE_PAGE", 2)
    tickets = TicketFactory.create_batch(3, unit=unit)
    client.force_login(clerk)
    first = client.get(QUEUE)
    assert len(first.context["rows"]) == 2
    second = client.get(QUEUE + first.context["next_url"])
    shown = {t.pk for t in first.context["rows"]} | {t.pk for t in second.context["rows"]}
    assert shown == {t.pk for t in tickets}
    assert second.context["next_url"] is None


def test_queue_filters_and_search(client, clerk, unit):
    a = TicketFactory(unit=unit, citizen_phone="13811112222", content="路灯损坏")
    TicketFactory(unit=unit, citizen_phone="13933334444", content="占道停车")
    client.force_login(clerk)
    assert [t.pk for t in client.get(QUEUE, {"q": "2222"}).context["rows"]] == []
    assert [t.pk for t in client.get(QUEUE, {"q": "13811112222"}).context["rows"]] == [a.pk]
    assert [t.pk for t in client.get(QUEUE, {"q": "路灯"}).context["rows"]] == [a.pk]
    closed = client.get(QUEUE, {"status": TicketStatus.CLOSED})
    assert closed.context["rows"] == []


def test_queue_is_for_the_desk(client, officer):
    client.force_login(officer)
    assert client.get(QUEUE).status_code == 403


def test_export_masks_the_citizen(client, clerk, unit):
    TicketFactory(unit=unit, citizen_name="张三丰", citizen_phone="13812345678")
    client.force_login(clerk)
    response = client.get(QUEUE, {"export": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "138****5678" in values and "张**" in values
    assert "13812345678" not in values and "张三丰" not in values


def test_detail_masks_until_shown_and_audits(client, clerk, unit):
    ticket = TicketFactory(unit=unit)
    client.force_login(clerk)
    page = client.get(detail(ticket)).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "{# linked hazards #}" not in page  # a template comment, never shown
    shown = client.post(action(ticket, "reveal"), HTTP_HX_REQUEST="true")
    assert "13812345678" in shown.content.decode()
    assert ticket.phone_views.filter(user=clerk).count() == 1


def test_officer_cannot_reveal(client, officer, unit):
    ticket = TicketFactory(unit=unit)
    client.force_login(officer)
    assert 'data-testid="reveal-phone"' not in client.get(detail(ticket)).content.decode()
    assert client.post(action(ticket, "reveal")).status_code == 403
    assert not RevealLog.objects.exists()


def test_other_units_ticket_is_404(client, clerk, other_unit):
    ticket = TicketFactory(unit=other_unit)
    client.force_login(clerk)
    assert client.get(detail(ticket)).status_code == 404
    assert client.post(action(ticket, "sign")).status_code == 404


def test_working_a_ticket_through_the_pages(client, clerk, commander, unit):
    ticket = TicketFactory(unit=unit)
    handler = OfficerFactory(unit=unit, name="王警官")
    client.force_login(clerk)
    assert client.post(action(ticket, "sign")).status_code == 302
    client.post(action(ticket, "assign"), {"handler": handler.pk})
    client.post(action(ticket, "reply"), {"text": "已安排警力疏导。"})
    client.post(action(ticket, "close"))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    client.force_login(commander)
    client.post(action(ticket, "callback"), {"result": CallbackResult.DISSATISFIED})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.round) == (TicketStatus.HANDLING, 2)
    page = client.get(detail(ticket)).content.decode()
    assert 'data-testid="ticket-rounds"' in page and "已安排警力疏导。" in page
    assert 'data-testid="ticket-history"' in page


def test_out_of_order_in_the_side_panel_is_409(client, clerk, unit):
    ticket = TicketFactory(unit=unit)
    client.force_login(clerk)
    response = client.post(action(ticket, "close"), HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert 'data-testid="panel-error"' in response.content.decode()


def test_reply_without_text_is_400_with_the_form(client, clerk, unit):
    ticket = TicketFactory(unit=unit, status=TicketStatus.SIGNED)
    client.force_login(clerk)
    response = client.post(action(ticket, "reply"), {"text": ""})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SIGNED


def test_side_panel_and_reply_templates(client, clerk, unit):
    category = TicketCategoryFactory(reply_templates=["您反映的问题已处理完毕。"])
    ticket = TicketFactory(unit=unit, category=category, status=TicketStatus.SIGNED)
    client.force_login(clerk)
    response = client.get(detail(ticket), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f'data-testid="panel-ticket-{ticket.pk}"' in html
    assert "<html" not in html
    assert "您反映的问题已处理完毕。" in html


def test_handler_is_told_someone_else_calls_back(client, clerk, unit):
    ticket = TicketFactory(
        unit=unit, status=TicketStatus.CLOSED, handler=clerk.officer, next_due=None
    )
    client.force_login(clerk)
    html = client.get(detail(ticket)).content.decode()
    assert 'data-testid="callback-not-handler"' in html
    assert client.post(action(ticket, "callback"), {"result": "satisfied"}).status_code == 403


def test_only_a_commander_decides_an_extension(client, clerk, commander, unit):
    ticket = TicketFactory(unit=unit)
    client.force_login(clerk)
    new_due = ticket.close_due + dt.timedelta(days=7)
    client.post(action(ticket, "extend"), {"new_due": new_due.isoformat(), "reason": "需协调"})
    assert client.post(action(ticket, "decide"), {"approve": "1"}).status_code == 403
    client.force_login(commander)
    client.post(action(ticket, "decide"), {"approve": "1"})
    ticket.refresh_from_db()
    assert ticket.close_due == new_due


def test_import_preview_then_confirm(client, clerk, unit):
    TicketCategoryFactory(name="交通拥堵", code="jam")
    text = (
        "工单编号,受理时间,诉求分类,诉求内容,承办单位\nA1,2022-06-13 09:00,交通拥堵,拥堵,一中队\n"
    )
    upload = SimpleUploadedFile("export.csv", text.encode())
    client.force_login(clerk)
    preview = client.post(reverse("petitions:ticket_import"), {"file": upload})
    assert preview.status_code == 200
    assert 'data-testid="import-preview"' in preview.content.decode()
    assert not Ticket.objects.exists()
    done = client.post(reverse("petitions:ticket_import"), {"token": preview.context["token"]})
    assert done.status_code == 302
    assert Ticket.objects.get().number == "A1"


def test_import_errors_by_row(client, clerk, unit):
    text = "工单编号,受理时间,诉求分类,诉求内容,承办单位\nA1,bad,nope,拥堵,一中队\n"
    client.force_login(clerk)
    response = client.post(
        reverse("petitions:ticket_import"),
        {"file": SimpleUploadedFile("export.csv", text.encode())},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    assert not Ticket.objects.exists()


def test_consultation_quick_log(client, officer, unit):
    client.force_login(officer)
    response = client.post(
        reverse("petitions:consultation_create"),
        {"channel": "phone", "topic": "驾照换证", "unit": unit.pk},
    )
    assert response.status_code == 302
    listing = client.get(reverse("petitions:consultation_list")).content.decode()
    assert "驾照换证" in listing


def test_proposal_answered_in_person(client, clerk, unit):
    proposal = ProposalFactory(unit=unit)
    client.force_login(clerk)
    client.post(
        reverse("petitions:proposal_answer", args=[proposal.pk]), {"reply_mode": "in_person"}
    )
    proposal = Proposal.objects.get()
    assert proposal.reply_mode == "in_person" and proposal.replied_at is not None
    html = client.get(reverse("petitions:proposal_list")).content.decode()
    assert f'data-testid="proposal-answered-{proposal.pk}"' in html


def test_create_a_ticket_by_hand(client, clerk, unit):
    category = TicketCategoryFactory()
    client.force_login(clerk)
    response = client.post(
        reverse("petitions:ticket_create"),
        {
            "number": "H001",
            "received_at": "2022-06-13T09:00",
            "channel": "hotline",
            "category": category.pk,
            "unit": unit.pk,
            "content": "路口拥堵",
        },
    )
    assert response.status_code == 302
    assert Ticket.objects.get().number == "H001"


def test_proposal_page_shows_the_answer_and_history(client, clerk, unit):
    proposal = ProposalFactory(unit=unit)
    client.force_login(clerk)
    page = reverse("petitions:proposal_detail", args=[proposal.pk])
    assert 'data-testid="proposal-answer-submit"' in client.get(page).content.decode()
    client.post(
        reverse("petitions:proposal_answer", args=[proposal.pk]),
        {"reply_mode": "in_person", "reply": "上门答复"},
    )
    html = client.get(page).content.decode()
    assert 'data-testid="proposal-history"' in html
    assert "上门答复" in html
    assert 'data-testid="proposal-answer-submit"' not in html
