"""The petitions metrics through the KPI engine, against hand counts: received, closure,
on-time, feedback and satisfaction rates (year to date, by week end), reopened tickets,
consultations and proposals answered (in all and in person)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRollup
from brigade.core.kpi.weeks import parse_week, week_key, week_start
from petitions.choices import CallbackResult, ReplyMode, TicketStatus
from petitions.models import TicketCallback
from tests.petitions.factories import ConsultationFactory, ProposalFactory, TicketFactory

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]
SHANGHAI = ZoneInfo("Asia/Shanghai")
# a weekday mid-morning, in a week that ends in its own year: the tests pinned to it
# check change tracking, not the calendar (a week ending in the next year, as on 31
# December 2026, counts next year's year to date)
WEDNESDAY = dt.datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI)


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def figure(metric: str, week: str, scope: object = "brigade") -> tuple:
    scope = scope if scope == "brigade" else str(scope.pk)  # type: ignore[attr-defined]
    row = KpiRollup.objects.filter(metric=metric, week=parse_week(week), scope=scope).first()
    if row is None:
        return (Decimal(0), None)
    return (row.numerator, row.denominator)


def closed(unit, received, replied, closed_at, on_time=True, **extra):  # type: ignore[no-untyped-def]
    return TicketFactory(
        unit=unit,
        received_at=received,
        status=TicketStatus.CLOSED,
        replied_at=replied,
        closed_at=closed_at,
        closed_on_time=on_time,
        next_due=None,
        **extra,
    )


def callback(ticket, result, at):  # type: ignore[no-untyped-def]
    return TicketCallback.objects.create(
        ticket=ticket, unit=ticket.unit, round=1, result=result, at=at
    )


@pytest.fixture
def tickets(unit, other_unit):  # type: ignore[no-untyped-def]
    """By hand, in 2022 (week 10 = 7-13 Mar, week 11 = 14-20 Mar):

    - a: unit, received 7 Mar, replied 8 Mar, closed 9 Mar on time; satisfied 10 Mar
    - b: unit, received 8 Mar, replied 15 Mar, closed 16 Mar late; unreachable 17 Mar
    - c: other unit, received 9 Mar, replied 10 Mar, still open (replied)
    - d: unit, received 10 Mar, returned (not ours: counted nowhere)
    - e: unit, received 11 Mar, closed 14 Mar, basically satisfied 15 Mar
    - f: other unit, received 14 Mar, closed 18 Mar, dissatisfied 18 Mar, reopened 18 Mar
    - g: unit, received 28 Dec 2021, closed 5 Jan 2022 (last year's cohort)
    """
    a = closed(unit, local(2022, 3, 7, 9), local(2022, 3, 8, 9), local(2022, 3, 9, 9))
    b = closed(
        unit, local(2022, 3, 8, 9), local(2022, 3, 15, 9), local(2022, 3, 16, 9), on_time=False
    )
    c = TicketFactory(
        unit=other_unit,
        received_at=local(2022, 3, 9, 9),
        status=TicketStatus.REPLIED,
        replied_at=local(2022, 3, 10, 9),
    )
    TicketFactory(unit=unit, received_at=local(2022, 3, 10, 9), status=TicketStatus.RETURNED)
    e = closed(unit, local(2022, 3, 11, 9), local(2022, 3, 12, 9), local(2022, 3, 14, 9))
    f = TicketFactory(
        unit=other_unit,
        received_at=local(2022, 3, 14, 9),
        status=TicketStatus.HANDLING,
        round=2,
        reopened_at=local(2022, 3, 18, 12),
    )
    closed(unit, local(2021, 12, 28, 9), local(2022, 1, 4, 9), local(2022, 1, 5, 9))
    callback(a, CallbackResult.SATISFIED, local(2022, 3, 10, 9))
    callback(b, CallbackResult.UNREACHABLE, local(2022, 3, 17, 9))
    callback(e, CallbackResult.BASICALLY_SATISFIED, local(2022, 3, 15, 9))
    callback(f, CallbackResult.DISSATISFIED, local(2022, 3, 18, 11))
    return {"a": a, "b": b, "c": c, "e": e, "f": f}


def test_received_and_closure_rate(tickets, unit, other_unit):
    engine.recompute_all()
    # week 10: a, b, c, e received (d returned); a closed
    assert figure("petitions.received", "2022-W10") == (Decimal(4), None)
    assert figure("petitions.closure_rate", "2022-W10") == (Decimal(1), Decimal(4))
    # week 11: + f received; + b, e closed (g is last year's cohort)
    assert figure("petitions.received", "2022-W11") == (Decimal(5), None)
    assert figure("petitions.closure_rate", "2022-W11") == (Decimal(3), Decimal(5))
    assert figure("petitions.closure_rate", "2022-W11", unit) == (Decimal(3), Decimal(3))
    assert figure("petitions.closure_rate", "2022-W11", other_unit) == (Decimal(0), Decimal(2))


def test_on_time_and_feedback_rates(tickets):
    engine.recompute_all()
    # closed in 2022's cohort by week 11: a (on time), b (late), e (on time)
    assert figure("petitions.on_time_rate", "2022-W11") == (Decimal(2), Decimal(3))
    # replied by week 10's end: a, c, e; by week 11: + b
    assert figure("petitions.feedback_rate", "2022-W10") == (Decimal(3), Decimal(4))
    assert figure("petitions.feedback_rate", "2022-W11") == (Decimal(4), Decimal(5))


def test_satisfaction_rate_leaves_out_the_unreachable(tickets):
    engine.recompute_all()
    assert figure("petitions.satisfaction_rate", "2022-W10") == (Decimal(1), Decimal(1))
    # a satisfied, e basically satisfied, f dissatisfied; b unreachable left out
    assert figure("petitions.satisfaction_rate", "2022-W11") == (Decimal(2), Decimal(3))


def test_reopened(tickets, other_unit):
    engine.recompute_all()
    assert figure("petitions.reopened", "2022-W10") == (Decimal(0), None)
    assert figure("petitions.reopened", "2022-W11", other_unit) == (Decimal(1), None)


def test_consultations_and_proposals(unit):
    ConsultationFactory.create_batch(3, unit=unit, at=local(2022, 3, 8, 10))
    ConsultationFactory(unit=unit, at=local(2022, 3, 15, 10))
    ProposalFactory(
        unit=unit,
        received_on=dt.date(2022, 3, 1),
        reply_mode=ReplyMode.IN_PERSON,
        replied_at=local(2022, 3, 9, 10),
    )
    ProposalFactory(
        unit=unit,
        received_on=dt.date(2022, 3, 1),
        reply_mode=ReplyMode.LETTER,
        replied_at=local(2022, 3, 16, 10),
    )
    ProposalFactory(unit=unit, received_on=dt.date(2022, 3, 1))  # not answered yet
    engine.recompute_all()
    assert figure("petitions.consultations", "2022-W10") == (Decimal(3), None)
    assert figure("petitions.consultations", "2022-W11") == (Decimal(4), None)
    assert figure("petitions.proposals_answered", "2022-W11") == (Decimal(2), None)
    assert figure("petitions.proposals_answered_by.in_person", "2022-W11") == (Decimal(1), None)
    assert figure("petitions.proposals_answered_by.letter", "2022-W11") == (Decimal(1), None)


@time_machine.travel(WEDNESDAY, tick=True)
def test_a_close_through_the_service_recomputes_its_week(
    unit, clerk, django_capture_on_commit_callbacks
):
    from petitions import services
    from tests.brigade.factories import OfficerFactory

    # given a full computation with one open ticket
    ticket = TicketFactory(unit=unit)
    engine.recompute_all()
    # the week in the brigade's time (Asia/Shanghai), not in UTC
    week = week_key(week_start(timezone.localdate(ticket.received_at)))
    assert figure("petitions.closure_rate", week)[0] == 0
    # when it is worked and closed (the changes mark the week; the recompute runs)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_sign(ticket=ticket, by=clerk)
        services.ticket_assign(ticket=ticket, handler=OfficerFactory(unit=unit), by=clerk)
        services.ticket_reply(ticket=ticket, text="已处理", by=clerk)
        services.ticket_close(ticket=ticket, by=clerk)
    engine.recompute_dirty()
    # then
    assert figure("petitions.closure_rate", week) == (Decimal(1), Decimal(1))
