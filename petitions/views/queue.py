"""The clerk's queue (the clerk's landing page) with its side panel and its one next-step
button per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from brigade.core.columns import columns
from brigade.core.permissions import has_role
from brigade.core.privacy import mask_name, mask_phone
from brigade.core.roles import DESK
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.views import ScopedFilterListView
from petitions.choices import OPEN_STATUSES, TicketStatus
from petitions.filtersets import TicketFilterSet
from petitions.models import Ticket
from petitions.querysets import TicketQuerySet
from petitions.transitions import TICKET_TRANSITIONS

QUEUE_PAGE = 50


# --- the clerk's queue ------------------------------------------------------------------


# The queue's one button per row: the first of these steps that the ticket's transition
# table allows now and that moves the ticket on (from "handling", "assign" would only
# hand it to someone else: the next step is "reply").
NEXT_STEPS = ("sign", "assign", "reply", "close", "callback")


def next_action(ticket: Ticket) -> str | None:
    """The one button a queue row offers for the ticket's state."""
    for name in NEXT_STEPS:
        if (
            TICKET_TRANSITIONS.can(ticket, name)
            and TICKET_TRANSITIONS[name].target != ticket.status
        ):
            return name
    return None


ACTION_LABELS = {
    "sign": gettext_lazy("Sign"),
    "assign": pgettext_lazy("ticket", "Assign"),
    "reply": gettext_lazy("Reply"),
    "close": pgettext_lazy("ticket", "Close"),
    "callback": gettext_lazy("Call back"),
}


class TicketListView(ExcelExportMixin, ScopedFilterListView):
    """The clerk's queue: open tickets by urgency (overdue, due today, due soon, the rest),
    counts per state, filters and search; other states listed newest first. A fixed
    number of queries whatever the page size; keyset pages, no OFFSET, no row counts."""

    filterset_class = TicketFilterSet
    template_name = "petitions/ticket_list.html"
    paginate_by = None  # type: ignore[assignment]  # keyset pages, see get_context_data
    read_roles = DESK
    page_title = gettext_lazy("12345 tickets")
    use_for_list = True
    filter_fields = (
        "q",
        "status",
        "urgency",
        "category",
        "unit",
        "handler",
        "channel",
        "date_from",
        "date_to",
        "supervised",
        "callback_mismatch",
    )
    export_filename = "tickets"
    export_columns = columns(
        Ticket,
        "number",
        "received_at",
        "channel",
        "category.name",
        "unit.name",
        "handler.name",
        "status",
        ("round", 8),
        # masked in every export, whoever exports
        Column(gettext_lazy("Citizen"), lambda t: mask_name(t.citizen_name)),
        Column(gettext_lazy("Phone"), lambda t: mask_phone(t.citizen_phone)),
        ("location", 24),
        Column(gettext_lazy("Content"), "content", width=40),
        "close_due",
        "closed_at",
        Column(gettext_lazy("Closed on time"), "closed_on_time", width=10),
        Column(gettext_lazy("Reply"), "reply", width=40),
    )

    def export_queryset(self, queryset: TicketQuerySet) -> TicketQuerySet:
        return queryset.order_by("-received_at", "-pk")

    def is_queue(self) -> bool:
        status = self.request.GET.get("status", "")
        return status in ("", *OPEN_STATUSES)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        queryset = self.object_list
        after = self.request.GET.get("after", "")
        if self.is_queue():
            queryset = queryset.queue()
            queryset = _queue_after(queryset, after)
        else:
            queryset = queryset.order_by("-received_at", "-pk")
            queryset = _history_after(queryset, after)
        rows = list(queryset[: QUEUE_PAGE + 1])
        more = len(rows) > QUEUE_PAGE
        rows = rows[:QUEUE_PAGE]
        for ticket in rows:
            ticket.state = ticket.deadline_state(today)
            ticket.left = ticket.workdays_left(today)
            ticket.late = -ticket.left if ticket.left and ticket.left < 0 else 0
            ticket.action = next_action(ticket)
            ticket.action_label = ACTION_LABELS.get(ticket.action or "", "")
        query = self.request.GET.copy()
        query.pop("after", None)
        next_url = None
        if more and rows:
            last = rows[-1]
            key = (
                f"{last.next_due.isoformat()},{last.pk}"
                if self.is_queue() and last.next_due
                else f"{last.received_at.isoformat()},{last.pk}"
            )
            query["after"] = key
            next_url = "?" + query.urlencode()
        context.update(
            rows=rows,
            next_url=next_url,
            first_url="?" + self.request.GET.copy().urlencode() if after else None,
            counts=_counts(Ticket.objects.visible_to(self.request.user)),
            queue_mode=self.is_queue(),
            today=today,
            can_import=has_role(self.request.user, DESK),
        )
        if after:
            reset = self.request.GET.copy()
            reset.pop("after", None)
            context["first_url"] = "?" + reset.urlencode()
        return context


def _counts(queryset: TicketQuerySet) -> list[dict[str, object]]:
    """The header of the queue: each open state with its count; closed and returned as
    links to their lists, without a count over the whole history."""
    counts = queryset.state_counts()
    return [
        {"status": value, "label": label, "count": counts.get(value)}
        for value, label in TicketStatus.choices
    ]


_Key = TypeVar("_Key", dt.date, dt.datetime)


def _position(after: str, parse: Callable[[str], _Key]) -> tuple[_Key, int] | None:
    """A keyset page's ``value,id`` position; None when there is none (or it is garbled:
    the first page then)."""
    try:
        text, pk_text = after.rsplit(",", 1)
        return parse(text), int(pk_text)
    except ValueError:
        return None


def _queue_after(queryset: TicketQuerySet, after: str) -> TicketQuerySet:
    position = _position(after, dt.date.fromisoformat) if after else None
    return queryset.queue_after(*position) if position else queryset


def _history_after(queryset: TicketQuerySet, after: str) -> TicketQuerySet:
    position = _position(after, dt.datetime.fromisoformat) if after else None
    return queryset.history_before(*position) if position else queryset
