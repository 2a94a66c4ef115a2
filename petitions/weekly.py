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
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brigade.core.kpi.records import QuerysetRecords, register_list
from brigade.core.kpi.scopes import of_unit
from brigade.core.kpi.weeks import week_bounds, week_key
from brigade.core.typing import Visitor
from petitions.choices import CallbackResult
from petitions.kpis import (
    ANSWERED,
    CALLBACKS_ANSWERED,
    CLOSED,
    NOT_RETURNED,
    ON_TIME,
    RECEIVED,
    REOPENED,
    REPLIED,
    SATISFIED,
)
from petitions.models import Ticket, TicketCallback, TicketCategory, TicketExtension
from petitions.querysets import CallbackQuerySet, ExtensionQuerySet, TicketQuerySet

# tickets listed per kind of notable ticket (all are counted)
LISTED = 50


# What each figure of the week counts: the tickets (or callbacks) matching its condition,
# with the time of the event it counts. The counts and the lists behind them read these.
TICKET_FIGURES = (
    "received",
    "replied",
    "closed",
    "closed_on_time",
    "reopened",
    "returned",
    "overdue",
    "received_closed",
)
CALLBACK_FIGURES = ("callbacks_satisfied", "callbacks_answered", "callbacks_dissatisfied")


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
    # each figure's records page (filled in by ``link_rows``)
    links: dict[str, str] = field(default_factory=dict)

    COUNTS = (*TICKET_FIGURES, *CALLBACK_FIGURES)

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
    rows: list[Ticket] | list[TicketExtension]
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


# the time of the event each ticket figure counts: the metric's flow's, where it has one
WHEN = {
    "received": RECEIVED.when,
    "replied": REPLIED.when,
    "closed": CLOSED.when,
    "closed_on_time": CLOSED.when,
    "reopened": REOPENED.when,
    "returned": "returned_at",
    "overdue": "close_due",
    "received_closed": RECEIVED.when,
}


def _as_of(monday: dt.date) -> dt.datetime:
    """The week's end, or now for the current week."""
    return min(week_bounds(monday)[1], timezone.now())


def ticket_conditions(monday: dt.date) -> dict[str, Q]:
    """The condition of each ticket figure of the week: the events of the metrics' flows
    (their conditions, ``petitions.kpis``) whose time falls in the week."""
    start, end = week_bounds(monday)
    as_of = _as_of(monday)
    received = _within(RECEIVED.when, start, end) & NOT_RETURNED
    closed = _within(CLOSED.when, start, end)
    return {
        "received": received,
        "replied": _within(REPLIED.when, start, end) & NOT_RETURNED,
        "closed": closed,
        "closed_on_time": closed & ON_TIME,
        "reopened": _within(REOPENED.when, start, end),
        "returned": _within("returned_at", start, end),
        "overdue": _overdue_at(as_of),
        "received_closed": received & Q(closed_at__lt=as_of),
    }


def callback_conditions(monday: dt.date) -> dict[str, Q]:
    """The condition of each callback figure of the week (callbacks made in it)."""
    start, end = week_bounds(monday)
    week = _within(CALLBACKS_ANSWERED.when, start, end)
    return {
        "callbacks_satisfied": week & SATISFIED,
        "callbacks_answered": week & ANSWERED,
        "callbacks_dissatisfied": week & Q(result=CallbackResult.DISSATISFIED),
    }


def _scoped(
    user: Visitor, unit_id: int | None
) -> tuple[TicketQuerySet, CallbackQuerySet, ExtensionQuerySet]:
    return (
        of_unit(Ticket.objects.visible_to(user), unit_id),
        of_unit(TicketCallback.objects.visible_to(user), unit_id),
        of_unit(TicketExtension.objects.visible_to(user), unit_id, "ticket__unit_id"),
    )


def figure_records(
    user: Visitor, name: str, monday: dt.date, unit_id: int | None, category: str = ""
) -> QuerysetRecords:
    """The tickets (or callbacks) one figure of the week counts, of one category (its id)
    or all; KeyError for a figure the summary has not."""
    tickets, callbacks, _extensions = _scoped(user, unit_id)
    span = (monday, monday + dt.timedelta(days=6))
    if name in CALLBACK_FIGURES:
        calls = callbacks.filter(callback_conditions(monday)[name])
        if category:
            calls = calls.filter(ticket__category_id=int(category))
        return QuerysetRecords(calls, "at", "unit_id", *span)
    rows = tickets.filter(ticket_conditions(monday)[name])
    if category:
        rows = rows.filter(category_id=int(category))
    return QuerysetRecords(rows, WHEN[name], "unit_id", *span)


LABELS = {
    "received": _("Received"),
    "replied": _("Replied"),
    "closed": _("Closed"),
    "closed_on_time": _("Closed on time"),
    "reopened": _("Reopened"),
    "returned": _("Returned"),
    "overdue": _("Overdue at the week's end"),
    "received_closed": _("Received this week and closed by its end"),
    "callbacks_satisfied": _("Callbacks satisfied"),
    "callbacks_answered": _("Callbacks answered"),
    "callbacks_dissatisfied": _("Callbacks dissatisfied"),
}
LIST_PREFIX = "petitions.weekly."


def register_lists() -> None:
    """The weekly summary's figures, each listed on the records page like a metric's."""
    for name in (*TICKET_FIGURES, *CALLBACK_FIGURES):

        def build(
            user: Visitor, monday: dt.date, unit_id: int | None, part: str, name: str = name
        ) -> QuerysetRecords:
            return figure_records(user, name, monday, unit_id, part)

        register_list(f"{LIST_PREFIX}{name}", LABELS[name], build)


def records_link(
    name: str, monday: dt.date, unit_id: int | None, category: int | None = None
) -> str:
    """The records page of one figure of the week (of one category, or all)."""
    query: dict[str, str | int] = {"list": f"{LIST_PREFIX}{name}", "week": week_key(monday)}
    if unit_id is not None:
        query["unit"] = unit_id
    if category is not None:
        query["part"] = category
    return f"{reverse('dashboard_records')}?{urlencode(query)}"


def weekly_summary(user: Visitor, monday: dt.date, unit_id: int | None = None) -> WeeklySummary:
    """The week of ``monday`` in ``user``'s scope (narrowed to ``unit_id`` if given)."""
    start, end = week_bounds(monday)
    as_of = _as_of(monday)
    tickets, callbacks, extensions = _scoped(user, unit_id)
    figures = ticket_conditions(monday)
    events = Q()
    for condition in figures.values():
        events |= condition
    counts = (
        tickets.filter(events)
        .order_by()
        .values("category_id")
        .annotate(**{name: Count("pk", filter=figures[name]) for name in TICKET_FIGURES})
    )
    callback_figures = callback_conditions(monday)
    callback_counts = (
        callbacks.filter(_within(CALLBACKS_ANSWERED.when, start, end))
        .order_by()
        .values("ticket__category_id")
        .annotate(**{name: Count("pk", filter=callback_figures[name]) for name in CALLBACK_FIGURES})
    )
    overdue = figures["overdue"]
    by_category: dict[int, Row] = {}
    for values in counts:
        row = by_category.setdefault(values["category_id"], Row(category=None))
        for name in TICKET_FIGURES:
            setattr(row, name, values[name])
    for values in callback_counts:
        row = by_category.setdefault(values["ticket__category_id"], Row(category=None))
        for name in CALLBACK_FIGURES:
            setattr(row, name, values[name])
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
            list(listed.filter(figures["reopened"]).order_by("reopened_at", "pk")[:LISTED]),
            total.reopened,
        ),
        "returned": Notable(
            "returned",
            list(listed.filter(figures["returned"]).order_by("returned_at", "pk")[:LISTED]),
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


def link_rows(summary: WeeklySummary) -> None:
    """Give every figure of the summary (each category's and the total's) its records page."""
    for row in [*summary.rows, summary.total]:
        category = (
            row.category.pk if row.category is not None and row is not summary.total else None
        )
        if row is not summary.total and category is None:
            continue  # tickets without a category: counted in the total, listed there
        row.links = {
            name: records_link(name, summary.monday, summary.unit_id, category)
            for name in (*TICKET_FIGURES, *CALLBACK_FIGURES)
        }
