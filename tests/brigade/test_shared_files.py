"""Shared helpers the domain apps build on: photo/document checks by content, Excel
exports, spreadsheet imports, and the link/panel registries of the shared pages."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from PIL import Image

from brigade.core import imports, uploads
from brigade.core.dashboard.panels import Panel, PanelRegistry
from brigade.core.nav import Link, LinkRegistry, quick_actions
from brigade.core.scope import Scope
from brigade.core.spreadsheets import Column, Sheet, cell_value, write_xlsx


def png_bytes(size: tuple[int, int] = (4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


# --- uploads -------------------------------------------------------------------------------


def test_a_png_is_a_photo_whatever_its_name():
    upload = SimpleUploadedFile("notes.txt", png_bytes(), content_type="text/plain")
    uploads.validate_image(upload)  # no error
    assert uploads.image_format(upload) == "PNG"
    assert uploads.stored_extension(upload) == "png"


def test_text_named_jpg_is_not_a_photo():
    upload = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", "image/jpeg")
    with pytest.raises(ValidationError) as err:
        uploads.validate_image(upload)
    assert err.value.code == "not_an_image"


def test_a_truncated_image_is_not_a_photo():
    upload = SimpleUploadedFile("cut.png", png_bytes((64, 64))[:60], "image/png")
    with pytest.raises(ValidationError):
        uploads.validate_image(upload)


def test_a_photo_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 50
    upload = SimpleUploadedFile("big.png", png_bytes((64, 64)), "image/png")
    with pytest.raises(ValidationError) as err:
        uploads.validate_image(upload)
    assert err.value.code == "file_too_large"


def test_documents_are_pdfs_or_photos():
    uploads.validate_document(SimpleUploadedFile("a.bin", b"%PDF-1.7\n...", "application/pdf"))
    uploads.validate_document(SimpleUploadedFile("a.bin", png_bytes(), "image/png"))
    with pytest.raises(ValidationError):
        uploads.validate_document(SimpleUploadedFile("a.pdf", b"MZ\x90\x00", "application/pdf"))


def test_stored_names_are_random_and_take_the_extension_from_the_name_only_if_harmless():
    path = uploads.upload_path("hazards/photos")
    record = SimpleNamespace(_meta=SimpleNamespace(fields=[]))
    first = path(record, "../../etc/passwd.html")
    second = path(record, "photo.JPG")
    assert first.startswith("hazards/photos/") and first.endswith(".bin")
    assert ".." not in first and "passwd" not in first
    assert second.endswith(".jpg") and second != path(record, "photo.JPG")


def test_file_response_streams_privately_and_answers_404_for_a_missing_file(tmp_path, settings):
    from django.core.files.storage import default_storage
    from django.http import Http404

    name = default_storage.save("t/x.png", io.BytesIO(png_bytes()))
    field_file = SimpleNamespace(name=name, storage=default_storage)
    field_file.open = lambda mode="rb": default_storage.open(name, mode)  # type: ignore[attr-defined]
    response = uploads.file_response(field_file)  # type: ignore[arg-type]
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content) == png_bytes()  # type: ignore[arg-type]
    with pytest.raises(Http404):
        uploads.file_response(SimpleNamespace(name="t/none.png", storage=default_storage))  # type: ignore[arg-type]


# --- exports -------------------------------------------------------------------------------


def test_cells_keep_numbers_and_dates_and_defuse_formulas():
    aware = dt.datetime(2022, 6, 13, 1, 30, tzinfo=dt.UTC)
    assert cell_value(aware) == dt.datetime(2022, 6, 13, 9, 30)  # Asia/Shanghai, naive
    assert cell_value(Decimal("558717.00")) == Decimal("558717.00")
    assert cell_value('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert cell_value("-1+2") == "'-1+2"
    assert cell_value("花园路") == "花园路"
    assert cell_value(None) is None


def test_an_export_has_a_header_and_one_row_per_record():
    rows = [
        SimpleNamespace(code="A1", unit=SimpleNamespace(name="一中队"), amount=Decimal("1.50")),
        SimpleNamespace(code="A2", unit=None, amount=Decimal("2")),
    ]
    columns = [Column("编号", "code"), Column("单位", "unit.name"), Column("金额", "amount")]
    book = load_workbook(write_xlsx([Sheet("清单", columns, rows)]))
    sheet = book["清单"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["编号", "单位", "金额"],
        ["A1", "一中队", 1.5],
        ["A2", None, 2],
    ]


def test_the_patrol_list_exports_the_rows_its_filters_show(
    client, commander, django_assert_max_num_queries
):
    from brigade.duty.choices import PatrolMode
    from tests.brigade.factories import PatrolLogFactory

    # given two car patrols and a foot patrol in the commander's unit
    unit = commander.officer.unit
    PatrolLogFactory.create_batch(2, officer__unit=unit, mode=PatrolMode.CAR, notes="=1+1")
    PatrolLogFactory(officer__unit=unit, mode=PatrolMode.FOOT)
    client.force_login(commander)
    # when the filtered list is exported
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("brigade:patrollog_list"), {"mode": PatrolMode.CAR, "export": "xlsx"}
        )
        body = b"".join(response.streaming_content)
    # then the file holds the header and exactly the two car patrols
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="patrols-')
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert {row[2] for row in rows[1:]} == {PatrolMode.CAR.label}
    assert {row[10] for row in rows[1:]} == {"'=1+1"}


def test_the_list_page_links_its_export_with_the_current_filters(client, commander):
    client.force_login(commander)
    page = client.get(reverse("brigade:patrollog_list"), {"mode": "car", "page": "1"}).text
    assert 'data-testid="export-xlsx"' in page
    assert "?mode=car&amp;export=xlsx" in page


# --- imports -------------------------------------------------------------------------------

COLUMNS = {"number": ["工单编号", "Number"], "received": ["受理时间"], "note": ["备注"]}


def csv_upload(text: str, encoding: str = "utf-8-sig", name: str = "t.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), "text/csv")


def test_a_csv_maps_chinese_headers_and_numbers_rows_as_the_sheet_shows_them():
    upload = csv_upload("工单编号,受理时间,其他\nA1,2022-01-04,x\n\n A2 ,2022-01-05,y\n")
    table = imports.read_table(upload, columns=COLUMNS, required={"number", "received"})
    assert table.columns == ["number", "received"]
    assert list(table) == [
        (2, {"number": "A1", "received": "2022-01-04"}),
        (4, {"number": "A2", "received": "2022-01-05"}),
    ]


def test_a_gb18030_csv_reads_too():
    upload = csv_upload("工单编号,受理时间\n甲1,2022-01-04\n", encoding="gb18030")
    table = imports.read_table(upload, columns=COLUMNS, required={"number"})
    assert table.rows[0][1]["number"] == "甲1"


def test_an_xlsx_reads_dates_as_iso_text():
    book = Workbook()
    sheet = book.active
    sheet.append(["Number", "受理时间", "备注"])
    sheet.append(["A1", dt.datetime(2022, 1, 4), 12.0])
    sheet.append(["A2", dt.datetime(2022, 1, 5, 9, 30), None])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("t.xlsx", out.getvalue())
    table = imports.read_table(upload, columns=COLUMNS, required={"number"})
    assert [row for _n, row in table] == [
        {"number": "A1", "received": "2022-01-04", "note": "12"},
        {"number": "A2", "received": "2022-01-05 09:30:00", "note": ""},
    ]


def test_missing_required_columns_are_each_named():
    with pytest.raises(imports.TableError) as err:
        imports.read_table(
            csv_upload("备注\nx\n"), columns=COLUMNS, required={"number", "received"}
        )
    assert len(err.value.problems) == 2
    assert "工单编号" in err.value.problems[0]


def test_a_binary_file_is_not_a_table():
    with pytest.raises(imports.TableError):
        imports.read_table(
            SimpleUploadedFile("x.csv", b"\x00\x01\x02\x03" * 10), columns=COLUMNS, required=()
        )
    with pytest.raises(imports.TableError):
        imports.read_table(
            SimpleUploadedFile("x.xlsx", b"PK\x03\x04broken"), columns=COLUMNS, required=()
        )


def test_the_report_lists_field_errors_by_row():
    report = imports.ImportReport(dry_run=True)
    report.add_validation_error(5, ValidationError({"received": ["不是日期"], "__all__": ["重复"]}))
    assert not report.ok
    assert report.as_dict()["errors"] == [
        {"row": 5, "column": "received", "message": "不是日期"},
        {"row": 5, "column": "", "message": "重复"},
    ]


def test_a_stashed_upload_is_found_only_by_its_owner(db):
    from tests.brigade.factories import UserFactory

    owner, other = UserFactory(), UserFactory()
    token = imports.stash_upload(csv_upload("工单编号\nA1\n"), owner)
    assert imports.open_stash(token, other) is None
    assert imports.open_stash("../../etc/passwd", owner) is None
    stashed = imports.open_stash(token, owner)
    assert stashed is not None
    with stashed:
        assert imports.read_table(stashed, columns=COLUMNS, required={"number"}).rows[0][0] == 2
    imports.drop_stash(token, owner)
    assert imports.open_stash(token, owner) is None


# --- registries ------------------------------------------------------------------------------


def scope(*roles: str, officer: object = None) -> Scope:
    return Scope(roles=frozenset(roles), brigade_wide=False, unit_id=1, officer=officer)  # type: ignore[arg-type]


def test_links_show_to_their_roles_and_mark_the_current_page():
    registry = LinkRegistry()
    registry.register(
        Link(
            "patrols", "My patrols", "brigade:patrollog_list", "x", frozenset({"officer"}), order=2
        ),
        Link(
            "posts", "Posts", "brigade:dutypost_list", "y", frozenset({"officer", "clerk"}), order=1
        ),
        Link("duty", "Duty", "brigade:duty", "z", frozenset({"officer"}), needs_officer=True),
    )
    shown = registry.for_scope(scope("officer"), reverse("brigade:patrollog_list") + "12/")
    assert [(link["key"], link["active"]) for link in shown] == [
        ("posts", False),
        ("patrols", True),
    ]
    assert [link["key"] for link in registry.for_scope(scope("clerk"))] == ["posts"]
    with pytest.raises(ValueError):
        registry.register(Link("posts", "again", "brigade:dutypost_list", "y", frozenset()))


def test_the_duty_page_shows_the_registered_quick_actions(client, officer):
    client.force_login(officer)
    page = client.get(reverse("brigade:duty")).text
    for link in quick_actions.all():
        if link.visible_to(scope("officer", officer=object())):
            assert f'data-testid="quick-{link.key}"' in page


def test_dashboard_panels_render_in_order_and_hide_when_empty():
    registry = PanelRegistry()
    registry.register(
        Panel("b", "b.html", lambda user, unit: {"rows": [unit]}, order=2),
        Panel("a", "a.html", lambda user, unit: {"rows": []}, order=1),
        Panel("hidden", "h.html", lambda user, unit: None),
    )
    assert registry.render(None, 7) == [
        {"key": "a", "template": "a.html", "rows": []},
        {"key": "b", "template": "b.html", "rows": [7]},
    ]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("2026-W50 +xq1639zSUM(1,1)*cmd|'", "2026-W50 +xq1639zSUM(1,1)_cmd|"),
        ("a/b\\c?d:e[f]", "a_b_c_d_e_f_"),
        ("x" * 40, "x" * 31),
        ("'", "-"),
    ],
)
def test_a_sheet_is_named_as_excel_accepts_whatever_the_unit_is_called(title, expected):
    from brigade.core.spreadsheets import sheet_title

    assert sheet_title(title) == expected
    book = load_workbook(write_xlsx([Sheet(title, [], [])]))
    assert book.sheetnames == [expected]
