"""Where the demo's roads are: the report's brigade works in Liaocheng (聊城), Dongchangfu
district, so every demo coordinate lies there.

Each road is a straight stretch between two points (WGS-84), laid out so that the crossings
the demo names meet (花园路 and 东昌东路, 东昌东路 and 柳园路 or 振兴路, 建设东路 and 兴华路)
and the bridge continues 兴华路 east over the river. These are demo positions around the
city centre, not surveyed ones.
"""

from __future__ import annotations

from decimal import Decimal

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
