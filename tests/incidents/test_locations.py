"""Where an accident happened: its map cell (h3) and its place in the brigade's gazetteer,
set when it is saved; the accident and quick-settlement forms, the API and the import that
take coordinates or a place; and the demo's clusters of injuries at crossings."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from io import StringIO

import h3
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from brigade.duty import demo as brigade_demo
from brigade.duty.choices import PlaceKind
from brigade.duty.demo.places import crossings
from brigade.duty.models import Place
from incidents import demo
from incidents.choices import HandlingMode, Severity
from incidents.models import Accident
from tests.incidents.factories import AccidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock]
BASE = "/api/v1/incidents"
# 花园路 at 东昌东路 in the demo's layout; one metre of latitude in degrees
LAT, LNG = Decimal("36.456500"), Decimal("116.006000")
METRE = 1 / 111_195


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def crossing(db) -> Place:
    place = Place(
        name="花园路与东昌东路路口", kind=PlaceKind.INTERSECTION, latitude=LAT, longitude=LNG
    )
    place.full_clean()
    place.save()
    return place


@pytest.fixture
def road(db) -> Place:
    place = Place(name="花园路", kind=PlaceKind.ROAD, line=[[36.442, 116.006], [36.474, 116.006]])
    place.full_clean()
    place.save()
    return place


def _cell(lat: Decimal, lng: Decimal) -> str:
    return h3.latlng_to_cell(float(lat), float(lng), settings.H3_RESOLUTION)


# --- saved: the cell and the nearest place -------------------------------------------------


def test_a_saved_accident_has_its_cell_and_nearest_place(unit, crossing, road):
    at_crossing = AccidentFactory(unit=unit, latitude=LAT + Decimal("0.000200"), longitude=LNG)
    assert at_crossing.h3_cell == _cell(LAT + Decimal("0.0002"), LNG)
    # 22 m from the crossing, on the road's line: the crossing's
    assert at_crossing.gazetteer_place == crossing
    # 400 m up the road: the road's
    up_the_road = AccidentFactory(unit=unit, latitude=LAT + Decimal("0.0036"), longitude=LNG)
    assert up_the_road.gazetteer_place == road
    # 300 m off any place: a cell, no place
    off = AccidentFactory(unit=unit, latitude=LAT, longitude=LNG + Decimal("0.0034"))
    assert off.h3_cell and off.gazetteer_place is None
    # no point: neither
    unplaced = AccidentFactory(unit=unit)
    assert unplaced.h3_cell == "" and unplaced.gazetteer_place is None


def test_the_cell_follows_the_configured_resolution(unit, settings):
    settings.H3_RESOLUTION = 10
    accident = AccidentFactory(unit=unit, latitude=LAT, longitude=LNG)
    assert accident.h3_cell == h3.latlng_to_cell(36.4565, 116.006, 10)
    assert h3.get_resolution(accident.h3_cell) == 10


def test_a_moved_point_takes_its_new_nearest_place_a_picked_one_stays(unit, crossing, road):
    from incidents.services import accident_update

    accident = AccidentFactory(unit=unit, latitude=LAT, longitude=LNG)
    assert accident.gazetteer_place == crossing
    accident_update(accident=accident, latitude=LAT + Decimal("0.0036"), longitude=LNG)
    accident.refresh_from_db()
    assert accident.gazetteer_place == road
    assert accident.h3_cell == _cell(LAT + Decimal("0.0036"), LNG)
    # picked with the new point: kept, though the road is nearer
    accident_update(accident=accident, latitude=LAT, longitude=LNG + Decimal("0.0001"))
    accident_update(
        accident=accident, gazetteer_place=road, latitude=LAT, longitude=LNG + Decimal("0.0002")
    )
    accident.refresh_from_db()
    assert accident.gazetteer_place == road


# --- the pages -----------------------------------------------------------------------------


def _form(**extra: str) -> dict[str, str]:
    return {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "road": "花园路",
        "severity": Severity.PROPERTY,
        "handling_mode": HandlingMode.SIMPLE,
        **extra,
    }


def test_the_form_offers_the_register_and_a_place_alone_gives_the_point(en, officer, crossing):
    en.force_login(officer)
    html = en.get(reverse("incidents:accident_create")).text
    assert 'id="id_gazetteer_place"' in html
    assert f'data-lat="{LAT}"' in html and "花园路与东昌东路路口" in html
    response = en.post(reverse("incidents:accident_create"), _form(gazetteer_place=crossing.pk))
    assert response.status_code == 302
    accident = Accident.objects.get()
    assert accident.gazetteer_place == crossing
    assert (accident.latitude, accident.longitude) == (LAT, LNG)
    assert accident.h3_cell == _cell(LAT, LNG)
    html = en.get(reverse("incidents:accident_detail", args=[accident.pk])).text
    assert "花园路与东昌东路路口" in html


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"latitude": "90.0000001", "longitude": "116"}, "latitude"),
        ({"latitude": "36.4", "longitude": "-180.000001"}, "longitude"),
        ({"latitude": "36.456500"}, "latitude"),
        # one coordinate alone: said on the latitude, as for hazards
        ({"longitude": "116.006"}, "latitude"),
        ({"gazetteer_place": "999999"}, "gazetteer_place"),
        ({"gazetteer_place": "x"}, "gazetteer_place"),
    ],
)
def test_the_form_refuses_a_bad_point_or_place(en, officer, crossing, extra, field):
    en.force_login(officer)
    response = en.post(reverse("incidents:accident_create"), _form(**extra))
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.text
    assert not Accident.objects.exists()


def test_a_nul_in_the_place_is_a_400_not_a_500(en, officer, crossing):
    en.force_login(officer)
    response = en.post(
        reverse("incidents:accident_create"), _form(gazetteer_place=f"{crossing.pk}\x00")
    )
    assert response.status_code == 400
    assert not Accident.objects.exists()


def test_the_form_takes_the_bounds_and_a_point_with_a_place(en, officer, road):
    en.force_login(officer)
    response = en.post(
        reverse("incidents:accident_create"),
        _form(latitude="-90", longitude="-180", gazetteer_place=road.pk),
    )
    assert response.status_code == 302
    accident = Accident.objects.get()
    assert (accident.latitude, accident.longitude) == (Decimal("-90"), Decimal("-180"))
    assert accident.gazetteer_place == road  # picked, though far away


def test_the_quick_settlement_takes_a_position_and_a_place(en, officer, crossing):
    en.force_login(officer)
    url = reverse("incidents:accident_quick_settlement")
    html = en.get(url).text
    assert 'data-testid="use-position"' in html and 'id="id_gazetteer_place"' in html
    assert "brigade/position.js" in html
    data = {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "road": "花园路",
        "plate_a": "鲁P12345",
        "plate_b": "鲁P54321",
        "latitude": "36.456600",
        "longitude": "116.006000",
    }
    assert en.post(url, {**data, "longitude": ""}).status_code == 200  # one coordinate alone
    assert not Accident.objects.exists()
    assert en.post(url, data).status_code == 302
    accident = Accident.objects.get()
    assert accident.handling_mode == HandlingMode.QUICK
    assert accident.gazetteer_place == crossing
    assert accident.h3_cell == _cell(Decimal("36.4566"), LNG)


# --- the API -------------------------------------------------------------------------------


def test_the_api_takes_a_place_and_returns_its_name_and_the_cell(api_as, officer, crossing):
    api = api_as(officer)
    response = api.post(
        f"{BASE}/accidents/", {"road": "花园路", "gazetteer_place": crossing.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["gazetteer_place"] == crossing.pk
    assert body["gazetteer_place_name"] == "花园路与东昌东路路口"
    assert (body["latitude"], body["longitude"]) == ("36.456500", "116.006000")
    assert body["h3_cell"] == _cell(LAT, LNG)
    # moved far away: a new cell and, as the place did not change, the nearest (none)
    response = api.patch(
        f"{BASE}/accidents/{body['id']}/", {"latitude": "0", "longitude": "-180"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["h3_cell"] == _cell(Decimal(0), Decimal(-180))
    assert response.json()["gazetteer_place"] is None
    assert response.json()["gazetteer_place_name"] is None
    # a place picked with a point: both kept
    response = api.patch(
        f"{BASE}/accidents/{body['id']}/", {"gazetteer_place": crossing.pk}, format="json"
    )
    assert response.json()["gazetteer_place"] == crossing.pk
    assert response.json()["latitude"] == "0.000000"
    # read-only: a cell sent is ignored
    response = api.patch(f"{BASE}/accidents/{body['id']}/", {"h3_cell": "x"}, format="json")
    assert response.json()["h3_cell"] == _cell(Decimal(0), Decimal(-180))


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"latitude": "90.0000001", "longitude": "116"}, "latitude"),
        ({"latitude": "91", "longitude": "116"}, "latitude"),
        ({"latitude": "36", "longitude": "180.5"}, "longitude"),
        ({"latitude": "36.4565"}, "latitude"),
        ({"gazetteer_place": "\x00"}, "gazetteer_place"),
        ({"gazetteer_place": 999999}, "gazetteer_place"),
    ],
)
def test_the_api_refuses_a_bad_point_or_place_with_400(api_as, officer, crossing, sent, field):
    response = api_as(officer).post(f"{BASE}/accidents/", {"road": "花园路", **sent}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Accident.objects.exists()


def test_the_api_refuses_a_place_taken_off_the_register(api_as, officer, crossing):
    Place.objects.filter(pk=crossing.pk).update(is_active=False)
    response = api_as(officer).post(
        f"{BASE}/accidents/", {"road": "花园路", "gazetteer_place": crossing.pk}, format="json"
    )
    assert response.status_code == 400 and "gazetteer_place" in response.json()


def test_the_list_reads_the_places_in_one_query(api_as, officer, unit, crossing, road):
    for n in range(6):
        AccidentFactory(unit=unit, latitude=LAT + Decimal(n) / 1000, longitude=LNG)
    api = api_as(officer)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.get(f"{BASE}/accidents/")  # what a first request reads once
    with CaptureQueriesContext(connection) as few:
        api.get(f"{BASE}/accidents/")
    for n in range(6):
        AccidentFactory(unit=unit, latitude=LAT - Decimal(n) / 1000, longitude=LNG)
    with CaptureQueriesContext(connection) as more:
        rows = api.get(f"{BASE}/accidents/").json()["results"]
    assert len(more) == len(few), [q["sql"][:150] for q in more.captured_queries]
    assert {r["gazetteer_place_name"] for r in rows} == {"花园路与东昌东路路口", "花园路"}


# --- the import ----------------------------------------------------------------------------


def _sheet(*rows: str) -> SimpleUploadedFile:
    text = "发生时间,道路,地点,经度,纬度,路口路段,事故等级\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("accidents.csv", text.encode(), content_type="text/csv")


def test_the_import_takes_coordinates_or_a_place_name(api_as, clerk, unit, crossing, road):
    upload = _sheet(
        "2022-03-01 08:30,花园路,路口东侧,,,花园路与东昌东路路口,受伤",
        f"2022-03-02 09:00,花园路,,{LNG},{LAT + Decimal('0.0036')},,财产损失",
        "2022-03-03 17:45,花园路,,116.0060001,36.4565004,花园路,",
    )
    response = api_as(clerk).post(f"{BASE}/accidents/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()["errors"]
    assert response.json()["created"] == 3
    first, second, third = Accident.objects.order_by("occurred_at")
    assert first.gazetteer_place == crossing and (first.latitude, first.longitude) == (LAT, LNG)
    assert first.severity == Severity.INJURY and first.place == "路口东侧"
    assert second.gazetteer_place == road and second.h3_cell
    # a place named with a point: both kept, six decimals
    assert third.gazetteer_place == road and third.latitude == Decimal("36.456500")
    assert {a.unit for a in (first, second, third)} == {unit}


def test_an_unknown_place_name_is_an_error_of_its_row_and_nothing_is_written(
    api_as, clerk, crossing
):
    upload = _sheet(
        "2022-03-01 08:30,花园路,,,,花园路与东昌东路路口,",
        "2022-03-02 09:00,花园路,,,,不存在的路口,",
        "2022-03-03 09:00,花园路,,,,,",
        "2022-03-04 09:00,花园路,,116.006,,,",
        "2022-03-05 09:00,花园路,,116.006,90.0000001,,",
    )
    response = api_as(clerk).post(f"{BASE}/accidents/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    errors = {(e["row"], e["column"]) for e in response.json()["errors"]}
    assert errors == {
        (3, "gazetteer_place"),  # unknown name
        (4, "gazetteer_place"),  # neither coordinates nor a place
        (5, "latitude"),  # one coordinate alone
        (6, "latitude"),  # out of range
    }
    assert "不存在的路口" in str(response.json()["errors"])
    assert not Accident.objects.exists()


def test_a_nul_in_a_place_name_is_an_error_of_its_row(api_as, clerk, crossing):
    # past the file's first 4 KiB (a NUL there says: not a text file at all)
    filler = [
        f"2022-03-01 08:{n % 60:02d},花园路,{'路口' * 20},,,花园路与东昌东路路口,"
        for n in range(60)
    ]
    upload = _sheet(*filler, "2022-03-02 08:30,花园路,,,,花园路\x00与东昌东路路口,")
    response = api_as(clerk).post(f"{BASE}/accidents/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert [e["row"] for e in response.json()["errors"]] == [62]
    assert not Accident.objects.exists()


def test_a_nul_at_the_start_refuses_the_file(api_as, clerk, crossing):
    upload = _sheet("2022-03-01 08:30,花园路,,,,花园路\x00与东昌东路路口,")
    response = api_as(clerk).post(f"{BASE}/accidents/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    assert not Accident.objects.exists()


def test_the_import_is_the_desks_an_officer_gets_403(api_as, officer, crossing):
    upload = _sheet("2022-03-01 08:30,花园路,,,,花园路与东昌东路路口,")
    response = api_as(officer).post(
        f"{BASE}/accidents/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 403
    assert not Accident.objects.exists()


def test_a_dry_run_previews_and_writes_nothing(api_as, clerk, crossing):
    upload = _sheet("2022-03-01 08:30,花园路,,,,花园路与东昌东路路口,")
    response = api_as(clerk).post(
        f"{BASE}/accidents/import/?dry_run=1", {"file": upload}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["preview"][0]["place"] == "花园路与东昌东路路口"
    assert not Accident.objects.exists()


# --- the demo ------------------------------------------------------------------------------


def test_the_demo_clusters_injuries_at_four_crossings_in_the_half_year():
    context = brigade_demo.DemoContext(stdout=StringIO())
    context.units = brigade_demo.seed_units()
    brigade_demo.seed_places(context.units)
    brigade_demo.seed_places(context.units)  # a second run adds none
    assert Place.objects.filter(kind=PlaceKind.INTERSECTION).count() == len(crossings())
    demo.seed(context)
    harmed = Accident.objects.exclude(severity=Severity.PROPERTY).filter(
        occurred_at__date__range=(dt.date(2022, 1, 1), dt.date(2022, 6, 30))
    )
    per_cell = Counter(harmed.values_list("h3_cell", flat=True))
    per_place = Counter(harmed.values_list("gazetteer_place__name", flat=True))
    for name, _roads, count in demo.CLUSTERS:
        _ns, _ew, (lat, lng) = crossings()[name]
        assert per_place[name] == count
        # all within 30 m of the crossing: in its cell, or a neighbour of it
        cells = h3.grid_disk(_cell(lat, lng), 1)
        assert sum(per_cell[c] for c in cells) >= count
        assert per_cell[_cell(lat, lng)] >= 3
    # every demo accident is in Liaocheng, on a cell, on a road or crossing of the register
    assert not Accident.objects.filter(h3_cell="").exists()
    assert not Accident.objects.filter(gazetteer_place__isnull=True).exists()
