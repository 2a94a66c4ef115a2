"""The petitions app's metrics: tickets received, the closure, on-time, feedback and
satisfaction rates of the 12345 hotline, tickets reopened, consultations answered and
legislators' proposals answered (in all and by reply mode)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from brigade.core.kpi import declare, register
from brigade.core.kpi.records import describe_urls
from brigade.core.report import figures
from brigade.core.report.compute import flow_in_period, records
from brigade.core.report.figures import Facts, register_report
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


RECEIVED = declare.flow(Ticket, "received_at", NOT_RETURNED)
CLOSED = declare.flow(Ticket, "closed_at", Q(closed_at__isnull=False), cohort="received_at")
CLOSED_ON_TIME = declare.flow(
    Ticket, "closed_at", Q(closed_at__isnull=False) & ON_TIME, cohort="received_at"
)
REPLIED = declare.flow(
    Ticket, "replied_at", Q(replied_at__isnull=False) & NOT_RETURNED, cohort="received_at"
)
REOPENED = declare.flow(Ticket, "reopened_at", Q(reopened_at__isnull=False))
CALLBACKS_SATISFIED = declare.flow(TicketCallback, "at", SATISFIED)
CALLBACKS_ANSWERED = declare.flow(TicketCallback, "at", ANSWERED)
PROPOSALS_ANSWERED = declare.flow(Proposal, "replied_at", Q(replied_at__isnull=False))


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
    proposals_answered = declare.count(
        "petitions.proposals_answered",
        _("Proposals answered"),
        PROPOSALS_ANSWERED,
        _("proposals"),
        "Legislators' proposals answered, by the time of the answer.",
        tile=False,
    )
    register(
        declare.count(
            "petitions.received",
            _("12345 tickets received"),
            RECEIVED,
            _("tickets"),
            "Tickets received in the year to date (returned ones excluded).",
        ),
        declare.rate(
            "petitions.closure_rate",
            _("Closure rate"),
            CLOSED,
            RECEIVED,
            "Tickets of this year closed by the week's end / tickets received this year (办结率).",
        ),
        declare.rate(
            "petitions.on_time_rate",
            _("Closed on time"),
            CLOSED_ON_TIME,
            CLOSED,
            "Tickets closed on or before their closing deadline / tickets closed.",
            tile=False,
        ),
        declare.rate(
            "petitions.feedback_rate",
            _("Feedback rate"),
            REPLIED,
            RECEIVED,
            "Tickets of this year replied to by the week's end / tickets received this year "
            "(反馈率).",
            tile=False,
        ),
        declare.rate(
            "petitions.satisfaction_rate",
            _("Satisfaction rate"),
            CALLBACKS_SATISFIED,
            CALLBACKS_ANSWERED,
            "Callbacks satisfied or basically satisfied / callbacks with an answer, "
            "unreachable citizens excluded (满意率).",
        ),
        declare.count(
            "petitions.reopened",
            _("Tickets reopened"),
            REOPENED,
            _("tickets"),
            "Tickets sent back for another round (a dissatisfied callback or a commander's "
            "reopening), by the time of their last reopening.",
            tile=False,
        ),
        declare.count(
            "petitions.consultations",
            _("Questions answered"),
            declare.flow(Consultation, "at"),
            _("questions"),
            "Questions from the public answered by phone or in person.",
            tile=False,
        ),
        proposals_answered,
        declare.split_by(
            proposals_answered,
            "reply_mode",
            ReplyMode,
            "petitions.proposals_answered_by",
            _("Proposals answered by reply mode"),
            "The same answers, one figure per reply mode (in person, letter, phone).",
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
    records(
        "service",
        _("12345 tickets"),
        Ticket,
        "number received_at unit.name category.name status replied_at closed_at",
        rows=flow_in_period(RECEIVED, related=("unit", "category")),
        number=_("Number"),
        replied_at=_("Replied at"),
    ),
    records(
        "service",
        _("Questions answered"),
        Consultation,
        "at unit.name channel topic",
        topic=_("Topic"),
    ),
    records(
        "service",
        _("Proposals answered"),
        Proposal,
        "replied_at unit.name proposer title reply_mode",
        replied_at=_("Replied at"),
    ),
]


def register_report_figures() -> None:
    """The petitions' figures of the period report, their lists and the paragraph of their
    area."""
    proposals = pgettext_lazy("counted", "proposals")
    register_report(
        figures.count(
            12,
            "petitions.received",
            "service",
            _("12345 hotline tickets handled"),
            pgettext_lazy("counted", "tickets"),
        ),
        figures.count(
            13,
            "petitions.consultations",
            "service",
            _("Questions answered by phone or in person"),
            pgettext_lazy("counted", "questions"),
        ),
        figures.rate(14, "petitions.closure_rate", "service", _("Closure rate")),
        figures.rate(14, "petitions.feedback_rate", "service", _("Feedback rate")),
        figures.rate(14, "petitions.satisfaction_rate", "service", _("Satisfaction rate")),
        figures.count(
            15,
            "petitions.proposals_answered",
            "service",
            _("Legislators' proposals answered"),
            proposals,
        ),
        figures.count(
            15,
            "petitions.proposals_answered_in_person",
            "service",
            _("Proposals answered in person"),
            proposals,
            "petitions.proposals_answered_by.in_person",
        ),
        records=_RECORDS,
        paragraphs={"service": _paragraph},
    )
