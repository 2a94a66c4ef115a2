"""A point on the map: the latitude/longitude pair, its bounds and its rule.

A record (a hazard, an accident, a ticket) is placed by both coordinates or by neither: one
alone places nothing. Degrees with six decimals (about 0.1 m), latitude within ±90,
longitude within ±180. The model, form and API fields below carry the bounds; ``check_point``
says the rule, for the services (and the forms, so that one submit shows every error).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from decimal import Decimal

import h3
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

BOUNDS = {"latitude": 90, "longitude": 180}
BOTH_OR_NEITHER = _("Give both latitude and longitude, or neither.")


def _validators(name: str) -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(-BOUNDS[name]), MaxValueValidator(BOUNDS[name])]


def model_field(name: str, *, null: bool = True) -> models.DecimalField:
    """The model field ``latitude`` or ``longitude`` (bounded, optional on a form); with
    ``null=False`` the record always has one, which its ``clean`` fills when left out."""
    verbose = _("latitude") if name == "latitude" else _("longitude")
    return models.DecimalField(
        verbose,
        max_digits=9,
        decimal_places=6,
        null=null,
        blank=True,
        validators=_validators(name),
    )


def form_field(name: str) -> forms.DecimalField:
    """The page's field ``latitude`` or ``longitude``: optional, bounded, a phone's decimal
    keyboard."""
    return forms.DecimalField(
        label=_("Latitude") if name == "latitude" else _("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        validators=_validators(name),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def serializer_field(name: str) -> serializers.DecimalField:
    """The API's field ``latitude`` or ``longitude``: optional, nullable, bounded."""
    bound = BOUNDS[name]
    return serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-bound,
        max_value=bound,
        required=False,
        allow_null=True,
    )


def point_errors(
    latitude: Decimal | None,
    longitude: Decimal | None,
    *,
    on_missing: bool = False,
    bounded: bool = False,
) -> dict[str, str]:
    """The field errors of a pair given by halves: on ``latitude``, or with ``on_missing``
    on the coordinate left out; with ``bounded``, also a coordinate out of its range (for
    input no bounded field has read)."""
    errors: dict[str, str] = {}
    if (latitude is None) != (longitude is None):
        field = "longitude" if on_missing and longitude is None else "latitude"
        errors[field] = str(BOTH_OR_NEITHER)
    if bounded:
        if latitude is not None and not -90 <= latitude <= 90:
            errors["latitude"] = str(_("A latitude lies between -90 and 90."))
        if longitude is not None and not -180 <= longitude <= 180:
            errors["longitude"] = str(_("A longitude lies between -180 and 180."))
    return errors


def check_point(
    latitude: Decimal | None,
    longitude: Decimal | None,
    *,
    on_missing: bool = False,
    bounded: bool = False,
) -> None:
    """Raise ``ValidationError`` with ``point_errors`` if there are any."""
    errors = point_errors(latitude, longitude, on_missing=on_missing, bounded=bounded)
    if errors:
        raise ValidationError(errors)


# --- the map's background ----------------------------------------------------------------------


def map_config() -> dict[str, object]:
    """What every map of the app starts from: the tile server (``tiles``, "" when there is
    none: the points show on a plain background), its attribution, and where the map opens
    when there is nothing to show (``center``, [lat, lng])."""
    return {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": list(settings.MAP_CENTER),
    }


# --- the grid: a point's hexagonal cell -------------------------------------------------------

# A cell id of h3 (15 hex digits) with room to spare.
CELL_LENGTH = 16


def h3_cell(
    latitude: Decimal | float | None,
    longitude: Decimal | float | None,
    resolution: int | None = None,
) -> str:
    """The h3 cell of a point at ``resolution`` (settings.H3_RESOLUTION unless given), or
    "" for a point not given whole: what a record's ``h3_cell`` holds, so that counting the
    accidents of an area is a grouped query on one indexed column."""
    if latitude is None or longitude is None:
        return ""
    if resolution is None:
        resolution = settings.H3_RESOLUTION
    return str(h3.latlng_to_cell(float(latitude), float(longitude), resolution))


def cell_field() -> models.CharField:
    """The model field ``h3_cell``: filled on save from the record's point, never typed."""
    return models.CharField(
        _("map cell"),
        max_length=CELL_LENGTH,
        blank=True,
        default="",
        # rows written by SQL (the benchmarks' loaders) need not know this column
        db_default="",
        db_index=True,
        editable=False,
        help_text=_("The hexagonal grid cell of the point (h3), set when the record is saved."),
    )


# --- distances: a point to a point, to a line ----------------------------------------------

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat = p2 - p1
    dlng = math.radians(lng2 - lng1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def segment_distance_m(
    point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]
) -> float:
    """The distance from ``point`` to the straight stretch ``start``–``end`` (each
    (lat, lng)), in metres: on a plane tangent at the point, which is exact enough for the
    few hundred metres a road's stretch spans."""
    lat0, lng0 = point
    scale_y = math.radians(1) * EARTH_RADIUS_M
    scale_x = scale_y * math.cos(math.radians(lat0))
    ax, ay = (start[1] - lng0) * scale_x, (start[0] - lat0) * scale_y
    bx, by = (end[1] - lng0) * scale_x, (end[0] - lat0) * scale_y
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    return math.hypot(ax + t * dx, ay + t * dy)


def line_distance_m(point: tuple[float, float], line: Sequence[Sequence[float]]) -> float:
    """The distance from ``point`` to a polyline of (lat, lng) vertices, in metres."""
    if len(line) == 1:
        return haversine_m(point[0], point[1], line[0][0], line[0][1])
    return min(
        segment_distance_m(point, (a[0], a[1]), (b[0], b[1])) for a, b in itertools.pairwise(line)
    )


def line_midpoint(line: Sequence[Sequence[float]]) -> tuple[float, float]:
    """The point halfway along a polyline (by length), (lat, lng)."""
    lengths = [haversine_m(a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(line)]
    half = sum(lengths) / 2
    for (a, b), length in zip(itertools.pairwise(line), lengths, strict=True):
        if length >= half and length > 0:
            t = half / length
            return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        half -= length
    return float(line[0][0]), float(line[0][1])


def check_line(value: object) -> list[list[float]]:
    """A line as the gazetteer keeps it: a list of at least two [lat, lng] vertices within
    WGS-84's ranges; raise ``ValidationError`` otherwise."""
    message = _("Give the line as a list of at least two [latitude, longitude] pairs.")
    if not isinstance(value, list) or len(value) < 2:
        raise ValidationError(message)
    vertices: list[list[float]] = []
    for vertex in value:
        if (
            not isinstance(vertex, list | tuple)
            or len(vertex) != 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in vertex)
        ):
            raise ValidationError(message)
        lat, lng = float(vertex[0]), float(vertex[1])
        if not (math.isfinite(lat) and math.isfinite(lng)) or not (
            -90 <= lat <= 90 and -180 <= lng <= 180
        ):
            raise ValidationError(
                _("A vertex of the line lies outside latitude ±90, longitude ±180.")
            )
        vertices.append([lat, lng])
    return vertices
