"""Where the demo's roads are: the report's brigade works in Liaocheng (聊城), Dongchangfu
district, so every demo coordinate lies there.

Each road is a straight stretch between two points (WGS-84), laid out so that the crossings
the demo names meet (花园路 and 东昌东路, 东昌东路 and 柳园路 or 振兴路, 建设东路 and 兴华路)
and the bridge continues 兴华路 east over the river. These are demo positions around the
city centre, not surveyed ones.

The brigade's gazetteer (``seed_places``) registers these roads, each with its line and its
squadron, and every crossing of two of them as an intersection ("花园路与东昌东路路口").
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brigade.duty.models import Place, Unit

# The map's default centre (settings.MAP_CENTER): central Liaocheng, north of 东昌湖.
CENTER = (36.456, 115.985)

# Everything the demo places lies within this box (south, west, north, east).
LIAOCHENG_BOX = (36.38, 115.90, 36.52, 116.10)

# road -> (one end, the other end), each (latitude, longitude)
ROADS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    # the roads under works the report names (FIGURES.md row 22)
    "花园路": ((36.4420, 116.0060), (36.4740, 116.0060)),
    "东昌东路": ((36.4565, 115.9900), (36.4565, 116.0420)),
    "建设东路": ((36.4480, 116.0150), (36.4760, 116.0150)),
    "兴华路": ((36.4680, 115.9700), (36.4680, 116.0400)),
    "兴华路大桥": ((36.4680, 116.0400), (36.4680, 116.0480)),
    # the other roads of the squadrons' accidents
    "柳园路": ((36.4400, 116.0200), (36.4720, 116.0200)),
    "振兴路": ((36.4450, 116.0320), (36.4700, 116.0320)),
    "站前街": ((36.4500, 115.9500), (36.4500, 115.9650)),
    "光岳路": ((36.4300, 115.9880), (36.4700, 115.9880)),
    "湖南路": ((36.4320, 115.9600), (36.4320, 116.0300)),
    "卫育路": ((36.4380, 115.9960), (36.4680, 115.9960)),
    "东关街": ((36.4450, 115.9880), (36.4450, 115.9980)),
    "利民路": ((36.4620, 115.9700), (36.4620, 116.0200)),
}

SIX_PLACES = Decimal("0.000001")


def point_on(road: str, fraction: float) -> tuple[Decimal, Decimal]:
    """The point ``fraction`` (0..1) of the way along ``road``, six decimals."""
    (lat1, lng1), (lat2, lng2) = ROADS[road]
    fraction = min(max(fraction, 0.0), 1.0)
    lat = lat1 + (lat2 - lat1) * fraction
    lng = lng1 + (lng2 - lng1) * fraction
    return Decimal(str(lat)).quantize(SIX_PLACES), Decimal(str(lng)).quantize(SIX_PLACES)


def in_liaocheng(latitude: float | Decimal, longitude: float | Decimal) -> bool:
    south, west, north, east = LIAOCHENG_BOX
    return south <= float(latitude) <= north and west <= float(longitude) <= east


# the squadron whose area each road lies in (the accidents' roads, incidents/demo.py)
ROAD_UNITS = {
    "花园路": "sq1",
    "东昌东路": "sq1",
    "柳园路": "sq1",
    "站前街": "sq1",
    "建设东路": "sq2",
    "光岳路": "sq2",
    "湖南路": "sq2",
    "振兴路": "sq2",
    "兴华路": "sq2",
    "兴华路大桥": "sq3",
    "卫育路": "sq3",
    "东关街": "sq3",
    "利民路": "sq3",
}
METRES_PER_DEGREE = 111_195.0


def crossing_name(first: str, second: str) -> str:
    return f"{first}与{second}路口"


def crossings() -> dict[str, tuple[str, str, tuple[Decimal, Decimal]]]:
    """Every crossing of a north-south road with an east-west one: name -> (the north-south
    road, the east-west road, the point)."""
    north_south = {r: e for r, e in ROADS.items() if e[0][1] == e[1][1]}
    east_west = {r: e for r, e in ROADS.items() if e[0][0] == e[1][0]}
    found = {}
    for ns, ((lat1, lng), (lat2, _lng)) in north_south.items():
        for ew, ((lat, lng1), (_lat, lng2)) in east_west.items():
            if min(lat1, lat2) <= lat <= max(lat1, lat2) and min(lng1, lng2) <= lng <= max(
                lng1, lng2
            ):
                found[crossing_name(ns, ew)] = (ns, ew, _point(lat, lng))
    return found


def near_crossing(road: str, crossing: str, metres: float) -> tuple[Decimal, Decimal]:
    """The point ``metres`` along ``road`` from ``crossing`` (negative: the other way)."""
    (_lat1, lng1), (_lat2, lng2) = ROADS[road]
    _ns, _ew, (lat, lng) = crossings()[crossing]
    if lng1 == lng2:  # north-south
        dlat, dlng = metres / METRES_PER_DEGREE, 0.0
    else:
        dlat, dlng = 0.0, metres / (METRES_PER_DEGREE * math.cos(math.radians(float(lat))))
    return _point(float(lat) + dlat, float(lng) + dlng)


def _point(lat: float, lng: float) -> tuple[Decimal, Decimal]:
    return Decimal(str(lat)).quantize(SIX_PLACES), Decimal(str(lng)).quantize(SIX_PLACES)


def seed_places(units: dict[str, Unit]) -> list[Place]:
    """The gazetteer: the roads with their lines, then their crossings. Found again by
    name; a second run writes nothing."""
    from brigade.core import geo
    from brigade.duty.choices import PlaceKind
    from brigade.duty.models import Place

    wanted: list[tuple[str, str, tuple[Decimal, Decimal], list[list[float]] | None, str]] = []
    for road, (start, end) in ROADS.items():
        mid_lat, mid_lng = geo.line_midpoint([list(start), list(end)])
        point = (Decimal(f"{mid_lat:.6f}"), Decimal(f"{mid_lng:.6f}"))
        wanted.append((road, PlaceKind.ROAD, point, [list(start), list(end)], ROAD_UNITS[road]))
    for name, (ns, _ew, point) in crossings().items():
        wanted.append((name, PlaceKind.INTERSECTION, point, None, ROAD_UNITS[ns]))
    existing = {p.name: p for p in Place.objects.filter(name__in=[w[0] for w in wanted])}
    places = []
    for name, kind, (latitude, longitude), line, unit in wanted:
        place = existing.get(name)
        if place is None:
            place = Place(
                name=name,
                kind=kind,
                latitude=latitude,
                longitude=longitude,
                line=line,
                unit=units.get(unit),
            )
            place.full_clean()
            place.save()
        places.append(place)
    return places
