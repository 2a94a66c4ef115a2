"""The due items each app registers: every source lists exactly the open items a direct
count of its records finds, with the unit, the deadline, the holder and whether overdue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from brigade.core.notices.items import collect
from brigade.core.notices.registry import notice_sources
from hazards.choices import HazardStatus
from hazards.models import Hazard
from incidents.choices import AdvanceStatus
from incidents.models import FundAdvance
from petitions.choices import TicketStatus
from petitions.models import Ticket
from tests.brigade.notices_helpers import at, ticket_due
from tests.hazards.factories import AssignedHazardFactory, HazardFactory, RectifiedHazardFactory
from tests.incidents.factories import FundAdvanceFactory

DAY = dt.date(2022, 6, 15)  # a Wednesday
UNTIL = dt.date(2022, 6, 17)


def rows(key: str, day: dt.date = DAY, until: dt.date = UNTIL) -> list[dict]:
    return sorted(notice_sources.get(key).rows(day, until), key=lambda r: r["item_id"])


def test_every_due_item_has_a_source():
    assert [s.key for s in notice_sources] == [
        "hazards.hazard:rectify",
        "hazards.hazard:verify",
        "incidents.fundadvance:approve",
        "incidents.fundadvance:recover",
        "petitions.ticket:close",
        "petitions.ticket:reply",
        "petitions.ticket:sign",
    ]


@pytest.mark.django_db
def test_ticket_sources_match_a_direct_count(unit, officer):
    # given tickets in every state, due before, on, within and after the window
    for status in TicketStatus.values:
        for due in ("2022-06-10", "2022-06-15", "2022-06-17", "2022-06-20"):
            ticket_due(due, status=status, unit=unit, handler=officer.officer)
    Ticket.objects.filter(status__in=[TicketStatus.CLOSED, TicketStatus.RETURNED]).update(
        next_due=None
    )
    # then each action lists the open tickets of its states due by the window's end
    for action, states in (
        ("sign", [TicketStatus.RECEIVED]),
        ("reply", [TicketStatus.SIGNED, TicketStatus.HANDLING]),
        ("close", [TicketStatus.REPLIED]),
    ):
        found = rows(f"petitions.ticket:{action}")
        expected = Ticket.objects.filter(status__in=states, next_due__lte=UNTIL)
        assert len(found) == expected.count() == 3 * len(states)
        assert {r["item_id"] for r in found} == set(expected.values_list("pk", flat=True))
        assert sum(r["overdue"] for r in found) == expected.filter(next_due__lt=DAY).count()
        assert {r["holder_id"] for r in found} == {officer.pk}
        assert {r["unit_id"] for r in found} == {unit.pk}
    ticket = Ticket.objects.get(status=TicketStatus.RECEIVED, next_due=DAY)
    assert ticket.number in next(
        r["title"] for r in rows("petitions.ticket:sign") if r["item_id"] == ticket.pk
    )


@pytest.mark.django_db
def test_a_ticket_without_an_active_handler_has_no_holder(unit, officer):
    free = ticket_due("2022-06-15", unit=unit)
    gone = ticket_due("2022-06-15", unit=unit, handler=officer.officer)
    officer.officer.is_active = False
    officer.officer.save()
    assert {r["item_id"]: r["holder_id"] for r in rows("petitions.ticket:sign")} == {
        free.pk: None,
        gone.pk: None,
    }


@pytest.mark.django_db
def test_hazard_sources_match_a_direct_count(unit):
    with time_machine.travel(at("2022-06-14", "10:00"), tick=False):
        for deadline in (dt.date(2022, 6, 1), DAY, UNTIL, dt.date(2022, 7, 1)):
            AssignedHazardFactory(unit=unit, deadline=deadline)
            AssignedHazardFactory(unit=unit, deadline=deadline, status=HazardStatus.RECTIFYING)
            AssignedHazardFactory(unit=unit, deadline=deadline, status=HazardStatus.VERIFIED)
            RectifiedHazardFactory(unit=unit, deadline=deadline)
        HazardFactory(unit=unit)  # reported: no deadline yet
    with time_machine.travel(at("2022-06-16", "10:00"), tick=False):
        late_check = RectifiedHazardFactory(unit=unit, deadline=UNTIL)

    rectify = rows("hazards.hazard:rectify")
    expected = Hazard.objects.filter(
        status__in=[HazardStatus.ASSIGNED, HazardStatus.RECTIFYING], deadline__lte=UNTIL
    )
    assert len(rectify) == expected.count() == 6
    assert sum(r["overdue"] for r in rectify) == expected.filter(deadline__lt=DAY).count() == 2
    assert {r["holder_id"] for r in rectify} == {None}  # a responsible party is a name

    # a check is due the day the rectification was recorded
    verify = rows("hazards.hazard:verify")
    assert len(verify) == Hazard.objects.filter(status=HazardStatus.RECTIFIED).count() == 5
    assert {r["due"] for r in verify} == {dt.date(2022, 6, 14), dt.date(2022, 6, 16)}
    assert [r["item_id"] for r in verify if not r["overdue"]] == [late_check.pk]


@pytest.mark.django_db
def test_fund_sources_match_a_direct_count(unit):
    with time_machine.travel(at("2022-06-14", "10:00"), tick=False):
        requested = [FundAdvanceFactory(accident__unit=unit) for _ in range(3)]
        FundAdvanceFactory(accident__unit=unit, status=AdvanceStatus.APPROVED)
        for due in (dt.date(2022, 5, 1), DAY, dt.date(2022, 6, 29), dt.date(2022, 6, 30)):
            FundAdvanceFactory(
                accident__unit=unit,
                status=AdvanceStatus.PAID,
                paid_at=at("2022-04-01"),
                recovery_due=due,
            )
        FundAdvanceFactory(
            accident__unit=unit,
            status=AdvanceStatus.PAID,
            paid_at=at("2022-04-01"),
            recovery_due=dt.date(2022, 5, 1),
            amount_recovered=Decimal("10000.00"),  # all recovered: nothing due
        )

    approve = rows("incidents.fundadvance:approve")
    assert [r["item_id"] for r in approve] == [a.pk for a in requested]
    assert {(r["due"], r["overdue"], r["unit_id"]) for r in approve} == {
        (dt.date(2022, 6, 14), True, unit.pk)
    }
    # recoveries past or within the fund's 14 warning days (to 2022-06-29) are due
    recover = rows("incidents.fundadvance:recover")
    expected = FundAdvance.objects.recovery_warnings(DAY)
    assert {r["item_id"] for r in recover} == set(expected.values_list("pk", flat=True))
    assert len(recover) == 3
    assert sum(r["overdue"] for r in recover) == 1


@pytest.mark.django_db
def test_collect_links_each_item_to_its_page(unit, officer, commander):
    ticket = ticket_due("2022-06-15", unit=unit, handler=officer.officer)
    with time_machine.travel(at("2022-06-14", "10:00"), tick=False):
        hazard = AssignedHazardFactory(unit=unit, deadline=DAY)
        advance = FundAdvanceFactory(accident__unit=unit)
    urls = {(r.model, r.item_id): r.url for r in collect(DAY, horizon=UNTIL)}
    assert urls == {
        ("petitions.ticket", ticket.pk): f"/petitions/tickets/{ticket.pk}/",
        ("hazards.hazard", hazard.pk): f"/hazards/{hazard.pk}/",
        ("incidents.fundadvance", advance.pk): f"/incidents/fund/{advance.pk}/",
    }
