"""The petitions app's metrics: tickets received, the closure, on-time, feedback and
satisfaction rates of the 12345 hotline, tickets reopened, consultations answered and
legislators' proposals answered (in all and by reply mode)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from brigade.core.kpi import Flow, Metric, register
from brigade.core.kpi.declare import choice_parts
from brigade.core.kpi.records import describe_urls
from brigade.core.report.columns import columns
from brigade.core.report.compute import flow_in_period, in_period
from brigade.core.report.figures import Facts, Figure, M, Records, rate, register_report
from petitions.choices import SATISFIED_RESULTS, CallbackResult, ReplyMode, TicketStatus
from petitions.models import Consultation, Proposal, Ticket, TicketCallback

# What the petitions' figures count, stated once: the metrics' flows below filter with
# these conditions and the weekly summary (``petitions.weekly``) counts a week with them.

# A returned ticket (退单) was never the brigade's: it counts nowhere.
NOT_RETURNED = ~Q(status=TicketStatus.RETURNED)
# of the tickets closed, those closed on or before their closing deadline
ON_TIME = Q(closed_on_time=True)
# of the callbacks: the citizen satisfied or basically satisfied; reached at all
SATISFIED = Q(result__in=SATISFIED_RESULTS)
ANSWERED = ~Q(result=CallbackResult.UNREACHABLE)


def _received() -> Any:
    return Ticket.objects.filter(NOT_RETURNED)


RECEIVED = Flow(source=_received, when="received_at")
CLOSED = Flow(
    source=lambda: Ticket.objects.filter(closed_at__isnull=False),
    when="closed_at",
    cohort="received_at",
)
CLOSED_ON_TIME = Flow(
    source=lambda: Ticket.objects.filter(Q(closed_at__isnull=False) & ON_TIME),
    when="closed_at",
    cohort="received_at",
)
REPLIED = Flow(
    source=lambda: Ticket.objects.filter(replied_at__isnull=False).filter(NOT_RETURNED),
    when="replied_at",
    cohort="received_at",
)
REOPENED = Flow(source=lambda: Ticket.objects.filter(reopened_at__isnull=False), when="reopened_at")
CALLBACKS_SATISFIED = Flow(source=lambda: TicketCallback.objects.filter(SATISFIED), when="at")
CALLBACKS_ANSWERED = Flow(source=lambda: TicketCallback.objects.filter(ANSWERED), when="at")


def describe_records() -> None:
    """How the records behind the petitions' figures are linked in their lists."""
    ticket = ("petitions:ticket_detail", "ticket_id")
    ticket_api = ("petitions-api:ticket-detail", "ticket_id")
    describe_urls(Ticket, "petitions:ticket_detail", "petitions-api:ticket-detail")
    describe_urls(TicketCallback, ticket, ticket_api, related=("ticket",))
    describe_urls(Consultation, None, "petitions-api:consultation-detail")
    describe_urls(Proposal, "petitions:proposal_detail", "petitions-api:proposal-detail")


def register_metrics() -> None:
    describe_records()
    register_report_figures()
    register(
        Metric(
            key="petitions.received",
            label=_("12345 tickets received"),
            description="Tickets received in the year to date (returned ones excluded).",
            numerator=RECEIVED,
            unit_label=_("tickets"),
            tile=True,
        ),
        Metric(
            key="petitions.closure_rate",
            label=_("Closure rate"),
            description="Tickets of this year closed by the week's end / tickets received "
            "this year (办结率).",
            numerator=CLOSED,
            denominator=RECEIVED,
            tile=True,
        ),
        Metric(
            key="petitions.on_time_rate",
            label=_("Closed on time"),
            description="Tickets closed on or before their closing deadline / tickets closed.",
            numerator=CLOSED_ON_TIME,
            denominator=CLOSED,
            tile=False,
        ),
        Metric(
            key="petitions.feedback_rate",
            label=_("Feedback rate"),
            description="Tickets of this year replied to by the week's end / tickets "
            "received this year (反馈率).",
            numerator=REPLIED,
            denominator=RECEIVED,
            tile=False,
        ),
        Metric(
            key="petitions.satisfaction_rate",
            label=_("Satisfaction rate"),
            description="Callbacks satisfied or basically satisfied / callbacks with an "
            "answer, unreachable citizens excluded (满意率).",
            numerator=CALLBACKS_SATISFIED,
            denominator=CALLBACKS_ANSWERED,
            tile=True,
        ),
        Metric(
            key="petitions.reopened",
            label=_("Tickets reopened"),
            description="Tickets sent back for another round (a dissatisfied callback or a "
            "commander's reopening), by the time of their last reopening.",
            numerator=REOPENED,
            unit_label=_("tickets"),
            tile=False,
        ),
        Metric(
            key="petitions.consultations",
            label=_("Questions answered"),
            description="Questions from the public answered by phone or in person.",
            numerator=Flow(source=lambda: Consultation.objects.all(), when="at"),
            unit_label=_("questions"),
            tile=False,
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
            parts=choice_parts(ReplyMode),
            unit_label=_("proposals"),
            tile=False,
        ),
    )


# --- the period report: rows 12-15 -----------------------------------------------------------


def _paragraph(facts: Facts) -> str:
    """The "serving the public" paragraph: the public's voice, and (by their keys) the
    outreach figures of the same area, in one sentence of the report."""
    return gettext(
        "The brigade handled %(tickets)s 12345 hotline tickets, with a closure rate of "
        "%(closure)s, a feedback rate of %(feedback)s and a satisfaction rate of "
        "%(satisfaction)s, and answered %(questions)s questions by phone or in person. "
        "It answered %(proposals)s legislators' proposals, %(in_person)s of them in "
        "person. It received %(banners)s commendation banners, helped the public "
        "%(assistance)s times, and runs %(stations)s love stations."
    ) % {
        "tickets": facts.value("petitions.received"),
        "closure": facts.value("petitions.closure_rate"),
        "feedback": facts.value("petitions.feedback_rate"),
        "satisfaction": facts.value("petitions.satisfaction_rate"),
        "questions": facts.value("petitions.consultations"),
        "proposals": facts.value("petitions.proposals_answered"),
        "in_person": facts.value("petitions.proposals_answered_in_person"),
        "banners": facts.value("outreach.banners"),
        "assistance": facts.value("outreach.assistance"),
        "stations": facts.value("outreach.love_stations"),
    }


_RECORDS = [
    Records(
        "service",
        _("12345 tickets"),
        flow_in_period(RECEIVED, related=("unit", "category")),
        columns(
            Ticket,
            "number received_at unit.name category.name status replied_at closed_at",
            number=_("Number"),
            replied_at=_("Replied at"),
        ),
    ),
    Records(
        "service",
        _("Questions answered"),
        in_period(Consultation.objects.all, "at"),
        columns(Consultation, "at unit.name channel topic", topic=_("Topic")),
    ),
    Records(
        "service",
        _("Proposals answered"),
        in_period(Proposal.objects.all, "replied_at"),
        columns(
            Proposal, "replied_at unit.name proposer title reply_mode", replied_at=_("Replied at")
        ),
    ),
]


def register_report_figures() -> None:
    """The petitions' figures of the period report, their lists and the paragraph of their
    area."""
    proposals = pgettext_lazy("counted", "proposals")
    register_report(
        Figure(
            12,
            "petitions.received",
            "service",
            _("12345 hotline tickets handled"),
            M("petitions.received"),
            unit_label=pgettext_lazy("counted", "tickets"),
        ),
        Figure(
            13,
            "petitions.consultations",
            "service",
            _("Questions answered by phone or in person"),
            M("petitions.consultations"),
            unit_label=pgettext_lazy("counted", "questions"),
        ),
        rate(14, "petitions.closure_rate", "service", _("Closure rate")),
        rate(14, "petitions.feedback_rate", "service", _("Feedback rate")),
        rate(14, "petitions.satisfaction_rate", "service", _("Satisfaction rate")),
        Figure(
            15,
            "petitions.proposals_answered",
            "service",
            _("Legislators' proposals answered"),
            M("petitions.proposals_answered"),
            unit_label=proposals,
        ),
        Figure(
            15,
            "petitions.proposals_answered_in_person",
            "service",
            _("Proposals answered in person"),
            M("petitions.proposals_answered_by.in_person"),
            unit_label=proposals,
        ),
        records=_RECORDS,
        paragraphs={"service": _paragraph},
    )
