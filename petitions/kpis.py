"""The petitions app's metrics: tickets received, the closure, on-time, feedback and
satisfaction rates of the 12345 hotline, tickets reopened, consultations answered and
legislators' proposals answered (in all and by reply mode)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from brigade.core.kpi import Flow, Metric, register
from brigade.core.kpi.records import describe
from petitions.choices import SATISFIED_RESULTS, CallbackResult, ReplyMode, TicketStatus
from petitions.models import Consultation, Proposal, Ticket, TicketCallback


def _received() -> Any:
    # A returned ticket (退单) was never the brigade's: it counts nowhere.
    return Ticket.objects.exclude(status=TicketStatus.RETURNED)


RECEIVED = Flow(source=_received, when="received_at")
CLOSED = Flow(
    source=lambda: Ticket.objects.filter(closed_at__isnull=False),
    when="closed_at",
    cohort="received_at",
)


def _reverser(name: str, attribute: str = "pk") -> Any:
    return lambda record: reverse(name, args=[getattr(record, attribute)])


def describe_records() -> None:
    """How the records behind the petitions' figures are linked in their lists."""
    describe(
        Ticket,
        page=_reverser("petitions:ticket_detail"),
        api=_reverser("petitions-api:ticket-detail"),
    )
    describe(
        TicketCallback,
        page=_reverser("petitions:ticket_detail", "ticket_id"),
        api=_reverser("petitions-api:ticket-detail", "ticket_id"),
        related=("ticket",),
    )
    describe(Consultation, api=_reverser("petitions-api:consultation-detail"))
    describe(
        Proposal,
        page=_reverser("petitions:proposal_detail"),
        api=_reverser("petitions-api:proposal-detail"),
    )


def register_metrics() -> None:
    from petitions.weekly import register_lists

    describe_records()
    register_lists()
    register(
        Metric(
            key="petitions.received",
            label=_("12345 tickets received"),
            description="Tickets received in the year to date (returned ones excluded).",
            numerator=RECEIVED,
            unit_label=_("tickets"),
            tile=True,
            order=10,
        ),
        Metric(
            key="petitions.closure_rate",
            label=_("Closure rate"),
            description="Tickets of this year closed by the week's end / tickets received "
            "this year (办结率).",
            numerator=CLOSED,
            denominator=RECEIVED,
            tile=True,
            order=20,
        ),
        Metric(
            key="petitions.on_time_rate",
            label=_("Closed on time"),
            description="Tickets closed on or before their closing deadline / tickets closed.",
            numerator=Flow(
                source=lambda: Ticket.objects.filter(closed_at__isnull=False, closed_on_time=True),
                when="closed_at",
                cohort="received_at",
            ),
            denominator=CLOSED,
            tile=False,
            order=30,
        ),
        Metric(
            key="petitions.feedback_rate",
            label=_("Feedback rate"),
            description="Tickets of this year replied to by the week's end / tickets "
            "received this year (反馈率).",
            numerator=Flow(
                source=lambda: Ticket.objects.filter(replied_at__isnull=False).exclude(
                    status=TicketStatus.RETURNED
                ),
                when="replied_at",
                cohort="received_at",
            ),
            denominator=RECEIVED,
            tile=False,
            order=40,
        ),
        Metric(
            key="petitions.satisfaction_rate",
            label=_("Satisfaction rate"),
            description="Callbacks satisfied or basically satisfied / callbacks with an "
            "answer, unreachable citizens excluded (满意率).",
            numerator=Flow(
                source=lambda: TicketCallback.objects.filter(result__in=SATISFIED_RESULTS),
                when="at",
            ),
            denominator=Flow(
                source=lambda: TicketCallback.objects.exclude(result=CallbackResult.UNREACHABLE),
                when="at",
            ),
            tile=True,
            order=50,
        ),
        Metric(
            key="petitions.reopened",
            label=_("Tickets reopened"),
            description="Tickets sent back for another round (a dissatisfied callback or a "
            "commander's reopening), by the time of their last reopening.",
            numerator=Flow(
                source=lambda: Ticket.objects.filter(reopened_at__isnull=False),
                when="reopened_at",
            ),
            unit_label=_("tickets"),
            tile=False,
            order=60,
        ),
        Metric(
            key="petitions.consultations",
            label=_("Questions answered"),
            description="Questions from the public answered by phone or in person.",
            numerator=Flow(source=lambda: Consultation.objects.all(), when="at"),
            unit_label=_("questions"),
            tile=False,
            order=70,
        ),
        Metric(
            key="petitions.proposals_answered",
            label=_("Proposals answered"),
            description="Legislators' proposals answered, by the time of the answer.",
            numerator=Flow(
                source=lambda: Proposal.objects.filter(replied_at__isnull=False),
                when="replied_at",
            ),
            unit_label=_("proposals"),
            tile=False,
            order=80,
        ),
        Metric(
            key="petitions.proposals_answered_by",
            label=_("Proposals answered by reply mode"),
            description="The same answers, one figure per reply mode (in person, letter, phone).",
            numerator=Flow(
                source=lambda: Proposal.objects.filter(replied_at__isnull=False),
                when="replied_at",
                split="reply_mode",
            ),
            parts=tuple((mode.value, mode.label) for mode in ReplyMode),
            unit_label=_("proposals"),
            tile=False,
            order=90,
        ),
    )
