"""The period report's files: the Excel workbook (a sheet per area: its figures, then the
records behind them) and the Word work summary in Chinese (the report's sections, the
figures in the text, a comparison with the previous period), both read back as a user's
office suite reads them: LibreOffice converts each to PDF and the text is checked.

LibreOffice (``soffice``) and ``pdftotext`` come from Debian's libreoffice-writer-nogui,
libreoffice-calc-nogui and poppler-utils (.ci/run installs them). Without them these tests
are skipped with the reason, except where REQUIRE_SERVICES is set (CI): there they fail.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from brigade.core.report import documents as exports
from hazards.choices import FacilityKind, HazardStatus
from tests.brigade.factories import RoadWorksZoneFactory
from tests.hazards.factories import FacilityWorkFactory, HazardFactory
from tests.incidents.factories import paid_advance
from tests.petitions.factories import TicketFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("period_report")
Q1 = {"from": "2022-01-01", "to": "2022-03-31"}
AREAS_ZH = ["党建与队伍", "隐患排查", "事故处理", "疏堵保畅", "服务群众", "宣传教育"]


def _black_spots_zh() -> str:
    """The black spots' section, after the six areas (事故多发点段 once translated)."""
    with translation.override("zh-hans"):
        return gettext("Black spots")


def at(month: int, day: int, year: int = 2022) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 10))


@pytest.fixture
def quarter(unit, other_unit):
    """Q1 2022 and the quarter before it (the Word summary's comparison)."""
    HazardFactory(
        unit=unit,
        road="花园路",
        found_at=at(1, 10),
        status=HazardStatus.VERIFIED,
        verified_at=at(1, 20),
        closed_at=at(1, 20),
    )
    HazardFactory(unit=other_unit, road="兴华路", found_at=at(2, 10))
    HazardFactory(unit=unit, road="建设东路", found_at=at(11, 3, year=2021))
    for day in (1, 2, 3):
        TicketFactory(unit=unit, received_at=at(3, day))
    FacilityWorkFactory(
        unit=unit, kind=FacilityKind.PARKING_BAY, quantity=80, done_on=dt.date(2022, 3, 16)
    )
    paid_advance("558717.00", paid_at=at(3, 10), accident__unit=unit)
    RoadWorksZoneFactory(unit=unit, road="花园路", starts_on=dt.date(2022, 3, 15))
    return unit, other_unit


def download(client, user, query, **headers) -> bytes:
    client.force_login(user)
    response = client.get(PAGE, query, headers=headers)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return b"".join(response.streaming_content)


# --- Excel ------------------------------------------------------------------------------------


def test_the_workbook_has_a_sheet_per_area_with_figures_and_records(
    client, brigade_commander, quarter
):
    from openpyxl import load_workbook

    client.force_login(brigade_commander)
    response = client.get(PAGE, {**Q1, "export": "xlsx"})
    assert response["Content-Type"] == exports.XLSX_TYPE
    assert 'filename="report-20220101-20220331.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [*AREAS_ZH, _black_spots_zh()]
    rows = list(book["隐患排查"].iter_rows(values_only=True))
    assert "2022-01-01" in rows[0][0] and "2022-03-31" in rows[0][0]
    figures = {row[1]: row for row in rows if row and isinstance(row[0], int)}
    assert figures["排查隐患"][2] == 2
    assert figures["隐患整改率"][2:5] == (0.5, 1, 2)
    assert figures["施划停车泊位"][2] == 80
    # the records behind them: the quarter's hazards, not last year's
    start = next(i for i, row in enumerate(rows) if row[0] == "排查隐患")
    assert rows[start + 1][:3] == ("发现时间", "单位", "道路")
    listed = []
    for row in rows[start + 2 :]:
        if not any(row):
            break
        listed.append(row[2])
    assert sorted(listed) == ["兴华路", "花园路"]
    money = {row[1]: row for row in book["事故处理"].iter_rows(values_only=True) if row}
    assert money["垫付救助基金"][2] == 558717


def test_a_long_list_is_cut_and_says_so(client, brigade_commander, quarter, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setattr(exports, "RECORDS_LIMIT", 2)
    book = load_workbook(io.BytesIO(download(client, brigade_commander, {**Q1, "export": "xlsx"})))
    cells = [row[0] for row in book["服务群众"].iter_rows(values_only=True) if row]
    assert any(isinstance(c, str) and c.startswith("此处仅列出前2行") for c in cells)


def test_the_workbook_in_english(client, brigade_commander, quarter):
    from openpyxl import load_workbook

    data = download(
        client, brigade_commander, {**Q1, "export": "xlsx"}, **{"Accept-Language": "en"}
    )
    assert load_workbook(io.BytesIO(data)).sheetnames[1] == "Hazard investigation"


# --- Word -------------------------------------------------------------------------------------


def _document(data: bytes):  # type: ignore[no-untyped-def]
    from docx import Document

    return Document(io.BytesIO(data))


def test_the_word_summary_is_laid_out_like_the_report(client, brigade_commander, quarter):
    client.force_login(brigade_commander)
    response = client.get(PAGE, {**Q1, "export": "docx"}, headers={"Accept-Language": "en"})
    assert response["Content-Type"] == exports.DOCX_TYPE
    doc = _document(b"".join(response.streaming_content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "一、党建与队伍",
        "二、隐患排查",
        "三、事故处理",
        "四、疏堵保畅",
        "五、服务群众",
        "六、宣传教育",
        f"七、{_black_spots_zh()}",
    ]
    text = "\n".join(p.text for p in doc.paragraphs)
    # in Chinese whatever the page's language, the figures filled in
    assert "工作总结" in doc.paragraphs[0].text
    assert "统计期：2022-01-01至2022-03-31；对比期：2021-10-01至2021-12-31。" in text
    assert "共排查隐患2处，整改1处，整改率50.0%" in text
    assert "垫付道路交通事故社会救助基金558717.00元" in text
    assert "共办理12345民意舆情承办单3起" in text
    assert "花园路等1条道路施工期间" in text
    # each section's table compares with the previous quarter
    hazards = doc.tables[1]
    row = next(r for r in hazards.rows if r.cells[0].text == "排查隐患")
    assert [c.text for c in row.cells] == ["排查隐患", "2 处", "1 处", "+1"]
    rate = next(r for r in hazards.rows if r.cells[0].text == "隐患整改率")
    assert [c.text for c in rate.cells] == ["隐患整改率", "50.0%", "0.0%", "+50.0 个百分点"]


def test_exports_run_a_fixed_number_of_queries(client, brigade_commander, quarter):
    unit, other_unit = quarter
    client.force_login(brigade_commander)

    def count(kind: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(PAGE, {**Q1, "export": kind}).streaming_content)
        return len(captured)

    before = {kind: count(kind) for kind in ("xlsx", "docx")}
    for day in range(30):
        HazardFactory(
            unit=unit if day % 2 else other_unit, found_at=at(1, 1) + dt.timedelta(days=day)
        )
        TicketFactory(unit=other_unit, received_at=at(2, 1) + dt.timedelta(days=day))
    assert {kind: count(kind) for kind in ("xlsx", "docx")} == before


# --- opened by LibreOffice --------------------------------------------------------------------


@pytest.fixture
def office(tmp_path):  # type: ignore[no-untyped-def]
    """``office(data, suffix)``: the file converted to PDF by LibreOffice, as its text
    without white space."""
    missing = [tool for tool in ("soffice", "pdftotext") if shutil.which(tool) is None]
    if missing:
        reason = (
            f"needs {' and '.join(missing)}: apt-get install libreoffice-writer-nogui "
            "libreoffice-calc-nogui poppler-utils"
        )
        if os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason} [REQUIRE_SERVICES is set, so this test may not be skipped]")
        pytest.skip(reason)

    def convert(data: bytes, suffix: str) -> str:
        source = tmp_path / f"report{suffix}"
        source.write_bytes(data)
        # a profile of its own: two conversions at once must not share LibreOffice's
        profile = (tmp_path / "lo-profile").as_uri()
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path / suffix.strip(".")),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        pdf = tmp_path / suffix.strip(".") / "report.pdf"
        assert pdf.exists() and pdf.stat().st_size > 0
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60
        ).stdout.decode()
        # PDF text comes in lines, with spaces set between CJK and Latin text: drop them all
        return "".join(text.split())

    return convert


def test_libreoffice_opens_the_word_summary(client, brigade_commander, quarter, office):
    text = office(download(client, brigade_commander, {**Q1, "export": "docx"}), ".docx")
    for heading in AREAS_ZH:
        assert heading in text
    assert "共排查隐患2处，整改1处，整改率50.0%" in text
    assert "558717.00" in text


def test_libreoffice_opens_the_workbook(client, brigade_commander, quarter, office):
    text = office(download(client, brigade_commander, {**Q1, "export": "xlsx"}), ".xlsx")
    for words in ("排查隐患", "施划停车泊位", "办理12345承办单", "兴华路", "558717"):
        assert words in text, words
