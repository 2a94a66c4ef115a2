"""Importing the key-vehicle register: good files (CSV and XLSX), bad rows (nothing
written, every row listed), the dry run, the preview page and its confirmation, and a
later import that reopens a cleared vehicle."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hazards import services
from hazards.choices import KeyVehicleReason, KeyVehicleStatus
from hazards.models import KeyVehicle, KeyVehicleImport
from tests.hazards.factories import KeyVehicleFactory

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/hazards/key-vehicles/import/"

GOOD = (
    "号牌号码,车辆类型,所属企业,原因\n"
    "鲁P12345,货车,长江运输公司,逾期未检验\n"
    "鲁P 23456,校车,育才小学,达到报废标准\n"
    "鲁P34567,客车,,违法未处理\n"
)
BAD = (
    "号牌号码,车辆类型,所属企业,原因\n"
    "鲁P12345,货车,长江运输公司,逾期未检验\n"
    ",货车,某公司,逾期未检验\n"
    "鲁P99999,飞机,某公司,逾期未检验\n"
    "鲁P88888,货车,某公司,不知道\n"
    "鲁P12345,货车,长江运输公司,逾期未检验\n"
)


def csv_file(text: str, name: str = "register.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list[object]]) -> SimpleUploadedFile:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("register.xlsx", buffer.getvalue())


def test_good_csv_imports_every_row(unit, commander):
    report = services.key_vehicles_import(upload=csv_file(GOOD), unit=unit, by=commander)
    assert report.ok and (report.total, report.created) == (3, 3)
    plates = dict(KeyVehicle.objects.values_list("plate", "reason"))
    assert plates == {
        "鲁P12345": KeyVehicleReason.OVERDUE_INSPECTION,
        "鲁P23456": KeyVehicleReason.SCRAPPING,
        "鲁P34567": KeyVehicleReason.VIOLATIONS,
    }
    batch = KeyVehicleImport.objects.get()
    assert (batch.total, batch.created, batch.imported_by) == (3, 3, commander)


def test_xlsx_with_english_headers(unit, commander):
    upload = xlsx_file(
        [["Plate", "Kind", "Owner", "Reason"], ["鲁P11111", "Truck", "X Co", "Due for scrapping"]]
    )
    report = services.key_vehicles_import(upload=upload, unit=unit, by=commander)
    assert report.ok, report.errors
    assert KeyVehicle.objects.get().reason == KeyVehicleReason.SCRAPPING


def test_bad_rows_write_nothing_and_each_is_listed(unit, commander):
    from django.utils import translation

    with translation.override("en"):
        report = services.key_vehicles_import(upload=csv_file(BAD), unit=unit, by=commander)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "plate"),
        (4, "kind"),
        (5, "reason"),
        (6, "plate"),
    ]
    assert "row 2" in report.errors[3].message
    assert KeyVehicle.objects.count() == 0
    assert KeyVehicleImport.objects.count() == 0


def test_dry_run_over_the_api_writes_nothing(api_as, commander):
    response = api_as(commander).post(
        IMPORT + "?dry_run=1", {"file": csv_file(GOOD)}, format="multipart"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["created"]) == (True, 3)
    assert [row["plate"] for row in body["preview"]] == ["鲁P12345", "鲁P23456", "鲁P34567"]
    assert KeyVehicle.objects.count() == 0
    response = api_as(commander).post(IMPORT, {"file": csv_file(GOOD)}, format="multipart")
    assert response.status_code == 201
    assert KeyVehicle.objects.count() == 3


def test_bad_file_over_the_api_is_400_with_rows(api_as, commander):
    response = api_as(commander).post(IMPORT, {"file": csv_file(BAD)}, format="multipart")
    assert response.status_code == 400
    assert [e["row"] for e in response.json()["errors"]] == [3, 4, 5, 6]
    missing = api_as(commander).post(
        IMPORT, {"file": csv_file("号牌号码,车型\n鲁P1,货车\n")}, format="multipart"
    )
    assert missing.status_code == 400
    assert "原因" in str(missing.json()["file"])


def test_officer_cannot_import(api_as, officer):
    assert (
        api_as(officer).post(IMPORT, {"file": csv_file(GOOD)}, format="multipart").status_code
        == 403
    )


def test_a_later_import_reopens_a_cleared_vehicle_and_says_so(unit, commander):
    vehicle = KeyVehicleFactory(unit=unit, plate="鲁P12345")
    services.key_vehicle_clear(vehicle=vehicle, by=commander, inspection_date=dt.date(2022, 5, 1))
    preview = services.key_vehicles_import(
        upload=csv_file(GOOD), unit=unit, by=commander, dry_run=True
    )
    assert [(n.row, "鲁P12345" in n.message) for n in preview.notices] == [(2, True)]
    vehicle.refresh_from_db()
    assert vehicle.status == KeyVehicleStatus.CLEARED  # a dry run changes nothing
    report = services.key_vehicles_import(upload=csv_file(GOOD), unit=unit, by=commander)
    assert len(report.notices) == 1
    vehicle.refresh_from_db()
    assert (vehicle.status, vehicle.reopened_count, vehicle.cleared_at) == (
        KeyVehicleStatus.FLAGGED,
        1,
        None,
    )
    assert KeyVehicleImport.objects.get().reopened == 1


def test_another_units_plate_is_a_row_error(unit, other_unit, commander):
    KeyVehicleFactory(unit=other_unit, plate="鲁P12345")
    report = services.key_vehicles_import(upload=csv_file(GOOD), unit=unit, by=commander)
    assert [(e.row, e.column) for e in report.errors] == [(2, "plate")]


def test_preview_page_then_confirm(client, commander):
    client.force_login(commander)
    response = client.post("/hazards/key-vehicles/import/", {"file": csv_file(GOOD)})
    assert response.status_code == 200
    assert b'data-testid="import-preview"' in response.content
    assert KeyVehicle.objects.count() == 0
    token = response.context["token"]
    response = client.post(
        "/hazards/key-vehicles/import/",
        {"token": token, "unit": response.context["chosen_unit"].pk},
    )
    assert response.status_code == 302
    assert KeyVehicle.objects.count() == 3
    # the stash is gone: confirming twice imports nothing more
    response = client.post("/hazards/key-vehicles/import/", {"token": token})
    assert response.status_code == 302
    assert KeyVehicleImport.objects.count() == 1


def test_preview_page_lists_bad_rows(client, commander):
    client.force_login(commander)
    response = client.post("/hazards/key-vehicles/import/", {"file": csv_file(BAD)})
    assert response.status_code == 400
    assert response.content.decode().count('data-testid="import-error"') == 4
    assert KeyVehicle.objects.count() == 0
