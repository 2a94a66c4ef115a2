"""The black spots' section of the period report: its four figures, each equal to the
count (or total) of the records its links list, and the section in both exports."""

from __future__ import annotations

import datetime as dt
import io

import h3
import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from brigade.core.dates import local_tz
from brigade.core.kpi import engine
from hazards.choices import HazardStatus
from hazards.models import Hazard
from incidents import black_spots
from incidents.models import BlackSpot
from incidents.services import black_spot_open_hazard
from tests.incidents.factories import accident_in_cell

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

NOW = dt.datetime(2024, 6, 30, 12, 0, tzinfo=local_tz())
H1 = {"from": "2024-01-01", "to": "2024-06-30"}
REPORT = reverse("dashboard-api:report")
PAGE = reverse("period_report")
SECTION = [
    "incidents.black_spots_found",
    "incidents.black_spots_investigated",
    "incidents.black_spots_treated",
    "incidents.black_spot_accidents_after",
]
# two places about 5 km apart: two spots of one unit
TREATED_AT = h3.latlng_to_cell(36.45, 115.98, settings.H3_RESOLUTION)
LEFT_AT = h3.latlng_to_cell(36.49, 115.93, settings.H3_RESOLUTION)


def crash(unit, cell: str, when: dt.datetime) -> None:
    accident_in_cell(unit, cell, when)


@pytest.fixture
def spots(unit, commander):
    """In H1 2024: two black spots found on 1 March; a hazard opened from one, verified
    the same day; after it, one accident there (4 in the window before)."""
    verified = dt.datetime(2024, 3, 1, 10, 0, tzinfo=local_tz())
    with time_machine.travel(verified, tick=False):
        for days in (5, 10, 20, 30):
            crash(unit, TREATED_AT, verified - dt.timedelta(days=days))
            crash(unit, LEFT_AT, verified - dt.timedelta(days=days + 1))
        black_spots.recompute_all()
        treated = BlackSpot.objects.get(h3_cell=TREATED_AT)
        opened = black_spot_open_hazard(spot=treated, by=commander)
        Hazard.objects.filter(pk=opened.id).update(
            status=HazardStatus.VERIFIED, verified_at=verified
        )
    crash(unit, TREATED_AT, verified + dt.timedelta(days=40))
    with time_machine.travel(NOW, tick=False):
        black_spots.recompute_all()
        engine.recompute_all()
    return treated


@pytest.mark.parametrize("as_unit", [False, True])
def test_each_figure_of_the_section_equals_the_records_it_lists(
    client, brigade_commander, unit, spots, as_unit
):
    client.force_login(brigade_commander)
    with time_machine.travel(NOW, tick=False):
        response = client.get(REPORT, {**H1, **({"unit": unit.pk} if as_unit else {})})
        assert response.status_code == 200
        figures = response.json()["figures"]
        section = {f["key"]: f for f in figures if f["area"] == "black_spots"}
        # the section comes after the report's rows, no row of FIGURES.md, its own keys
        assert list(section) == SECTION
        assert [f["key"] for f in figures[-4:]] == SECTION
        assert all(f["row"] is None for f in section.values())
        values = {key: (f["numerator"], f["denominator"]) for key, f in section.items()}
        assert values == {
            "incidents.black_spots_found": (2, None),
            "incidents.black_spots_investigated": (1, None),
            "incidents.black_spots_treated": (1, None),
            "incidents.black_spot_accidents_after": (1, 4),
        }
        assert section["incidents.black_spot_accidents_after"]["value"] == 0.25
        for key, figure in section.items():
            listed = client.get(figure["records_api"]).json()
            amount = listed["total"] if listed["is_sum"] else listed["count"]
            assert amount == figure["numerator"], key
            page = client.get(figure["records_url"])
            assert page.status_code == 200, key
            assert page.context["paginator"].count == listed["count"], key
            if figure["denominator"] is not None:
                below = client.get(figure["denominator_records_api"]).json()
                assert below["total"] == figure["denominator"], key
        # the spots counted are the spots of the fixture
        found = client.get(section["incidents.black_spots_found"]["records_api"]).json()
        assert {row["id"] for row in found["results"]} == set(
            BlackSpot.objects.values_list("pk", flat=True)
        )
        treated = client.get(section["incidents.black_spots_treated"]["records_api"]).json()
        assert [row["id"] for row in treated["results"]] == [spots.pk]


def test_a_period_without_spots_counts_none(client, brigade_commander, spots):
    client.force_login(brigade_commander)
    with time_machine.travel(NOW, tick=False):
        response = client.get(REPORT, {"from": "2023-01-01", "to": "2023-12-31"})
    section = {f["key"]: f for f in response.json()["figures"] if f["area"] == "black_spots"}
    assert [section[key]["numerator"] for key in SECTION] == [0, 0, 0, 0]
    assert section["incidents.black_spot_accidents_after"]["value"] is None


def test_the_page_shows_the_section_with_links(client, brigade_commander, spots):
    client.force_login(brigade_commander)
    with time_machine.travel(NOW, tick=False):
        page = client.get(PAGE, H1)
    html = page.content.decode()
    assert 'data-testid="report-area-black_spots"' in html
    assert 'data-testid="value-incidents.black_spots_found"' in html
    assert "figure=incidents.black_spots_treated" in html


def _zh(text: str) -> str:
    with translation.override("zh-hans"):
        return gettext(text)


def _zh_figure() -> str:
    with translation.override("zh-hans"):
        return pgettext("period report", "Figure")


def test_the_exports_show_the_section(client, brigade_commander, spots):
    from docx import Document
    from openpyxl import load_workbook

    client.force_login(brigade_commander)
    with time_machine.travel(NOW, tick=False):
        xlsx = client.get(PAGE, {**H1, "export": "xlsx"})
        docx = client.get(PAGE, {**H1, "export": "docx"})
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    sheet = _zh("Black spots")
    assert book.sheetnames[-1] == sheet and len(book.sheetnames) == 7
    rows = list(book[sheet].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[1] == _zh_figure())
    figures = {}
    for row in rows[header + 1 :]:
        if not any(row):
            break
        assert row[0] is None  # no row of FIGURES.md
        figures[row[1]] = row[2]
    assert figures[_zh("Black spots identified")] == 2
    assert figures[_zh("Black spots with a hazard opened")] == 1
    assert figures[_zh("Black spots treated")] == 1
    # the spots found, listed under the figures
    start = next(i for i, row in enumerate(rows) if row[0] == _zh("Black spots identified"))
    listed = []
    for row in rows[start + 2 :]:
        if not any(row):
            break
        listed.append(row)
    assert len(listed) == 2
    doc = Document(io.BytesIO(b"".join(docx.streaming_content)))
    headings = [
        p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert headings[-1] == f"七、{sheet}"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2" in text and "4" in text
