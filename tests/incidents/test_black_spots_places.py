"""Black spots at a gazetteer place (a road, an intersection): found, named after the place,
listed with a records_api that counts them, and kept up to date when an accident there
changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import h3
import pytest
import time_machine
from django.conf import settings

from brigade.core.dates import local_tz
from brigade.duty.choices import PlaceKind
from brigade.duty.models import Place
from incidents.choices import Severity, SpotKind
from incidents.models import BlackSpot
from tests.incidents.factories import AccidentFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 6, 30, 12, 0, tzinfo=local_tz())
HOME = h3.latlng_to_cell(36.45, 115.98, settings.H3_RESOLUTION)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def crossing(db):
    lat, lng = h3.cell_to_latlng(HOME)
    place = Place(
        name="东昌路与柳园路口",
        kind=PlaceKind.INTERSECTION,
        latitude=Decimal(f"{lat:.6f}"),
        longitude=Decimal(f"{lng:.6f}"),
    )
    place.full_clean()
    place.save()
    return place


def crash(unit, place, days_ago: int = 10):
    return AccidentFactory(
        unit=unit,
        latitude=place.latitude,
        longitude=place.longitude,
        gazetteer_place=place,
        occurred_at=NOW - dt.timedelta(days=days_ago),
        severity=Severity.INJURY,
    )


def test_a_place_with_enough_accidents_is_a_spot_named_after_it(
    unit, crossing, brigade_commander, api_as, django_capture_on_commit_callbacks
):
    # given: three accidents at the crossing, recorded (the update runs after each commit)
    with django_capture_on_commit_callbacks(execute=True):
        for days in (3, 4, 5):
            crash(unit, crossing, days)

    # then: a spot of the place and one of its cell, both named after the crossing
    spots = {s.kind: s for s in BlackSpot.objects.filter(current=True)}
    assert set(spots) == {SpotKind.PLACE, SpotKind.CELL}
    assert spots[SpotKind.PLACE].place == crossing
    assert spots[SpotKind.PLACE].accidents == 3
    client = api_as(brigade_commander)
    rows = client.get("/api/v1/incidents/black-spots/").json()["results"]
    assert {row["place_name"] for row in rows} == {"东昌路与柳园路口"}
    for row in rows:
        assert client.get(row["records_api"]).json()["count"] == row["accidents"] == 3


def test_the_place_spot_goes_when_an_accident_there_is_deleted(
    unit, crossing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accidents = [crash(unit, crossing, days) for days in (3, 4, 5)]
    [spot] = BlackSpot.objects.filter(kind=SpotKind.PLACE)
    with django_capture_on_commit_callbacks(execute=True):
        accidents[0].delete()
    # no longer a spot: not listed, but kept (the period it was identified in counts it)
    assert not BlackSpot.objects.listed().exists()
    [kept] = BlackSpot.objects.filter(kind=SpotKind.PLACE)
    assert (kept.pk, kept.current, kept.rank, kept.created_at) == (
        spot.pk,
        False,
        0,
        spot.created_at,
    )
