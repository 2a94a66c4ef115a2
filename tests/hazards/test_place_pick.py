"""Where a hazard is: the place picked from the gazetteer on the report form and in the API
(kept, not replaced by the nearest place; its point taken when none is given), and the
small map every form with a position shows (rendered by the shared partial)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from brigade.duty.choices import PlaceKind
from brigade.duty.models import Place
from hazards.models import Hazard
from hazards.services import hazards as services

pytestmark = pytest.mark.django_db

REPORT = "/hazards/report/"
API = "/api/v1/hazards/hazards/"


def make_place(name: str, lat: str, lng: str, **extra) -> Place:  # type: ignore[no-untyped-def]
    place = Place(
        name=name,
        kind=extra.pop("kind", PlaceKind.INTERSECTION),
        latitude=Decimal(lat),
        longitude=Decimal(lng),
        **extra,
    )
    place.full_clean()
    place.save()
    return place


@pytest.fixture
def crossing(db):  # type: ignore[no-untyped-def]
    return make_place("东昌路与柳园路口", "36.456000", "115.985000")


@pytest.fixture
def near(db):  # type: ignore[no-untyped-def]
    """A crossing 11 m from the point the reports below give: the nearest place to it."""
    return make_place("东昌路与花园路口", "36.460100", "115.985000")


POINT = {"latitude": "36.460000", "longitude": "115.985000"}


def report(**extra: str) -> dict[str, str]:
    return {
        "element": "road",
        "road": "东昌路",
        "description": "井盖缺失",
        "severity": "high",
        "source": "patrol",
        **extra,
    }


def test_the_report_form_has_the_register_and_the_map(client, officer, crossing):
    client.force_login(officer)

    html = client.get(REPORT).text

    # the register's select, its options carrying their points, before the position block
    assert 'id="id_gazetteer_place"' in html
    assert 'data-lat="36.456000" data-lng="115.985000"' in html
    assert html.index('id="id_gazetteer_place"') < html.index('data-testid="hazard-position"')
    # the map, hidden until its script shows it, with Leaflet and the tiles' settings
    assert 'data-testid="position-map"' in html and "/static/brigade/map_pick.js" in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert 'id="position-map-config"' in html


@pytest.mark.parametrize(
    "name", ["incidents:accident_create", "incidents:accident_quick_settlement"]
)
def test_the_accident_forms_show_the_same_map(client, officer, name):
    client.force_login(officer)

    html = client.get(reverse(name)).text

    assert html.count('data-testid="position-map"') == 1
    assert 'id="id_gazetteer_place"' in html and "/static/brigade/map_pick.js" in html


def test_without_tiles_the_map_is_a_plain_grid(client, officer, settings):
    settings.MAP_TILE_URL = ""
    client.force_login(officer)
    assert "position-map-plain" in client.get(REPORT).text
    settings.MAP_TILE_URL = "http://tiles.local/{z}/{x}/{y}.png"
    html = client.get(REPORT).text
    assert "position-map-plain" not in html
    assert "http://tiles.local/{z}/{x}/{y}.png" in html


def test_without_a_pick_the_report_takes_the_nearest_place(client, officer, crossing, near):
    client.force_login(officer)

    client.post(REPORT, report(**POINT))

    assert Hazard.objects.get().gazetteer_place == near


def test_a_place_picked_on_the_form_is_kept(client, officer, crossing, near):
    client.force_login(officer)

    answer = client.post(REPORT, report(gazetteer_place=str(crossing.pk), **POINT))

    hazard = Hazard.objects.get()
    assert answer.status_code == 302
    # the pick wins over the nearer crossing; the point typed stays
    assert hazard.gazetteer_place == crossing
    assert (hazard.latitude, hazard.longitude) == (Decimal("36.460000"), Decimal("115.985000"))
    # and the hazard's page names it
    detail = client.get(answer["Location"]).text
    assert 'data-testid="hazard-gazetteer-place">东昌路与柳园路口<' in detail


def test_a_place_picked_without_a_point_gives_its_point(client, officer, crossing):
    client.force_login(officer)

    client.post(REPORT, report(gazetteer_place=str(crossing.pk)))

    hazard = Hazard.objects.get()
    assert hazard.gazetteer_place == crossing
    assert (hazard.latitude, hazard.longitude) == (crossing.latitude, crossing.longitude)
    assert hazard.h3_cell


def test_a_place_off_the_register_is_refused(client, officer):
    closed = make_place("旧路口", "36.456000", "115.985000", is_active=False)
    client.force_login(officer)

    answer = client.post(REPORT, report(gazetteer_place=str(closed.pk)))

    assert answer.status_code == 400
    assert 'data-testid="error-gazetteer_place"' in answer.text
    assert not Hazard.objects.exists()


def test_the_api_keeps_the_place_picked(api_as, officer, crossing, near):
    answer = api_as(officer).post(API, {**report(**POINT), "gazetteer_place": crossing.pk})

    assert answer.status_code == 201, answer.content
    assert answer.json()["gazetteer_place"] == crossing.pk
    assert Hazard.objects.get().gazetteer_place == crossing


def test_the_api_refuses_a_place_off_the_register(api_as, officer):
    closed = make_place("旧路口", "36.456000", "115.985000", is_active=False)

    answer = api_as(officer).post(API, {**report(), "gazetteer_place": closed.pk})

    assert answer.status_code == 400
    assert "gazetteer_place" in answer.json()
    assert not Hazard.objects.exists()


def test_a_corrected_point_takes_the_place_nearest_to_it(unit, crossing, near):
    hazard = services.hazard_report(
        unit=unit, element="road", road="东昌路", description="x", gazetteer_place=crossing
    )
    assert hazard.gazetteer_place == crossing

    services.hazard_update(
        hazard=hazard, latitude=Decimal("36.460000"), longitude=Decimal("115.985000")
    )

    hazard.refresh_from_db()
    assert hazard.gazetteer_place == near


def test_a_correction_that_keeps_the_point_keeps_the_place(unit, crossing, near):
    hazard = services.hazard_report(
        unit=unit,
        element="road",
        road="东昌路",
        description="x",
        gazetteer_place=crossing,
        **{"latitude": Decimal("36.460000"), "longitude": Decimal("115.985000")},
    )

    services.hazard_update(hazard=hazard, description="井盖缺失", latitude=Decimal("36.46"))

    hazard.refresh_from_db()
    assert hazard.gazetteer_place == crossing


def test_the_report_page_is_still_for_signed_in_users_only(client):
    answer = client.get(REPORT)
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_the_report_form_reads_the_register_in_one_query(
    client, officer, crossing, django_assert_num_queries
):
    client.force_login(officer)
    client.get(REPORT)
    with django_assert_num_queries(9) as one:
        assert client.get(REPORT).text.count("data-lat=") == 1
    for n in range(5):
        make_place(f"路口{n}", f"36.45{n}000", "115.990000")
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(REPORT).text.count("data-lat=") == 6
