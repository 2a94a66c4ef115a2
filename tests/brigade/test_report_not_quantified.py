"""The report's 重新施划交通标线 (markings repainted) has no number: a period with no record
of it reads "not quantified" (未量化), not 0, on the page, in the Word and Excel files and
in the API (null, with ``quantified`` false); a period that records it shows its count."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from hazards.choices import FacilityKind
from tests.hazards.factories import FacilityWorkFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("period_report")
API = "/api/v1/dashboard/report/"
Q1 = {"from": "2022-01-01", "to": "2022-03-31"}
MARKING = "hazards.facility_works.marking"
EN = {"Accept-Language": "en"}


@pytest.fixture
def bays(unit):
    FacilityWorkFactory(
        unit=unit, kind=FacilityKind.PARKING_BAY, quantity=80, done_on=dt.date(2022, 3, 16)
    )


def _figure(body: dict, key: str) -> dict:
    return next(f for f in body["figures"] if f["key"] == key)


def test_the_api_marks_the_figure_null_and_not_quantified(api_as, brigade_commander, bays):
    body = api_as(brigade_commander).get(API, Q1).json()
    marking = _figure(body, MARKING)
    assert (marking["value"], marking["quantified"]) == (None, False)
    assert marking["numerator"] == 0  # the records behind it: none
    bays_figure = _figure(body, "hazards.facility_works.parking_bay")
    assert (bays_figure["value"], bays_figure["quantified"]) == (80, True)
    # a figure the report counts stays 0 when nothing was counted: only markings are unnumbered
    signal = _figure(body, "hazards.facility_works.signal")
    assert (signal["value"], signal["quantified"]) == (0, True)


def test_a_period_that_records_markings_shows_their_count(api_as, brigade_commander, unit):
    FacilityWorkFactory(
        unit=unit, kind=FacilityKind.MARKING, quantity=12, done_on=dt.date(2022, 2, 8)
    )
    marking = _figure(api_as(brigade_commander).get(API, Q1).json(), MARKING)
    assert (marking["value"], marking["numerator"], marking["quantified"]) == (12, 12, True)


def test_the_page_reads_not_quantified_without_a_unit(client, brigade_commander, bays):
    client.force_login(brigade_commander)
    html = client.get(PAGE, Q1, headers=EN).content.decode()
    start = html.index(f'data-testid="figure-{MARKING}"')
    item = html[start : html.index("</li>", start)]
    assert f'data-testid="value-{MARKING}"' in item
    assert ">not quantified</a>" in item or ">not quantified</span>" in item
    assert "places" not in item  # no "not quantified places"
    start = html.index('data-testid="figure-hazards.facility_works.parking_bay"')
    assert ">80</a>" in html[start : html.index("</li>", start)]


def test_the_workbook_and_the_word_summary_read_not_quantified(client, brigade_commander, bays):
    from docx import Document
    from openpyxl import load_workbook

    client.force_login(brigade_commander)
    xlsx = client.get(PAGE, {**Q1, "export": "xlsx"}, headers=EN)
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    rows = [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    marking = next(row for row in rows if row and row[1] == "Markings repainted")
    assert (marking[2], marking[5] or "") == ("not quantified", "")
    docx = client.get(PAGE, {**Q1, "export": "docx"}, headers=EN)
    doc = Document(io.BytesIO(b"".join(docx.streaming_content)))
    cells = [
        [cell.text for cell in row.cells]
        for table in doc.tables
        for row in table.rows
        if row.cells[0].text in {"Markings repainted", "重新施划交通标线"}
    ]
    # this period and the one before: neither has a number, and no change is claimed
    assert len(cells) == 1 and cells[0][3] == "—"
    assert cells[0][1] == cells[0][2] and cells[0][1] in {"not quantified", "未量化"}
