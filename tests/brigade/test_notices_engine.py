"""The notices' engine: working hours, reminder days, who holds an item (leave, shifts),
reminders at each lead on a make-up Saturday (调休), a holiday and a normal day, mutes,
escalation (督办) at the hour boundary, and a fixed number of queries whatever the number
of people."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from brigade.core.notices import escalations, items, reminders
from brigade.core.notices.hours import hours_overdue, reminder_day, working_hours_between
from brigade.core.notices.models import Notice, NoticeKind, NoticeMute, NoticePreference
from brigade.core.notices.send import NoticeSpec, create_notices
from brigade.core.notices.tasks import escalate_overdue_task, send_reminders_task
from brigade.core.roles import Role
from brigade.duty.models import Leave
from petitions.models import Ticket
from tests.brigade.factories import OfficerFactory, ShiftFactory, UserFactory
from tests.brigade.notices_helpers import at, ticket_due
from tests.hazards.factories import AssignedHazardFactory

D = dt.date.fromisoformat
MONDAY = "2022-06-13"


# --- working hours -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # one working day: 08:30–12:00 and 13:30–17:30
        (at(MONDAY, "00:00"), at(MONDAY, "23:59"), 7.5),
        (at(MONDAY, "08:30"), at(MONDAY, "12:00"), 3.5),
        (at(MONDAY, "12:00"), at(MONDAY, "13:30"), 0.0),  # lunch
        (at(MONDAY, "11:00"), at(MONDAY, "14:00"), 1.5),
        (at(MONDAY, "17:00"), at("2022-06-14", "09:00"), 1.0),  # the night does not count
        (at("2022-06-17", "17:30"), at("2022-06-20", "08:30"), 0.0),  # a weekend
        (at("2022-09-30", "17:30"), at("2022-10-08", "09:30"), 1.0),  # 国庆, then 调休 Sat
        (at("2022-10-08", "09:00"), at("2022-10-08", "08:00"), 0.0),  # backwards
        (at("2022-06-13", "00:00"), at("2022-06-20", "00:00"), 37.5),  # five working days
    ],
)
def test_working_hours_between(start, end, hours):
    assert working_hours_between(start, end) == pytest.approx(hours)


def test_working_hours_over_years_cost_no_loop():
    assert working_hours_between(at("0001-01-02", "00:00"), at("9999-12-30", "00:00")) > 0
    assert hours_overdue(dt.date.max, at(MONDAY)) == 0


@pytest.mark.parametrize(
    ("due", "lead", "day"),
    [
        ("2022-06-13", 0, "2022-06-13"),  # Monday: the morning of the day
        ("2022-06-13", 1, "2022-06-10"),  # the working day before: Friday
        ("2022-10-08", 0, "2022-10-08"),  # a make-up Saturday is a working day
        ("2022-10-08", 1, "2022-09-30"),  # the week of 国庆 is off
        ("2022-10-09", 1, "2022-10-08"),
        ("2022-10-03", 0, "2022-09-30"),  # due on a holiday: the last working day before
        ("2022-10-03", 1, "2022-09-29"),
        ("2022-06-19", 0, "2022-06-17"),  # due on a Sunday: Friday
    ],
)
def test_reminder_day(due, lead, day):
    assert reminder_day(D(due), lead) == D(day)


# --- holders ----------------------------------------------------------------------------


def holders(day: str) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for row in items.collect(D(day)):
        found.setdefault(row.item_id, set()).add(row.user_id)
    return found


@pytest.mark.django_db
def test_the_handler_holds_a_ticket_the_clerks_one_without_handler(unit, officer, clerk, commander):
    mine = ticket_due(MONDAY, unit=unit, handler=officer.officer)
    free = ticket_due(MONDAY, unit=unit)
    assert holders(MONDAY) == {mine.pk: {officer.pk}, free.pk: {clerk.pk}}


@pytest.mark.django_db
def test_an_officer_on_leave_passes_items_to_the_clerks(unit, officer, clerk, commander):
    ticket = ticket_due(MONDAY, unit=unit, handler=officer.officer)
    Leave.objects.create(officer=officer.officer, starts_on=D("2022-06-13"), ends_on=D(MONDAY))
    assert holders(MONDAY) == {ticket.pk: {clerk.pk}}
    assert holders("2022-06-14") == {ticket.pk: {officer.pk}}  # back the next day


@pytest.mark.django_db
def test_an_officer_who_works_shifts_is_off_duty_on_a_day_without_one(
    unit, officer, clerk, commander
):
    ticket = ticket_due(MONDAY, unit=unit, handler=officer.officer)
    ShiftFactory(officer=officer.officer, starts_at=at("2022-06-10", "07:00"))
    assert holders(MONDAY) == {ticket.pk: {clerk.pk}}
    ShiftFactory(officer=officer.officer, starts_at=at(MONDAY, "07:00"))
    assert holders(MONDAY) == {ticket.pk: {officer.pk}}


@pytest.mark.django_db
def test_the_desk_off_duty_too_passes_items_up(unit, officer, clerk, commander, brigade_commander):
    ticket = ticket_due(MONDAY, unit=unit, handler=officer.officer)
    for user in (officer, clerk):
        Leave.objects.create(officer=user.officer, starts_on=D(MONDAY), ends_on=D(MONDAY))
    assert holders(MONDAY) == {ticket.pk: {commander.pk}}
    Leave.objects.create(officer=commander.officer, starts_on=D(MONDAY), ends_on=D(MONDAY))
    assert holders(MONDAY) == {ticket.pk: {brigade_commander.pk}}


@pytest.mark.django_db
def test_a_hazard_goes_to_the_units_commanders(unit, clerk, commander, brigade_commander):
    with time_machine.travel(at("2022-06-10"), tick=False):
        hazard = AssignedHazardFactory(unit=unit, deadline=D(MONDAY))
    assert holders(MONDAY) == {hazard.pk: {commander.pk}}


@pytest.mark.django_db
def test_a_leave_cannot_end_before_it_starts(officer):
    with pytest.raises(IntegrityError):
        Leave.objects.create(officer=officer.officer, starts_on=D(MONDAY), ends_on=D("2022-06-12"))


# --- reminders --------------------------------------------------------------------------


def remind(day: str, clock: str = "09:00") -> list[tuple[str, int, str]]:
    """Runs the hourly reminder task at that local time; the new reminders, as
    (username, ticket number or item id, key's lead)."""
    before = set(Notice.objects.values_list("pk", flat=True))
    with time_machine.travel(at(day, clock), tick=False):
        send_reminders_task()
    new = Notice.objects.exclude(pk__in=before).select_related("user")
    return sorted((n.user.username, n.item_id, n.key.rsplit(":", 1)[1]) for n in new)


@pytest.fixture
def desk(unit, officer, clerk, commander):
    return unit


@pytest.mark.django_db
def test_reminders_on_a_normal_day_at_each_lead(desk, officer):
    today = ticket_due(MONDAY, unit=desk, handler=officer.officer)
    tomorrow = ticket_due("2022-06-14", unit=desk, handler=officer.officer)
    ticket_due("2022-06-15", unit=desk, handler=officer.officer)  # not yet
    assert remind(MONDAY, "07:59") == []  # before the digest's hour
    assert remind(MONDAY) == [
        ("officer", today.pk, "lead0"),
        ("officer", tomorrow.pk, "lead1"),
    ]
    notice = Notice.objects.get(item_id=today.pk)
    assert (notice.kind, notice.action, notice.due) == (NoticeKind.REMINDER, "sign", D(MONDAY))
    assert notice.key == f"reminder:petitions.ticket:{today.pk}:sign:2022-06-13:lead0"
    assert notice.url == f"/petitions/tickets/{today.pk}/"
    assert today.number in notice.title
    # the hourly runs after that, and a second worker, write nothing new
    assert remind(MONDAY, "10:00") == []
    assert remind(MONDAY, "17:00") == []


@pytest.mark.django_db
def test_reminders_on_a_make_up_saturday(desk, officer):
    saturday = ticket_due("2022-10-08", unit=desk, handler=officer.officer)
    sunday = ticket_due("2022-10-09", unit=desk, handler=officer.officer)
    ticket_due("2022-10-10", unit=desk, handler=officer.officer)
    assert remind("2022-10-08") == [
        ("officer", saturday.pk, "lead0"),
        ("officer", sunday.pk, "lead1"),
    ]


@pytest.mark.django_db
def test_no_reminder_on_a_holiday_the_working_day_before_instead(desk, officer):
    holiday = ticket_due("2022-10-03", unit=desk, handler=officer.officer)
    assert remind("2022-10-03") == []
    assert remind("2022-09-29") == [("officer", holiday.pk, "lead1")]
    assert remind("2022-09-30") == [("officer", holiday.pk, "lead0")]


@pytest.mark.django_db
def test_a_moved_deadline_reminds_again(desk, officer):
    ticket = ticket_due(MONDAY, unit=desk, handler=officer.officer)
    assert remind(MONDAY) == [("officer", ticket.pk, "lead0")]
    Ticket.objects.filter(pk=ticket.pk).update(next_due=D("2022-06-14"))
    assert remind(MONDAY, "10:00") == [("officer", ticket.pk, "lead1")]


@pytest.mark.django_db
def test_mutes_and_the_reminders_preference_are_respected(desk, officer, clerk):
    muted_item = ticket_due(MONDAY, unit=desk, handler=officer.officer)
    kept = ticket_due(MONDAY, unit=desk, handler=officer.officer)
    desk_ticket = ticket_due(MONDAY, unit=desk)  # the clerk's
    NoticeMute.objects.create(
        user=officer,
        item_type=ContentType.objects.get_for_model(Ticket),
        item_id=muted_item.pk,
    )
    NoticePreference.objects.create(user=clerk, reminders=False)
    assert remind(MONDAY) == [("officer", kept.pk, "lead0")]
    NoticeMute.objects.create(user=officer, action="reply")
    Ticket.objects.filter(pk=kept.pk).update(status="signed", next_due=D("2022-06-14"))
    assert remind(MONDAY, "10:00") == []
    assert not Notice.objects.filter(item_id=desk_ticket.pk).exists()


@pytest.mark.django_db
def test_create_notices_writes_each_reason_once(officer):
    spec = NoticeSpec(user_id=officer.pk, kind=NoticeKind.SUPERVISION, key="x:1", title="t")
    first = create_notices([spec, spec])
    assert [n.key for n in first] == ["x:1"]
    assert create_notices([spec]) == []
    assert Notice.objects.count() == 1


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_number_of_people(unit, clerk, commander):
    def make(count: int) -> None:
        for _ in range(count):
            user = UserFactory(roles=[Role.OFFICER])
            person = OfficerFactory(user=user, unit=unit)
            ticket_due(MONDAY, unit=unit, handler=person)
            ticket_due("2022-06-14", unit=unit, handler=person)
            ShiftFactory(officer=person, starts_at=at(MONDAY, "07:00"))

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as collected:
            rows = items.collect(D(MONDAY))
        with (
            CaptureQueriesContext(connection) as sent,
            time_machine.travel(at(MONDAY), tick=False),
        ):
            created = reminders.send_reminders()
        assert len(created) == len({r.user_id for r in rows}) * 2
        Notice.objects.all().delete()
        return len(collected), len(sent)

    make(3)
    few = queries()
    make(30)
    many = queries()
    assert few == many
    assert few[0] <= 10  # seven sources, the desk, leaves, shifts


# --- escalation -------------------------------------------------------------------------


def escalate(day: str, clock: str) -> list[tuple[str, int]]:
    before = set(Notice.objects.values_list("pk", flat=True))
    with time_machine.travel(at(day, clock), tick=False):
        escalate_overdue_task()
    new = Notice.objects.exclude(pk__in=before).select_related("user")
    return sorted((n.user.username, n.level) for n in new)


@pytest.mark.django_db
def test_escalation_levels_at_the_hour_boundary(unit, officer, clerk, commander, brigade_commander):
    # due Monday: overdue from Tuesday 00:00; 7.5 working hours a day
    ticket = ticket_due(MONDAY, unit=unit, handler=officer.officer)
    ticket._history_user = clerk
    ticket.content = "已联系市民核实。"
    ticket.save()
    assert escalate("2022-06-15", "08:59") == []  # 7.98 working hours
    assert escalate("2022-06-15", "09:00") == [("commander", 1)]  # 8
    assert escalate("2022-06-17", "09:59") == []  # 23.98
    assert escalate("2022-06-17", "10:00") == [("brigade_commander", 2)]  # 24
    assert escalate("2022-06-20", "10:00") == []  # recorded once

    notice = Notice.objects.get(level=1)
    assert (notice.kind, notice.action, notice.item_id) == ("escalation", "sign", ticket.pk)
    assert notice.key == f"escalation:petitions.ticket:{ticket.pk}:sign:2022-06-13:level1"
    # the body carries who did what when
    assert "clerk" in notice.body
    assert "2022-06-13" in notice.body


@pytest.mark.django_db
def test_escalation_counts_make_up_days_and_skips_holidays(unit, commander, brigade_commander):
    ticket_due("2022-09-30", unit=unit)
    assert escalate("2022-10-07", "17:00") == []  # the whole 国庆 week off
    assert escalate("2022-10-09", "08:59") == []  # Saturday 10-08 worked: 7.5 + 0.48
    assert escalate("2022-10-09", "09:00") == [("commander", 1)]


@pytest.mark.django_db
def test_an_item_found_late_gets_every_level_at_once(unit, commander, brigade_commander):
    ticket_due("2022-05-02", unit=unit)
    assert escalate(MONDAY, "09:00") == [("brigade_commander", 2), ("commander", 1)]


@pytest.mark.django_db
def test_the_escalations_of_a_record_in_one_query(
    unit, commander, brigade_commander, django_assert_num_queries
):
    ticket = ticket_due("2022-05-02", unit=unit)
    other = ticket_due("2022-05-02", unit=unit)
    escalate(MONDAY, "09:00")
    ContentType.objects.get_for_model(Ticket)  # Django's cache, as on any page
    with django_assert_num_queries(1):
        found = list(escalations.for_item(ticket))
    assert sorted((n.user.username, n.level) for n in found) == [
        ("brigade_commander", 2),
        ("commander", 1),
    ]
    assert all(n.item_id == ticket.pk for n in found)
    assert escalations.for_item(other).count() == 2
