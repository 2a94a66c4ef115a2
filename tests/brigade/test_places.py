"""The brigade's gazetteer of roads and intersections: a place's point and line, the
nearest place to a point within the snap distance, and the grid cell of a point."""

from __future__ import annotations

from decimal import Decimal

import h3
import pytest
from django.core.exceptions import ValidationError

from brigade.core import geo
from brigade.duty.choices import PlaceKind
from brigade.duty.models import Place
from brigade.duty.places import distance_m, nearest_place

pytestmark = pytest.mark.django_db

# 花园路 × 东昌东路 in the demo's layout
CROSSING = (Decimal("36.456500"), Decimal("116.006000"))
# one metre of latitude, in degrees
METRE = 1 / (geo.EARTH_RADIUS_M * 3.141592653589793 / 180)


def _place(name: str, kind: str, lat: float, lng: float, **fields: object) -> Place:
    place = Place(
        name=name,
        kind=kind,
        latitude=Decimal(f"{lat:.6f}"),
        longitude=Decimal(f"{lng:.6f}"),
        **fields,
    )
    place.full_clean()
    place.save()
    return place


def test_cell_is_h3_at_the_configured_resolution(settings):
    settings.H3_RESOLUTION = 9
    lat, lng = CROSSING
    assert geo.h3_cell(lat, lng) == h3.latlng_to_cell(36.4565, 116.006, 9)
    assert h3.get_resolution(geo.h3_cell(lat, lng)) == 9
    settings.H3_RESOLUTION = 10
    assert geo.h3_cell(lat, lng) == h3.latlng_to_cell(36.4565, 116.006, 10)
    assert geo.h3_cell(lat, lng, resolution=7) == h3.latlng_to_cell(36.4565, 116.006, 7)


def test_no_cell_without_both_coordinates():
    assert geo.h3_cell(None, None) == ""
    assert geo.h3_cell(Decimal("36.45"), None) == ""
    assert geo.h3_cell(None, Decimal("115.98")) == ""


def test_cells_at_the_bounds_of_wgs84():
    for lat, lng in [(90, 180), (-90, -180), (0, 0), (Decimal("89.999999"), Decimal("-180"))]:
        cell = geo.h3_cell(lat, lng)
        assert h3.is_valid_cell(cell) and len(cell) <= geo.CELL_LENGTH


def test_nearest_is_the_closest_point_within_the_snap_distance(settings):
    settings.PLACE_SNAP_METRES = 150
    lat, lng = float(CROSSING[0]), float(CROSSING[1])
    near = _place("近处路口", PlaceKind.INTERSECTION, lat + 40 * METRE, lng)
    _place("远一点路口", PlaceKind.INTERSECTION, lat + 90 * METRE, lng)
    assert nearest_place(*CROSSING) == near
    assert round(distance_m(near, lat, lng)) == 40


def test_nothing_outside_the_snap_distance(settings):
    settings.PLACE_SNAP_METRES = 150
    lat, lng = float(CROSSING[0]), float(CROSSING[1])
    _place("路口甲", PlaceKind.INTERSECTION, lat + 151 * METRE, lng)
    assert nearest_place(*CROSSING) is None
    assert nearest_place(*CROSSING, within=152) is not None
    settings.PLACE_SNAP_METRES = 152
    assert nearest_place(*CROSSING).name == "路口甲"


def test_an_inactive_place_is_not_snapped_to():
    lat, lng = float(CROSSING[0]), float(CROSSING[1])
    _place("已撤销路口", PlaceKind.INTERSECTION, lat, lng, is_active=False)
    assert nearest_place(*CROSSING) is None


def test_equidistant_places_the_intersection_first_then_the_older():
    lat, lng = float(CROSSING[0]), float(CROSSING[1])
    road_north = _place("北侧路段", PlaceKind.SEGMENT, lat + 50 * METRE, lng)
    _place("南侧路段", PlaceKind.SEGMENT, lat - 50 * METRE, lng)
    assert nearest_place(*CROSSING) == road_north  # the lower id of two alike
    crossing = _place("东侧路口", PlaceKind.INTERSECTION, lat, lng + 50 * METRE / 0.8044)
    assert round(distance_m(crossing, lat, lng)) == 50
    assert nearest_place(*CROSSING) == crossing


def test_a_line_is_measured_to_its_nearest_stretch(settings):
    settings.PLACE_SNAP_METRES = 150
    lat, lng = float(CROSSING[0]), float(CROSSING[1])
    # a road 4.4 km long running north-south 100 m east of the point: its midpoint is far
    # away, its line is not
    east = lng + 100 * METRE / 0.8044
    road = Place(
        name="长路",
        kind=PlaceKind.ROAD,
        line=[[lat - 0.03, east], [lat - 0.01, east], [lat + 0.01, east]],
    )
    road.full_clean()
    road.save()
    assert abs(float(road.latitude) - lat) > 0.001  # the midpoint, not near the point
    assert round(distance_m(road, lat, lng)) == 100
    assert nearest_place(*CROSSING) == road
    # past the line's end the distance is to the end vertex
    far_south = lat - 0.03 - 100 * METRE
    assert round(distance_m(road, far_south, east)) == 100


def test_a_line_needs_two_vertices_within_wgs84():
    for line in ([[36.4, 115.9]], [[36.4, 115.9], [90.0000001, 115.9]], [[36.4], [36.5, 116]], "x"):
        place = Place(name="坏路", kind=PlaceKind.ROAD, line=line)
        with pytest.raises(ValidationError) as error:
            place.full_clean()
        assert "line" in error.value.message_dict


def test_a_place_needs_a_point_or_a_line():
    place = Place(name="无处", kind=PlaceKind.INTERSECTION)
    with pytest.raises(ValidationError) as error:
        place.full_clean()
    assert "latitude" in error.value.message_dict


def test_a_crossing_near_enough_wins_over_the_road_through_it(settings):
    settings.PLACE_INTERSECTION_METRES = 50
    lat, lng = float(CROSSING[0]), float(CROSSING[1])
    road = Place(name="花园路", kind=PlaceKind.ROAD, line=[[lat - 0.01, lng], [lat + 0.01, lng]])
    road.full_clean()
    road.save()
    crossing = _place("花园路与东昌东路路口", PlaceKind.INTERSECTION, lat, lng)
    # on the road's line, 40 m from the crossing: the crossing's
    assert nearest_place(lat + 40 * METRE, lng) == crossing
    # 60 m from it: the road's
    assert nearest_place(lat + 60 * METRE, lng) == road
