"""The one date window (brigade/core/dates.py): every date sent by a page, the API or an import
lies between BRIGADE_EPOCH (2000-01-01) and today for what has happened, a year ahead for
deadlines; legacy rows outside it still open quickly and are listed by check_dates."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Min
from django.urls import reverse
from django.utils import translation
from rest_framework import serializers

from brigade.core import calendar, dates
from brigade.core.api.fields import _WindowMixin
from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiFlow, KpiWeek
from brigade.core.kpi.weeks import local_date, week_key, week_range, week_start
from hazards.models import Hazard
from outreach.models import PublicityEvent
from petitions import deadlines
from petitions.models import Ticket, TicketExtension
from tests.hazards.factories import HazardFactory
from tests.petitions.factories import TicketCategoryFactory, TicketFactory
from tests.petitions.test_import import csv_file

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVENTS = "/api/v1/outreach/events/"
SERIALIZER_MODULES = [
    "brigade.duty.api.serializers",
    "hazards.api.serializers",
    "incidents.api.serializers",
    "petitions.api.serializers",
    "outreach.api.serializers",
]
# Monday 7 December 2026, 00:30 in Shanghai: still Sunday 6 December in UTC.
MONDAY_0030_LOCAL = dt.datetime(2026, 12, 7, 0, 30, tzinfo=SHANGHAI)
# 31 December 2026, 23:30 in Shanghai.
NEW_YEARS_EVE = dt.datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI)


def _event(officer_user, **changes):
    body = {
        "held_on": "2022-05-10",
        "venue_kind": "school",
        "venue_name": "实验小学",
        "topic": "交通安全第一课",
        "officers": [officer_user.officer.pk],
        "audience": 600,
        "consultations": 40,
        "materials": 300,
    }
    body.update(changes)
    return body


# --- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clock",
    [
        MONDAY_0030_LOCAL,
        dt.datetime(2026, 12, 7, 0, 30, tzinfo=dt.UTC),  # Monday 08:30 in Shanghai
        dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC),  # Sunday in UTC, Monday 07:30 here
    ],
)
def test_the_window_is_the_local_date_not_utc(clock):
    with time_machine.travel(clock, tick=False):
        assert dates.today() == dt.date(2026, 12, 7)
        assert dates.in_window(dt.date(2026, 12, 7), dates.HAPPENED)
        assert not dates.in_window(dt.date(2026, 12, 8), dates.HAPPENED)
        assert dates.bounds(dates.PLANNED) == (dt.date(2000, 1, 1), dt.date(2027, 12, 7))


def test_a_year_ahead_from_31_december_and_29_february():
    with time_machine.travel(NEW_YEARS_EVE, tick=False):
        assert dates.in_window(dt.date(2027, 12, 31), dates.PLANNED)
        assert not dates.in_window(dt.date(2028, 1, 1), dates.PLANNED)
    assert dates.one_year_after(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


def test_the_start_follows_the_setting(settings):
    settings.BRIGADE_EPOCH = dt.date(2010, 1, 1)
    assert not dates.in_window(dt.date(2009, 12, 31), dates.HAPPENED)
    assert dates.in_window(dt.datetime(2010, 1, 1, 0, 0, tzinfo=SHANGHAI), dates.HAPPENED)
    assert not dates.in_window(dt.datetime(2009, 12, 31, 23, 59, tzinfo=SHANGHAI), dates.HAPPENED)


# --- the API ------------------------------------------------------------------------------


@pytest.mark.parametrize("held_on", ["0001-01-01", "9999-12-31", "1999-12-31", "2026-12-08"])
def test_api_refuses_an_event_outside_the_window(api_as, officer, held_on):
    with time_machine.travel(MONDAY_0030_LOCAL, tick=False):
        response = api_as(officer).post(EVENTS, _event(officer, held_on=held_on), format="json")
    assert response.status_code == 400
    message = " ".join(response.json()["held_on"])
    assert "2000-01-01" in message and "2026-12-07" in message
    assert not PublicityEvent.objects.exists()


@pytest.mark.parametrize("held_on", ["2000-01-01", "2026-12-07"])
def test_api_takes_the_boundary_days(api_as, officer, held_on):
    with time_machine.travel(MONDAY_0030_LOCAL, tick=False):
        response = api_as(officer).post(EVENTS, _event(officer, held_on=held_on), format="json")
    assert response.status_code == 201, response.json()
    assert PublicityEvent.objects.get().held_on.isoformat() == held_on


@pytest.mark.parametrize(
    "received_at", ["0001-01-03T09:00:00+08:00", "9999-12-31T09:00:00+08:00", "2026-12-08T09:00"]
)
def test_api_refuses_a_ticket_received_outside_the_window(api_as, clerk, unit, received_at):
    category = TicketCategoryFactory()
    with time_machine.travel(MONDAY_0030_LOCAL, tick=False):
        response = api_as(clerk).post(
            reverse("petitions-api:ticket-list"),
            {
                "number": "2026120700001",
                "received_at": received_at,
                "category": category.pk,
                "unit": unit.pk,
                "content": "路口信号灯故障",
            },
            format="json",
        )
    assert response.status_code == 400
    assert "2000-01-01" in " ".join(response.json()["received_at"])
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(("deadline", "status"), [("9999-12-31", 400), ("2027-12-07", 200)])
def test_hazard_assign_deadline_at_most_a_year_ahead(api_as, commander, unit, deadline, status):
    hazard = HazardFactory(unit=unit)
    with time_machine.travel(MONDAY_0030_LOCAL, tick=False):
        response = api_as(commander).post(
            f"/api/v1/hazards/hazards/{hazard.pk}/assign/",
            {"responsible_party": "市政养护处", "deadline": deadline},
            format="json",
        )
    assert response.status_code == status, response.json()
    hazard.refresh_from_db()
    if status == 400:
        assert "2027-12-07" in " ".join(response.json()["deadline"])
        assert hazard.status == "reported" and hazard.deadline is None
    else:
        assert hazard.deadline == dt.date(2027, 12, 7)


def test_an_extension_to_9999_is_refused(api_as, clerk, unit):
    ticket = TicketFactory(unit=unit)
    response = api_as(clerk).post(
        reverse("petitions-api:ticket-extend", kwargs={"pk": ticket.pk}),
        {"new_due": "9999-12-31", "reason": "需要协调多个部门"},
        format="json",
    )
    assert response.status_code == 400 and "new_due" in response.json()
    # the field named in the reader's language, not as "New due"
    assert response.json()["new_due"][0].startswith("新的办结时限须在2000-01-01至")
    assert not TicketExtension.objects.exists()


def _window_fields() -> list[tuple[str, str, Any]]:
    """(serializer, field name, field) of every API field checked against the window."""
    found = []
    for module in SERIALIZER_MODULES:
        for name, cls in inspect.getmembers(importlib.import_module(module), inspect.isclass):
            if not issubclass(cls, serializers.Serializer) or cls.__module__ != module:
                continue
            try:
                fields = cls().fields
            except Exception:  # a serializer that needs its context
                continue
            for field_name, field in fields.items():
                if isinstance(field, _WindowMixin) and field.window is not None:
                    found.append((name, field_name, field))
    return found


def test_every_window_refusal_names_its_field_in_the_readers_language():
    fields = _window_fields()
    assert len(fields) > 15
    with translation.override("zh-hans"):
        english = [
            f"{name}.{field_name}: {field.label}"
            for name, field_name, field in fields
            if str(field.label) == field_name.replace("_", " ").capitalize()
            or not any("\u4e00" <= ch <= "\u9fff" for ch in str(field.label))
        ]
    assert english == []


def test_a_patrol_started_in_year_1_is_refused(api_as, officer):
    response = api_as(officer).post(
        "/api/v1/brigade/patrols/",
        {"mode": "foot", "started_at": "0001-01-01T09:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 400 and "started_at" in response.json()


# --- the pages and the import --------------------------------------------------------------


def test_page_form_refuses_year_1(client, officer):
    client.force_login(officer)
    form = _event(officer, held_on="0001-01-01")
    response = client.post(reverse("outreach:publicityevent_create"), form)
    assert response.status_code == 200  # the form again, with its message
    assert "2000-01-01" in response.content.decode()
    assert not PublicityEvent.objects.exists()


@pytest.mark.parametrize("received", ["0001-01-03 09:00", "9999-12-31 09:00"])
def test_import_refuses_the_row_and_writes_nothing(api_as, clerk, unit, received):
    TicketCategoryFactory(code="jam", name="交通拥堵")
    rows = ["A001,2022-06-13 09:00,交通拥堵,x,一中队,,,,", f"A002,{received},交通拥堵,x,一中队,,,,"]
    unit.name = "一中队"
    unit.save()
    response = api_as(clerk).post(
        reverse("petitions-api:ticket-import"), {"file": csv_file(*rows)}, format="multipart"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "received_at")]
    assert "2000-01-01" in errors[0]["message"]
    assert not Ticket.objects.exists()


# --- legacy rows outside the window --------------------------------------------------------


@pytest.fixture
def legacy_tickets(unit):
    """A ticket received 0001-01-03 and one due 9999-12-31, written past every check."""
    old = TicketFactory(unit=unit)
    far = TicketFactory(unit=unit)
    Ticket.objects.filter(pk=old.pk).update(
        received_at=dt.datetime(1, 1, 3, 9, 0, tzinfo=dt.UTC),
        sign_due=dt.date(1, 1, 4),
        reply_due=dt.date(1, 1, 6),
        close_due=dt.date(1, 1, 10),
        next_due=dt.date(1, 1, 4),
    )
    Ticket.objects.filter(pk=far.pk).update(close_due=dt.date(9999, 12, 31))
    return old, far


def test_legacy_rows_open_quickly(client, api_as, clerk, legacy_tickets, monkeypatch):
    # given a count of the single days the calendar is asked about
    calendar._known_running_count()
    asked = []
    original = calendar.is_workday
    spy = lambda day: asked.append(day) or original(day)  # noqa: E731
    monkeypatch.setattr(calendar, "is_workday", spy)
    monkeypatch.setattr(deadlines, "is_workday", spy)
    deadlines.workdays_left.cache_clear()
    deadlines.add_workdays.cache_clear()
    old, far = legacy_tickets
    client.force_login(clerk)
    api = api_as(clerk)
    # when every page and endpoint that shows them is opened
    answers = [
        client.get(reverse("petitions:ticket_list")),
        client.get(reverse("petitions:ticket_detail", args=[old.pk])),
        client.get(reverse("petitions:ticket_detail", args=[far.pk])),
        api.get(reverse("petitions-api:ticket-list")),
        api.get(reverse("petitions-api:ticket-queue")),
        api.get(reverse("petitions-api:ticket-detail", kwargs={"pk": far.pk})),
    ]
    # then each answers, and the calendar was asked about a handful of days, not millions
    assert [r.status_code for r in answers] == [200] * len(answers)
    assert len(asked) < 50


def test_legacy_rows_do_not_stretch_the_kpi_weeks_to_year_1(api_as, commander, legacy_tickets):
    """A ticket received 0001-01-03 counts in no figure: a full recompute keeps the week
    grid within the date window (a grid from year 1 made the recompute run for minutes),
    an incremental one of its week adds nothing, and the figure's records list agrees."""
    old, far = legacy_tickets
    first, _last = week_range()
    engine.recompute_all()
    assert KpiWeek.objects.aggregate(first=Min("monday"))["first"] >= first
    assert not KpiFlow.objects.filter(week__lt=first).exists()
    old.refresh_from_db()
    old.save()  # marks the week of 0001-01-03 for an incremental recompute
    assert old.received_at.year == 1
    engine.recompute_dirty()
    assert not KpiFlow.objects.filter(week__lt=first).exists()
    assert KpiWeek.objects.aggregate(first=Min("monday"))["first"] >= first
    # the week the other ticket was received: counted, and listed without the old one
    week = week_key(week_start(local_date(far.received_at)))
    api = api_as(commander)
    received = api.get("/api/v1/dashboard/kpis/", {"week": week}).json()["metrics"][
        "petitions.received"
    ]
    assert received["numerator"] == Ticket.objects.exclude(pk=old.pk).count() >= 1
    listed = api.get(received["records_api"]).json()
    assert listed["count"] == received["numerator"]
    assert old.pk not in [row["id"] for row in listed["results"]]


def test_check_dates_lists_legacy_rows(legacy_tickets):
    old, far = legacy_tickets
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("check_dates", stdout=out)
    assert refused.value.returncode == 1
    text = out.getvalue()
    assert f"petitions.Ticket.received_at: 1 record(s) outside: ids {old.pk}" in text
    assert f"petitions.Ticket.close_due: 2 record(s) outside: ids {old.pk}, {far.pk}" in text
    out = io.StringIO()
    call_command("check_dates", "--report-only", stdout=out)
    assert "petitions.Ticket.received_at" in out.getvalue()


def test_check_dates_passes_on_good_records(unit):
    TicketFactory(unit=unit)
    out = io.StringIO()
    call_command("check_dates", stdout=out)
    assert "Every date lies within the window." in out.getvalue()


# --- weeks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "1999-W51", "2028-W10"])
def test_a_week_outside_the_window_is_400(api_as, commander, week):
    with time_machine.travel(MONDAY_0030_LOCAL, tick=False):
        response = api_as(commander).get("/api/v1/dashboard/kpis/", {"week": week})
    assert response.status_code == 400
    # the week of 2000-01-01 up to the week a year ahead
    assert "1999-W52" in " ".join(response.json()["week"])
    assert "2027-W49" in " ".join(response.json()["week"])


def test_a_week_that_does_not_exist_is_400(api_as, commander):
    response = api_as(commander).get("/api/v1/dashboard/kpis/", {"week": "2022-W54"})
    assert response.status_code == 400 and "week" in response.json()


def test_pages_with_a_week_outside_show_a_message(client, commander):
    client.force_login(commander)
    response = client.get(reverse("petitions:weekly_summary"), {"week": "9999-W52"})
    # this week's summary, with the message, answered as the refusal it is
    assert response.status_code == 400 and "9999-W52" in response.content.decode()
    # the dashboard likewise: this week's figures, the weeks it accepts, and a 400
    dashboard = client.get("/dashboard/", {"week": "9999-W52"})
    assert dashboard.status_code == 400
    assert "9999-W52" in dashboard.content.decode() and "1999-W52" in dashboard.content.decode()
    assert client.get("/dashboard/", {"week": "2022-W10"}).status_code == 200


def test_hazard_deadline_model_validation_names_the_field(unit):
    hazard = HazardFactory(unit=unit)
    hazard.deadline = dt.date(9999, 12, 31)
    with pytest.raises(ValidationError) as refused:
        hazard.full_clean()
    assert "deadline" in refused.value.message_dict
    assert Hazard.objects.get(pk=hazard.pk).deadline is None


def test_a_planned_time_in_year_9999_west_of_shanghai_is_out_not_an_overflow():
    late = dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert not dates.in_window(late, dates.PLANNED)
    assert not dates.in_window(late, dates.HAPPENED)


def test_the_posts_page_with_a_day_outside_shows_today_and_says_why(client, commander):
    client.force_login(commander)
    with time_machine.travel(MONDAY_0030_LOCAL, tick=False):
        response = client.get(reverse("brigade:dutypost_list"), {"date": "0001-01-01"})
    assert response.status_code == 200
    assert response.context["day"] == dt.date(2026, 12, 7)
    assert "2000-01-01" in response.content.decode()


def test_date_pickers_offer_only_the_window(client, officer):
    client.force_login(officer)
    with time_machine.travel(MONDAY_0030_LOCAL, tick=False):
        page = client.get(reverse("outreach:publicityevent_create")).content.decode()
    assert 'min="2000-01-01"' in page and 'max="2026-12-07"' in page
