"""Import of the 12345 platform's export: creates, updates on re-import (never a
duplicate), dry-run preview, all-or-nothing with every problem listed by row, history
rows and KPI weeks marked for the bulk writes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from brigade.core.kpi.models import KpiDirty
from petitions import services
from petitions.choices import TicketStatus
from petitions.models import Ticket
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db

HEADER = "工单编号,受理时间,诉求分类,诉求内容,承办单位,来源渠道,诉求人,联系电话,事发地点"


def csv_file(*rows: str, header: str = HEADER) -> SimpleUploadedFile:
    text = "\n".join([header, *rows]) + "\n"
    return SimpleUploadedFile("export.csv", text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def category(db):
    return TicketCategoryFactory(
        code="jam", name="交通拥堵", sign_days=1, reply_days=3, close_days=5
    )


def test_import_creates_tickets_with_deadlines_and_history(clerk, unit, category):
    upload = csv_file(
        "A001,2022-01-28 09:00,交通拥堵,花园路拥堵,一中队,12345,张三,13812345678,花园路",
        "A002,2022-06-13 10:30,jam,信号灯故障,sq1,微信,李四,13900001111,东昌东路",
    )
    report = services.tickets_import(upload=upload, by=clerk)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (2, 0)
    first = Ticket.objects.get(number="A001")
    assert first.status == TicketStatus.RECEIVED
    assert first.close_due == dt.date(2022, 2, 9)  # across the Spring Festival
    assert first.next_due == first.sign_due
    assert first.channel == "hotline"
    assert Ticket.objects.get(number="A002").channel == "wechat"
    # bulk writes keep the history and mark the KPI weeks of both receipts
    created = first.history.get()
    assert (created.history_type, created.history_user, created.number) == ("+", clerk, "A001")
    weeks = set(KpiDirty.objects.values_list("week", flat=True))
    assert {dt.date(2022, 1, 24), dt.date(2022, 6, 13)} <= weeks
    # the marks name the tickets, so only the metrics that read tickets are recomputed
    assert set(KpiDirty.objects.values_list("model", flat=True)) == {"petitions.Ticket"}


def test_reimport_updates_never_duplicates(clerk, unit, category):
    row = "A001,2022-06-13 09:00,交通拥堵,花园路拥堵,一中队,12345,张三,13812345678,花园路"
    services.tickets_import(upload=csv_file(row), by=clerk)
    ticket = Ticket.objects.get()
    services.ticket_sign(ticket=ticket, by=clerk)
    # when the platform sends the ticket again with a corrected location, and an unchanged copy
    changed = row.replace(",花园路", ",花园路东段")
    report = services.tickets_import(upload=csv_file(changed), by=clerk)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    again = services.tickets_import(upload=csv_file(changed), by=clerk)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    # then one ticket, the new location, and the brigade's progress kept
    ticket = Ticket.objects.get()
    assert ticket.location == "花园路东段"
    assert ticket.status == TicketStatus.SIGNED
    assert ticket.history.count() == 3  # created, signed, updated by the import


def test_dry_run_writes_nothing_and_previews(clerk, unit, category):
    upload = csv_file("A001,2022-06-13 09:00,交通拥堵,花园路拥堵,一中队,,,,")
    report = services.tickets_import(upload=upload, by=clerk, dry_run=True)
    assert report.ok and report.created == 1
    assert report.preview[0]["number"] == "A001"
    assert report.preview[0]["action"] == "create"
    assert not Ticket.objects.exists()


def test_every_problem_by_row_and_nothing_written(clerk, unit, other_unit, category):
    upload = csv_file(
        "A001,2022-06-13 09:00,交通拥堵,ok,一中队,,,,",  # row 2: fine
        "A001,2022-06-13 09:00,交通拥堵,again,一中队,,,,",  # row 3: duplicate number
        "A003,13/06/2022,交通拥堵,bad date,一中队,,,,",  # row 4: bad date
        "A004,2022-06-13 09:00,占道经营,unknown category,一中队,,,,",  # row 5
        "A005,2022-06-13 09:00,交通拥堵,not mine,二中队,,,,",  # row 6: other unit
        "A006,2022-06-13 09:00,交通拥堵,,一中队,,,,",  # row 7: no content
    )
    report = services.tickets_import(upload=upload, by=clerk)
    assert not report.ok
    problems = {(e.row, e.column) for e in report.errors}
    assert problems == {
        (3, "number"),
        (4, "received_at"),
        (5, "category"),
        (6, "unit"),
        (7, "content"),
    }
    assert not Ticket.objects.exists()


def test_missing_required_columns(clerk, unit, category):
    upload = csv_file("A001,花园路拥堵", header="工单编号,诉求内容")
    report = services.tickets_import(upload=upload, by=clerk)
    messages = " ".join(e.message for e in report.errors)
    assert not report.ok
    assert "received_at" in messages and "category" in messages and "unit" in messages


def test_number_of_another_units_ticket_is_refused(clerk, other_unit, unit, category):
    TicketFactory(number="A001", unit=other_unit, category=category)
    upload = csv_file("A001,2022-06-13 09:00,交通拥堵,x,一中队,,,,")
    report = services.tickets_import(upload=upload, by=clerk)
    assert [(e.row, e.column) for e in report.errors] == [(2, "number")]


def test_xlsx_import(clerk, unit, category):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        ["B001", dt.datetime(2022, 6, 13, 9, 30), "交通拥堵", "路口拥堵", "一中队", "", "", "", ""]
    )
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("export.xlsx", data.getvalue())
    report = services.tickets_import(upload=upload, by=clerk)
    assert report.ok, report.errors
    assert Ticket.objects.get().number == "B001"


def test_import_api_dry_run_then_confirm(api_as, clerk, unit, category):
    client = api_as(clerk)
    path = reverse("petitions-api:ticket-import")
    row = "A001,2022-06-13 09:00,交通拥堵,x,一中队,,,,"
    response = client.post(f"{path}?dry_run=1", {"file": csv_file(row)}, format="multipart")
    assert response.status_code == 200
    assert response.json()["dry_run"] is True and response.json()["created"] == 1
    assert not Ticket.objects.exists()
    response = client.post(path, {"file": csv_file(row)}, format="multipart")
    assert response.json()["created"] == 1
    assert Ticket.objects.count() == 1
    bad = client.post(
        path, {"file": csv_file("A009,yesterday,交通拥堵,x,一中队,,,,")}, format="multipart"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["row"] == 2


def test_import_api_is_for_the_desk(api_as, officer, unit, category):
    path = reverse("petitions-api:ticket-import")
    response = api_as(officer).post(path, {"file": csv_file()}, format="multipart")
    assert response.status_code == 403
