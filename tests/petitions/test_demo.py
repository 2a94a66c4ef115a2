"""The petitions demo reproduces FIGURES.md rows 12-15 through the KPI engine, and a
second run writes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.utils import timezone

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRollup
from brigade.core.kpi.weeks import parse_week
from brigade.duty import demo as brigade_demo
from petitions import demo
from petitions.choices import SATISFIED_RESULTS, TicketStatus
from petitions.models import Consultation, Proposal, Ticket, TicketCallback, TicketReply

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

HALF_YEAR_END = "2022-W26"  # the week of 30 June


def _context() -> brigade_demo.DemoContext:
    context = brigade_demo.DemoContext(stdout=StringIO())
    context.units = brigade_demo.seed_units()
    context.officers = brigade_demo.seed_officers(context.units)
    return context


def figure(metric: str, week: str = HALF_YEAR_END) -> tuple:
    row = KpiRollup.objects.get(metric=metric, week=parse_week(week), scope="brigade")
    return row.numerator, row.denominator


def test_demo_reproduces_rows_12_to_15(settings):
    settings.DEMO_PASSWORD = "demo-pass-1"
    context = _context()
    brigade_demo.seed_users(context)
    demo.seed(context)
    engine.recompute_all()
    # row 12: 1,620 tickets of the half year
    assert figure("petitions.received") == (1620, None)
    half = Ticket.objects.filter(received_at__year=2022)
    assert half.count() == 1620
    # row 14: closure, feedback, satisfaction all 100%
    assert figure("petitions.closure_rate") == (1620, 1620)
    assert figure("petitions.feedback_rate") == (1620, 1620)
    assert figure("petitions.satisfaction_rate") == (1620, 1620)
    assert not half.exclude(status=TicketStatus.CLOSED).exists()
    assert not half.filter(closed_at__date__gt=dt.date(2022, 6, 30)).exists()
    assert TicketReply.objects.filter(ticket__in=half).count() == 1620
    assert TicketCallback.objects.exclude(result__in=SATISFIED_RESULTS).count() == 0
    # row 13: 592 questions answered
    assert figure("petitions.consultations") == (592, None)
    assert Consultation.objects.count() == 592
    # row 15: 5 proposals answered in person
    assert figure("petitions.proposals_answered_by.in_person") == (5, None)
    assert Proposal.objects.filter(reply_mode="in_person").count() == 5
    # spread over categories, squadrons, handlers, channels and the months
    assert half.values("category").distinct().count() == 8
    assert half.values("unit").distinct().count() == 3
    assert half.values("handler").distinct().count() >= 15
    assert half.values("channel").distinct().count() == 5
    assert {t.month for t in half.dates("received_at", "month")} == {1, 2, 3, 4, 5, 6}
    # the clerk's queue has work now
    assert Ticket.objects.open().filter(number__startswith="DEMO").count() == 12
    # and three received lately, due today or the next working day (demo.seed_due_now)
    assert Ticket.objects.open().filter(number__startswith="NOW").count() == 3
    assert Ticket.objects.overdue(timezone.localdate()).exists()


def test_second_run_writes_nothing(settings):
    settings.DEMO_PASSWORD = "demo-pass-1"
    demo.seed(_context())
    counts = (
        Ticket.objects.count(),
        Ticket.history.count(),
        TicketReply.objects.count(),
        TicketCallback.objects.count(),
        Consultation.history.count(),
        Proposal.history.count(),
    )
    demo.seed(_context())
    assert counts == (
        Ticket.objects.count(),
        Ticket.history.count(),
        TicketReply.objects.count(),
        TicketCallback.objects.count(),
        Consultation.history.count(),
        Proposal.history.count(),
    )
