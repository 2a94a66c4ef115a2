"""An accident's position on the map: the form (with "Use my position"), the API, the
page, the export and the admin, under the hazards' rule (both coordinates or neither)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from incidents.choices import HandlingMode, Severity
from incidents.models import Accident
from tests.incidents.factories import AccidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock]
BASE = "/api/v1/incidents"
# 花园路 at 东昌东路, Liaocheng
LAT, LNG = Decimal("36.456500"), Decimal("116.006000")


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _form(**extra: str) -> dict[str, str]:
    return {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "road": "花园路",
        "severity": Severity.PROPERTY,
        "handling_mode": HandlingMode.SIMPLE,
        **extra,
    }


def test_the_form_places_the_accident_with_the_position_control(en, officer):
    en.force_login(officer)
    page = en.get(reverse("incidents:accident_create"))
    html = page.text
    # the control and both fields, after the place and before the severity
    assert 'data-testid="use-position"' in html and "Use my position" in html
    assert (
        html.index('id="id_place"')
        < html.index('id="id_latitude"')
        < html.index('id="id_severity"')
    )
    assert "brigade/position.js" in html
    assert f'nonce="{page.wsgi_request.csp_nonce}"' in html
    response = en.post(
        reverse("incidents:accident_create"), _form(latitude=str(LAT), longitude=str(LNG))
    )
    assert response.status_code == 302
    accident = Accident.objects.get()
    assert (accident.latitude, accident.longitude) == (LAT, LNG)


def test_the_form_refuses_one_coordinate_alone(en, officer):
    en.force_login(officer)
    response = en.post(reverse("incidents:accident_create"), _form(latitude=str(LAT)))
    assert response.status_code == 200
    assert 'data-testid="error-latitude"' in response.text
    assert "Give both latitude and longitude, or neither." in response.text
    assert not Accident.objects.exists()


def test_the_page_shows_where_it_happened(en, officer, unit):
    placed = AccidentFactory(unit=unit, latitude=LAT, longitude=LNG)
    unplaced = AccidentFactory(unit=unit)
    en.force_login(officer)
    html = en.get(reverse("incidents:accident_detail", args=[placed.pk])).text
    assert '<span data-testid="accident-coordinates">36.456500, 116.006000</span>' in html
    assert 'href="geo:36.456500,116.006000"' in html
    html = en.get(reverse("incidents:accident_detail", args=[unplaced.pk])).text
    assert "Not placed on the map" in html and "geo:" not in html


def test_the_api_writes_reads_and_checks_the_position(api_as, officer, unit):
    client = api_as(officer)
    body = {"road": "东昌东路", "latitude": "36.456500", "longitude": "116.006000"}
    created = client.post(f"{BASE}/accidents/", body, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["latitude"], created.json()["longitude"]) == ("36.456500", "116.006000")
    half = client.post(
        f"{BASE}/accidents/", {"road": "东昌东路", "latitude": "36.4"}, format="json"
    )
    assert half.status_code == 400
    assert "latitude" in half.json()
    outside = client.post(
        f"{BASE}/accidents/",
        {"road": "东昌东路", "latitude": "91", "longitude": "1"},
        format="json",
    )
    assert outside.status_code == 400
    # cleared: both at once
    pk = created.json()["id"]
    cleared = client.patch(
        f"{BASE}/accidents/{pk}/", {"latitude": None, "longitude": None}, format="json"
    )
    assert cleared.status_code == 200, cleared.content
    assert Accident.objects.get(pk=pk).latitude is None
    schema = client.get("/api/v1/schema/?format=json")
    if schema.status_code == 200:
        props = schema.json()["components"]["schemas"]["Accident"]["properties"]
        assert props["latitude"]["nullable"] is True and "longitude" in props


def test_the_export_has_the_position(en, officer, unit):
    AccidentFactory(unit=unit, latitude=LAT, longitude=LNG)
    en.force_login(officer)
    export = en.get(reverse("incidents:accident_list"), {"export": "xlsx"})
    book = load_workbook(BytesIO(b"".join(export.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    header = [str(cell) for cell in rows[0]]
    i, j = header.index("Latitude"), header.index("Longitude")
    assert (Decimal(str(rows[1][i])), Decimal(str(rows[1][j]))) == (LAT, LNG)


def test_the_admin_edits_the_position(client, unit):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x-pass-1")
    accident = AccidentFactory(unit=unit)
    client.force_login(admin)
    url = reverse("admin:incidents_accident_change", args=[accident.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="latitude"' in page.text and 'name="longitude"' in page.text
