"""The weekly summary of the 12345 tickets (每周汇总): one ISO week (Asia/Shanghai), the
brigade or one unit, in a fixed number of queries whatever the number of tickets.

What the week's figures count (each the same events as the KPI engine's weekly flows of
the petitions metrics, so that both say the same for a week):

- received: tickets received in the week, returned ones (退单) left out (``petitions.received``);
- replied: tickets replied to in the week, returned ones left out (``feedback_rate``'s numerator);
- closed / closed on time: tickets closed in the week, and those of them closed on or
  before their deadline (``closure_rate``'s and ``on_time_rate``'s numerators);
- reopened: tickets whose last reopening fell in the week (``petitions.reopened``);
- satisfied / answered callbacks: callbacks of the week (``satisfaction_rate``).

And what only this page counts:

- returned: tickets returned to the platform in the week;
- overdue: tickets still open at the week's end (or now, for the current week) whose
  closing deadline had passed by then;
- closed of the received: the week's received tickets closed by the week's end (the
  week's own closure rate, of its cohort).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from brigade.kpi.weeks import week_bounds, week_key
from petitions.choices import SATISFIED_RESULTS, CallbackResult, TicketStatus
from petitions.models import Ticket, TicketCallback, TicketCategory, TicketExtension

# tickets listed per kind of notable ticket (all are counted)
LISTED = 50


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _percent(value: float | None) -> float | None:
    return None if value is None else value * 100


@dataclass
class Row:
    """The figures of one category (or of all: ``category`` None)."""

    category: TicketCategory | None
    received: int = 0
    replied: int = 0
    closed: int = 0
    closed_on_time: int = 0
    reopened: int = 0
    returned: int = 0
    overdue: int = 0
    received_closed: int = 0
    callbacks_satisfied: int = 0
    callbacks_answered: int = 0
    callbacks_dissatisfied: int = 0

    COUNTS = (
        "received",
        "replied",
        "closed",
        "closed_on_time",
        "reopened",
        "returned",
        "overdue",
        "received_closed",
        "callbacks_satisfied",
        "callbacks_answered",
        "callbacks_dissatisfied",
    )

    @property
    def closure_rate(self) -> float | None:
        """Of the week's received tickets, the share closed by the week's end."""
        return _ratio(self.received_closed, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.closed_on_time, self.closed)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.callbacks_satisfied, self.callbacks_answered)

    # as percentages, for the page
    @property
    def closure_pct(self) -> float | None:
        return _percent(self.closure_rate)

    @property
    def on_time_pct(self) -> float | None:
        return _percent(self.on_time_rate)

    @property
    def satisfaction_pct(self) -> float | None:
        return _percent(self.satisfaction_rate)

    def add(self, other: Row) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Notable:
    """Tickets of one kind worth a look, the first ``LISTED`` of them, and how many."""

    kind: str
    rows: list[Any]
    count: int

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


@dataclass
class WeeklySummary:
    monday: dt.date
    unit_id: int | None
    as_of: dt.datetime
    rows: list[Row]
    total: Row
    notable: dict[str, Notable] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return week_key(self.monday)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)


def _within(path: str, start: dt.datetime, end: dt.datetime) -> Q:
    return Q(**{f"{path}__gte": start, f"{path}__lt": end})


def _overdue_at(as_of: dt.datetime) -> Q:
    """Open at ``as_of`` (received, not closed nor returned by then) and past its closing
    deadline on that day."""
    day = timezone.localtime(as_of).date()
    return (
        Q(received_at__lt=as_of, close_due__lt=day)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=as_of))
        & (Q(returned_at__isnull=True) | Q(returned_at__gte=as_of))
    )


def weekly_summary(user: Any, monday: dt.date, unit_id: int | None = None) -> WeeklySummary:
    """The week of ``monday`` in ``user``'s scope (narrowed to ``unit_id`` if given)."""
    start, end = week_bounds(monday)
    as_of = min(end, timezone.now())
    tickets = Ticket.objects.visible_to(user)
    callbacks = TicketCallback.objects.visible_to(user)
    extensions = TicketExtension.objects.visible_to(user)
    if unit_id is not None:
        tickets = tickets.filter(unit_id=unit_id)
        callbacks = callbacks.filter(unit_id=unit_id)
        extensions = extensions.filter(ticket__unit_id=unit_id)

    not_returned = ~Q(status=TicketStatus.RETURNED)
    received = _within("received_at", start, end) & not_returned
    closed = _within("closed_at", start, end)
    overdue = _overdue_at(as_of)
    events = (
        received
        | closed
        | _within("replied_at", start, end)
        | _within("reopened_at", start, end)
        | _within("returned_at", start, end)
        | overdue
    )
    counts = (
        tickets.filter(events)
        .order_by()
        .values("category_id")
        .annotate(
            received=Count("pk", filter=received),
            replied=Count("pk", filter=_within("replied_at", start, end) & not_returned),
            closed=Count("pk", filter=closed),
            closed_on_time=Count("pk", filter=closed & Q(closed_on_time=True)),
            reopened=Count("pk", filter=_within("reopened_at", start, end)),
            returned=Count("pk", filter=_within("returned_at", start, end)),
            overdue=Count("pk", filter=overdue),
            received_closed=Count("pk", filter=received & Q(closed_at__lt=as_of)),
        )
    )
    answered = ~Q(result=CallbackResult.UNREACHABLE)
    callback_counts = (
        callbacks.filter(at__gte=start, at__lt=end)
        .order_by()
        .values("ticket__category_id")
        .annotate(
            callbacks_satisfied=Count("pk", filter=Q(result__in=SATISFIED_RESULTS)),
            callbacks_answered=Count("pk", filter=answered),
            callbacks_dissatisfied=Count("pk", filter=Q(result=CallbackResult.DISSATISFIED)),
        )
    )
    by_category: dict[int, Row] = {}
    for values in counts:
        row = by_category.setdefault(values["category_id"], Row(category=None))
        for name in ("received", "replied", "closed", "closed_on_time", "reopened"):
            setattr(row, name, values[name])
        row.returned, row.overdue = values["returned"], values["overdue"]
        row.received_closed = values["received_closed"]
    for values in callback_counts:
        row = by_category.setdefault(values["ticket__category_id"], Row(category=None))
        row.callbacks_satisfied = values["callbacks_satisfied"]
        row.callbacks_answered = values["callbacks_answered"]
        row.callbacks_dissatisfied = values["callbacks_dissatisfied"]
    names = TicketCategory.objects.in_bulk(list(by_category))
    rows = []
    total = Row(category=None)
    for pk, row in by_category.items():
        row.category = names.get(pk)
        rows.append(row)
        total.add(row)
    rows.sort(key=lambda r: (-r.received, r.category.code if r.category else ""))

    listed = tickets.select_related("category", "unit", "handler")
    summary = WeeklySummary(monday=monday, unit_id=unit_id, as_of=as_of, rows=rows, total=total)
    summary.notable = {
        "overdue": Notable(
            "overdue",
            list(listed.filter(overdue).order_by("close_due", "pk")[:LISTED]),
            total.overdue,
        ),
        # a dissatisfied callback reopens its ticket: both show here
        "reopened": Notable(
            "reopened",
            list(
                listed.filter(_within("reopened_at", start, end)).order_by("reopened_at", "pk")[
                    :LISTED
                ]
            ),
            total.reopened,
        ),
        "returned": Notable(
            "returned",
            list(
                listed.filter(_within("returned_at", start, end)).order_by("returned_at", "pk")[
                    :LISTED
                ]
            ),
            total.returned,
        ),
    }
    requested = extensions.filter(created_at__gte=start, created_at__lt=end)
    extension_rows = list(
        requested.select_related("ticket", "ticket__category", "ticket__unit").order_by(
            "created_at", "pk"
        )[: LISTED + 1]
    )
    summary.notable["extended"] = Notable(
        "extended",
        extension_rows[:LISTED],
        len(extension_rows) if len(extension_rows) <= LISTED else requested.count(),
    )
    return summary
