"""Placing a record: its point's grid cell and its nearest place in the gazetteer.

The nearest place is looked for within settings.PLACE_SNAP_METRES of the point: the places
whose box (point and line, kept on save) comes that near are read by one indexed range
query, then measured in Python (a point by haversine, a line by its nearest stretch). An
intersection within settings.PLACE_INTERSECTION_METRES wins over the roads through it (an
accident at the mouth of a crossing belongs to the crossing, though it lies on a road's
line). Of places equally near (to the centimetre), an intersection comes before a road
segment and a road, then the lower id.

Records written one by one are placed on save (``locate``); records created in bulk are
placed afterwards by ``locate_all``, one UPDATE per cell and per place.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from brigade.core import geo
from brigade.duty.choices import PlaceKind
from brigade.duty.models import Place

# which kind wins a tie, first to last
KIND_ORDER: dict[str, int] = {PlaceKind.INTERSECTION: 0, PlaceKind.SEGMENT: 1, PlaceKind.ROAD: 2}
METRES_PER_DEGREE = math.radians(1) * geo.EARTH_RADIUS_M


def distance_m(place: Place, latitude: float, longitude: float) -> float:
    """How far ``place`` (its line, or its point) lies from the point, in metres."""
    if place.line:
        return geo.line_distance_m((latitude, longitude), place.vertices())
    return geo.haversine_m(latitude, longitude, float(place.latitude), float(place.longitude))


def _box(latitude: float, longitude: float, metres: float) -> models.Q:
    dlat = metres / METRES_PER_DEGREE
    dlng = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 1e-6))
    return models.Q(
        south__lte=latitude + dlat,
        north__gte=latitude - dlat,
        west__lte=longitude + dlng,
        east__gte=longitude - dlng,
    )


def _best(
    candidates: Iterable[Place], latitude: float, longitude: float, metres: float
) -> Place | None:
    crossing = settings.PLACE_INTERSECTION_METRES
    ranked = [
        (
            # a crossing this near wins over the roads through it
            not (place.kind == PlaceKind.INTERSECTION and distance <= crossing),
            round(distance, 2),
            KIND_ORDER.get(place.kind, 9),
            place.pk,
            place,
        )
        for place in candidates
        if (distance := distance_m(place, latitude, longitude)) <= metres
    ]
    return min(ranked, key=lambda r: r[:4])[4] if ranked else None


def nearest_place(
    latitude: Decimal | float | None,
    longitude: Decimal | float | None,
    *,
    within: float | None = None,
) -> Place | None:
    """The active gazetteer place nearest to the point within ``within`` metres
    (settings.PLACE_SNAP_METRES unless given), or None."""
    if latitude is None or longitude is None:
        return None
    metres = settings.PLACE_SNAP_METRES if within is None else within
    lat, lng = float(latitude), float(longitude)
    candidates = Place.objects.filter(_box(lat, lng, metres), is_active=True)
    return _best(candidates, lat, lng, metres)


def check_place(place: Place | None) -> None:
    """A place newly picked must be on the register (active)."""
    if place is not None and not place.is_active:
        raise ValidationError({"gazetteer_place": _("This place is no longer on the register.")})


def point_from_place(data: dict[str, Any]) -> None:
    """A place picked with no point given: the record takes the place's point (``data``
    holds ``gazetteer_place``, ``latitude`` and ``longitude``)."""
    place = data.get("gazetteer_place")
    if place is not None and data.get("latitude") is None and data.get("longitude") is None:
        data["latitude"], data["longitude"] = place.latitude, place.longitude


def locate(record: Any) -> None:
    """Set a record's ``h3_cell`` from its point and, when it names no place, its nearest
    ``gazetteer_place`` (a place picked is kept)."""
    record.h3_cell = geo.h3_cell(record.latitude, record.longitude)
    if record.gazetteer_place_id is None and record.h3_cell:
        record.gazetteer_place = nearest_place(record.latitude, record.longitude)


def locate_all(queryset: models.QuerySet[Any]) -> int:
    """Place the records of ``queryset`` that have a point (records created in bulk, which
    no save placed): their cells, and their nearest places where they name none. One query
    reads them and the gazetteer, then one UPDATE per cell and per place. Returns how many
    records have a point."""
    rows = list(
        queryset.filter(latitude__isnull=False, longitude__isnull=False).values_list(
            "pk", "latitude", "longitude", "gazetteer_place_id", "h3_cell"
        )
    )
    if not rows:
        return 0
    places = list(Place.objects.filter(is_active=True))
    metres = settings.PLACE_SNAP_METRES
    by_cell: dict[str, list[int]] = defaultdict(list)
    by_place: dict[int, list[int]] = defaultdict(list)
    for pk, lat, lng, place_id, cell in rows:
        new_cell = geo.h3_cell(lat, lng)
        if new_cell != cell:
            by_cell[new_cell].append(pk)
        if place_id is None:
            flat, flng = float(lat), float(lng)
            dlat = metres / METRES_PER_DEGREE
            dlng = dlat / max(math.cos(math.radians(flat)), 1e-6)
            near = [
                p
                for p in places
                if p.south - dlat <= flat <= p.north + dlat
                and p.west - dlng <= flng <= p.east + dlng
            ]
            best = _best(near, flat, flng, metres)
            if best is not None:
                by_place[best.pk].append(pk)
    model = queryset.model
    for cell, pks in by_cell.items():
        for chunk in _chunks(pks):
            model._default_manager.filter(pk__in=chunk).update(h3_cell=cell)
    for place_id, pks in by_place.items():
        for chunk in _chunks(pks):
            model._default_manager.filter(pk__in=chunk).update(gazetteer_place_id=place_id)
    return len(rows)


def _chunks(pks: list[int], size: int = 5000) -> Iterable[list[int]]:
    # within any database's limit of query parameters
    for start in range(0, len(pks), size):
        yield pks[start : start + size]
