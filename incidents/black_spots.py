"""Black spots (事故多发点段): where a unit's accidents with injuries or deaths cluster.

The rule, for one unit and a window of days (both included; by default the rolling
``BLACK_SPOT_WINDOW_DAYS`` ending today):

- Accidents are counted in the map grid's cells (``Accident.h3_cell``, the h3 grid at
  ``BLACK_SPOT_H3_RESOLUTION``). A cell's *ring* is the cell and its six neighbours; its
  *tally* is the ring's accidents, those with injuries, the fatal ones.
- A cell with accidents whose tally meets EVERY threshold (``BLACK_SPOT_MIN_ACCIDENTS``,
  ``_MIN_INJURIES``, ``_MIN_FATALITIES``; 0: no condition) is a candidate.
- Candidates are ranked (most accidents, then most fatal, then most with injuries, then
  most in the centre cell itself, then the cell's id). Going down the ranks, a candidate
  whose ring shares a cell with the ring of a spot already taken is merged into it (left
  out): a cluster across two or three cells is ONE spot, and no accident is counted by
  two spots of a unit.
- A gazetteer place (road, intersection, segment) whose accidents (``Accident.gazetteer_place``)
  meet the thresholds is a spot of its own (``kind`` place): the road a report names.

Set-based: ONE grouped query by unit, cell and place gives every count and the hours and
roads the spots are described by (on PostgreSQL as arrays per cell); the rings are summed
in Python over those few thousand rows on h3's integer ids, never a query per accident.
The vehicle kinds and the places that name the spots cost one query each.

The incremental update of a changed cell recomputes only the spots around it: the cells
within three steps (whose rings or merges the change can move), with the spots beyond
them kept as they are; the nightly recompute settles the rare chain of merges that
reaches further.

The stored spots keep their history: a spot no longer found stays, not current (it is
not listed), so that the periods it was identified in (``created_at``) keep counting it;
found again, it is current again with the same id and first identification. A cluster
whose centre moves to a neighbouring cell keeps its row (see ``save``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import json
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import h3
from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connections, transaction
from django.db.models import BigIntegerField, Count, IntegerField, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast, ExtractHour
from django.utils import timezone
from h3.api import basic_int as h3_int

from brigade.core.bulk import update_rows
from brigade.core.dates import today
from brigade.core.prepared import Prepared
from incidents.choices import SERIOUS, Severity, SpotKind
from incidents.models import Accident, AccidentParty, BlackSpot, BlackSpotMark
from incidents.querysets import day_bounds

logger = logging.getLogger(__name__)

# how many of the most frequent hours and vehicle kinds a spot names
TOP = 3
# a gazetteer place farther than this from a spot's centre does not name it (metres)
NAMING_DISTANCE_M = 500
# the cells an incremental update recomputes around a change: the candidates whose ring
# or whose merge with a neighbour the change can move
REACH = 3
# up to this many spots, their vehicle kinds are read by their own cells and places
FEW = 20
# PostgreSQL's work_mem for the whole window's grouped query (its transaction only)
SORT_MEMORY = "64MB"


@dataclass(frozen=True)
class Thresholds:
    """All must be met (a spot's accidents are those with injuries or deaths)."""

    accidents: int
    injuries: int = 0
    fatalities: int = 0

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            accidents=settings.BLACK_SPOT_MIN_ACCIDENTS,
            injuries=settings.BLACK_SPOT_MIN_INJURIES,
            fatalities=settings.BLACK_SPOT_MIN_FATALITIES,
        )

    def met(self, tally: Tally) -> bool:
        return (
            tally.accidents >= self.accidents
            and tally.injuries >= self.injuries
            and tally.fatalities >= self.fatalities
        )


@dataclass
class Tally:
    accidents: int = 0
    injuries: int = 0
    fatalities: int = 0

    def add(self, other: Tally) -> None:
        self.accidents += other.accidents
        self.injuries += other.injuries
        self.fatalities += other.fatalities


@dataclass
class Found:
    """A spot as computed (not stored yet)."""

    unit_id: int
    kind: str
    tally: Tally
    h3_cell: str = ""
    place_id: int | None = None
    cells: list[str] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    name: str = ""
    main_kinds: list[dict[str, object]] = field(default_factory=list)
    main_hours: list[dict[str, int]] = field(default_factory=list)
    rank: int = 0
    # the centre cell's own accidents: of two rings with as many, the denser centre wins
    own: int = 0
    # what its description is computed from (``sign``)
    fingerprint: str = ""
    # False: its description was not computed, the stored one stands (``compute``)
    described: bool = True

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.unit_id, self.kind, self.h3_cell or str(self.place_id))

    def order(self) -> tuple[int, int, int, int, str]:
        t = self.tally
        key = self.h3_cell or f"~{self.place_id:020}"
        return (-t.accidents, -t.fatalities, -t.injuries, -self.own, key)


def rolling_window(on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The rolling window ending ``on`` (today): ``BLACK_SPOT_WINDOW_DAYS`` days."""
    last = on or today()
    return last - dt.timedelta(days=settings.BLACK_SPOT_WINDOW_DAYS - 1), last


def ring(cell: str) -> list[str]:
    """The cell and its six neighbours (h3 ``grid_disk`` k=1), in a stable order."""
    return sorted(h3.grid_disk(cell, 1))


def _counted(first: dt.date, last: dt.date, unit_id: int | None) -> QuerySet[Accident]:
    rows = Accident.objects.serious().occurred_between(first, last)
    return rows if unit_id is None else rows.filter(unit_id=unit_id)


def _tallied(rows: QuerySet[Accident], *group: str) -> QuerySet[Accident]:
    return (
        rows.order_by()
        .values(*group)
        .annotate(
            n=Count("pk"),
            injured=Count("pk", filter=Q(severity=Severity.INJURY)),
            fatal=Count("pk", filter=Q(severity=Severity.FATAL)),
        )
    )


# (unit, "c<cell>" or "p<place>") → its accidents' hours and roads (one item per
# accident): what the spots found are described by, from the grouped query of the counts
Detail = dict[tuple[int, str], list[tuple[list[int], list[str]]]]


# (unit, "c<cell>" or "p<place>") → its accidents: how many, their ids' sum, their latest
# change. What a spot's description is computed from: the same print, the same description.
Prints = dict[tuple[int, str], tuple[int, int, Any]]


@dataclass
class Grouped:
    by_cell: dict[int, dict[str, Tally]]
    by_place: dict[int, dict[int, Tally]]
    detail: Detail
    prints: Prints = field(default_factory=dict)


def grouped(
    first: dt.date,
    last: dt.date,
    *,
    unit_id: int | None = None,
    cells: Iterable[str] | None = None,
    places: Iterable[int] | None = None,
    details: bool = True,
) -> Grouped:
    """Unit → cell → its own accidents of the window, unit → gazetteer place → its
    accidents, their prints and (``details``) their hours and roads: ONE grouped query (by
    unit, cell and place; elsewhere than PostgreSQL by hour and road too), summed each way
    here. A few cells or places always come with their details."""
    # a few cells: every unit's rows of those cells, the other units' skipped here. With
    # the unit in the WHERE, PostgreSQL ANDs the (unit, occurred_at) index's whole year of
    # the unit into the plan (15 ms at 1M) instead of the few cells' (h3_cell, occurred_at)
    # ranges alone (3 ms)
    arrays = connections["default"].vendor == "postgresql"
    whole = cells is None and places is None
    details = details or not whole
    if cells is not None and places is None and arrays:
        # an update's few cells: the same query every time, compiled once
        start, end = day_bounds(first, last)
        sql, params = _CELLS.sql(start=start, end=end, cells=sorted(set(cells)))
    else:
        rows = _counted(first, last, unit_id if cells is None else None)
        if cells is not None:
            rows = rows.filter(h3_cell__in=sorted(set(cells)))
        if places is not None:
            rows = rows.filter(gazetteer_place_id__in=sorted(set(places)))
        query = _grouped_rows(rows, arrays=arrays, details=details)
        sql, compiled = query.query.sql_with_params()
        params = list(compiled)
    by_cell: dict[int, dict[str, Tally]] = defaultdict(dict)
    by_place: dict[int, dict[int, Tally]] = defaultdict(dict)
    detail: Detail = defaultdict(list)
    # the grouped rows straight from the cursor: Django's converters per row cost more
    # than the query
    with (
        transaction.atomic(savepoint=False),
        connections["default"].cursor() as cursor,
    ):
        if arrays and whole:
            # the whole window's ~45,000 rows per million accidents are grouped in memory
            # by a hash, as the bare GROUP BY is: the planner, counting the arrays' size per
            # group and five times the groups there are, would sort them instead, in
            # temporary files under the default 4 MB (0.32 s at 1M; sorted in memory 0.29 s,
            # hashed 0.22 s). For this query only (back to the defaults in a caller's
            # transaction).
            cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'; SET LOCAL enable_sort = off")
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
        if arrays and whole:
            cursor.execute("SET LOCAL work_mem TO DEFAULT; SET LOCAL enable_sort TO DEFAULT")
    other_units = cells is not None and unit_id is not None
    prints: Prints = {}
    if not details:  # the nightly counts: the same as below, without hours and roads
        for unit, cell, place, n, injured, fatal, ids, latest in fetched:
            if cell:
                unit_cells = by_cell[unit]
                counted = unit_cells.get(cell)
                if counted is None:
                    unit_cells[cell] = Tally(n, injured, fatal)
                else:
                    counted.accidents += n
                    counted.injuries += injured
                    counted.fatalities += fatal
                _print(prints, (unit, "c" + cell), n, ids, latest)
            if place is not None:
                by_place[unit].setdefault(place, Tally()).add(Tally(n, injured, fatal))
                _print(prints, (unit, f"p{place}"), n, ids, latest)
        return Grouped(by_cell, by_place, detail, prints)
    for row in fetched:
        if arrays:
            unit, cell, place, n, injured, fatal, ids, latest, hours, roads = row
        else:
            unit, cell, place, hour, road, n, injured, fatal, ids, latest = row
            hours, roads = [int(hour)] * n, [road] * n
        if other_units and unit != unit_id:
            continue
        keys = []
        if cell:
            counted = by_cell[unit].get(cell)
            if counted is None:
                by_cell[unit][cell] = Tally(n, injured, fatal)
            else:
                counted.accidents += n
                counted.injuries += injured
                counted.fatalities += fatal
            keys.append((unit, "c" + cell))
        if place is not None and cells is None:
            by_place[unit].setdefault(place, Tally()).add(Tally(n, injured, fatal))
            keys.append((unit, f"p{place}"))
        for key in keys:
            detail[key].append((hours, roads))
            _print(prints, key, n, ids, latest)
    return Grouped(by_cell, by_place, detail, prints)


def _print(prints: Prints, key: tuple[int, str], n: int, ids: int, latest: Any) -> None:
    seen = prints.get(key)
    prints[key] = (
        (n, ids, latest) if seen is None else (seen[0] + n, seen[1] + ids, max(seen[2], latest))
    )


def _grouped_rows(rows: QuerySet[Accident], *, arrays: bool, details: bool = True) -> QuerySet[Any]:
    """The accidents ``rows`` grouped by unit, cell and place: their counts and print (the
    ids' sum, the latest change), and (``details``) their hours and roads (on PostgreSQL as
    two arrays per group; elsewhere a row per hour and road)."""
    rows = rows.order_by()
    counts = {
        "n": Count("pk"),
        "injured": Count("pk", filter=Q(severity=Severity.INJURY)),
        "fatal": Count("pk", filter=Q(severity=Severity.FATAL)),
        # a bigint, not the numeric PostgreSQL sums a bigint into (a Decimal per row)
        "ids": Cast(Sum("pk"), BigIntegerField()),
        "latest": Max("updated_at"),
    }
    if not details:
        return rows.values_list("unit_id", "h3_cell", "gazetteer_place_id").annotate(**counts)
    if arrays:
        return rows.values_list("unit_id", "h3_cell", "gazetteer_place_id").annotate(
            **counts,
            hours=ArrayAgg(Cast(ExtractHour("occurred_at"), IntegerField())),
            roads=ArrayAgg("road"),
        )
    return (
        rows.annotate(hour=ExtractHour("occurred_at"))
        .values_list("unit_id", "h3_cell", "gazetteer_place_id", "hour", "road")
        .annotate(**counts)
    )


# an update's cells, every unit's (see ``grouped``): compiled once per process
_CELLS = Prepared(
    lambda start, end, cells: _grouped_rows(
        Accident.objects.serious().occurred_in(start, end).filter(h3_cell__any_of=cells),
        arrays=True,
    )
)


def _centre(cell: str) -> tuple[float, float]:
    """A cell spot's centre: its centre cell's (a hazard opened there lies in that cell,
    so that its effect counts the spot's own ring)."""
    lat, lng = h3.cell_to_latlng(cell)
    return round(lat, 6), round(lng, 6)


# a cell's ring as h3 integer ids, kept between runs: the cells with accidents hardly change
# from one night to the next, and h3 builds a fresh list per call (a third of the rings'
# time). Bounded: past this many cells the cache starts again.
_DISKS: dict[int, tuple[int, ...]] = {}
_DISKS_MAX = 200_000


def _disk(cell: int) -> tuple[int, ...]:
    disk = _DISKS.get(cell)
    if disk is None:
        if len(_DISKS) >= _DISKS_MAX:
            _DISKS.clear()
        disk = _DISKS[cell] = tuple(h3_int.grid_disk(cell, 1))
    return disk


def cell_spots(
    cells: dict[str, Tally],
    unit_id: int,
    thresholds: Thresholds,
    *,
    among: Iterable[str] | None = None,
    taken: Iterable[str] = (),
) -> list[Found]:
    """The cell spots of one unit's per-cell tallies (see the module's rule).

    ``among``: only these cells may be a spot's centre (an incremental update); ``taken``:
    cells already in the rings of spots kept as they are (they win over these)."""
    centres = cells.keys() if among is None else [c for c in among if c in cells]
    # h3's integer ids: its string API converts every neighbour, and rings are the hot loop
    to_int = h3.str_to_int
    by_id = {
        to_int(cell): (own.accidents, own.injuries, own.fatalities) for cell, own in cells.items()
    }
    need = (thresholds.accidents, thresholds.injuries, thresholds.fatalities)
    candidates: list[tuple[int, int, int, int, str, tuple[int, ...]]] = []
    get = by_id.get
    for cell in centres:
        disk = _disk(to_int(cell))
        n = injured = fatal = 0
        for neighbour in disk:
            own = get(neighbour)
            if own is not None:
                n += own[0]
                injured += own[1]
                fatal += own[2]
        if n >= need[0] and injured >= need[1] and fatal >= need[2]:
            # the order of Found.order: most accidents, fatal, injuries, own, then the id
            candidates.append((-n, -fatal, -injured, -cells[cell].accidents, cell, disk))
    candidates.sort(key=lambda c: c[:5])
    claimed = {to_int(c) for c in taken}
    spots: list[Found] = []
    for neg_n, neg_fatal, neg_injured, neg_own, cell, disk in candidates:
        if claimed.isdisjoint(disk):
            claimed.update(disk)
            lat, lng = _centre(cell)
            spots.append(
                Found(
                    unit_id,
                    SpotKind.CELL,
                    Tally(-neg_n, -neg_injured, -neg_fatal),
                    h3_cell=cell,
                    cells=sorted(h3.int_to_str(n) for n in disk),
                    latitude=lat,
                    longitude=lng,
                    own=-neg_own,
                )
            )
    return spots


def place_spots(places: dict[int, dict[int, Tally]], thresholds: Thresholds) -> list[Found]:
    """The gazetteer places whose accidents meet the thresholds."""
    return [
        Found(unit, SpotKind.PLACE, tally, place_id=place)
        for unit, counted in sorted(places.items())
        for place, tally in sorted(counted.items())
        if thresholds.met(tally)
    ]


def compute(
    first: dt.date,
    last: dt.date,
    *,
    unit_id: int | None = None,
    thresholds: Thresholds | None = None,
    details: bool = True,
    known: dict[tuple[int, str, str], str] | None = None,
) -> list[Found]:
    """Every black spot of the window (of one unit, or every unit), ranked from 1.

    ``known``: the stored spots' fingerprints, by spot key. A spot whose fingerprint (its
    accidents, their latest change, a party's included, and the gazetteer) is the stored
    one's keeps its stored description (``described`` off: ``save`` leaves it); the others
    are described from their own accidents (one more query for them all). The
    counts are one grouped query without the accidents' hours and roads. Without
    ``known``: every spot is described from the one grouped query with them."""
    thresholds = thresholds or Thresholds.from_settings()
    spots: list[Found] = []
    counted = grouped(first, last, unit_id=unit_id, details=details and known is None)
    # by unit: spots of two units that tie in every count keep the same order whatever
    # order the grouped rows come in
    for unit in sorted(counted.by_cell):
        spots.extend(cell_spots(counted.by_cell[unit], unit, thresholds))
    spots.extend(place_spots(counted.by_place, thresholds))
    spots.sort(key=Found.order)
    for rank, spot in enumerate(spots, start=1):
        spot.rank = rank
    if not details:
        return spots
    places = _places(spots)
    sign(spots, counted.prints, places)
    if known is None:
        describe(spots, first, last, counted.detail, places)
        return spots
    fresh = []
    for spot in spots:
        if known.get(spot.key) != spot.fingerprint:
            fresh.append(spot)
        else:
            spot.described = False
            if spot.kind == SpotKind.PLACE:
                spot.latitude, spot.longitude = _point(places.get(spot.place_id or 0))
    if fresh:
        cells = sorted({cell for spot in fresh for cell in spot.cells})
        ids = sorted({spot.place_id for spot in fresh if spot.place_id is not None})
        detail: Detail = {}
        if cells:
            detail.update(grouped(first, last, cells=cells).detail)
        if ids:
            detail.update(grouped(first, last, places=ids).detail)
        describe(fresh, first, last, detail, places)
    return spots


def fingerprints() -> dict[tuple[int, str, str], str]:
    """The current stored spots' fingerprints, by spot key (one query)."""
    rows = BlackSpot.objects.filter(current=True).values_list(
        "unit_id", "kind", "h3_cell", "place_id", "fingerprint"
    )
    return {(unit, kind, cell or str(place)): print_ for unit, kind, cell, place, print_ in rows}


def _keys(spot: Found) -> list[str]:
    """The keys of a spot's cells or place in ``grouped``'s maps."""
    if spot.kind == SpotKind.CELL:
        return [f"c{cell}" for cell in spot.cells]
    return [f"p{spot.place_id}"]


def sign(spots: Sequence[Found], prints: Prints, places: dict[int, object]) -> None:
    """Each spot's fingerprint: its cells' (or place's) prints and the gazetteer's places
    (a place renamed or moved names spots anew)."""
    gazetteer = hashlib.sha1(usedforsecurity=False)
    for pk in sorted(places):
        gazetteer.update(repr(places[pk]).encode())
    for spot in spots:
        digest = gazetteer.copy()
        for key in _keys(spot):
            digest.update(f"{key}={prints.get((spot.unit_id, key))};".encode())
        spot.fingerprint = digest.hexdigest()


# --- what a spot says besides its counts --------------------------------------------------


def _spot_filter(spots: Sequence[Found]) -> Q:
    """The accidents of these spots (the window aside): one OR over units' cells/places."""
    cells: dict[int, set[str]] = defaultdict(set)
    places: dict[int, set[int]] = defaultdict(set)
    for spot in spots:
        if spot.kind == SpotKind.CELL:
            cells[spot.unit_id].update(spot.cells)
        elif spot.place_id is not None:
            places[spot.unit_id].add(spot.place_id)
    condition = Q(pk__in=[])
    for unit, unit_cells in cells.items():
        condition |= Q(unit_id=unit, h3_cell__in=sorted(unit_cells))
    for unit, unit_places in places.items():
        condition |= Q(unit_id=unit, gazetteer_place_id__in=sorted(unit_places))
    return condition


def _owner(spots: Sequence[Found]) -> dict[tuple[int, str], Found]:
    """(unit, cell or "p<place>") → the spot that counts it."""
    owner: dict[tuple[int, str], Found] = {}
    for spot in spots:
        if spot.kind == SpotKind.CELL:
            for cell in spot.cells:
                owner[(spot.unit_id, cell)] = spot
        else:
            owner[(spot.unit_id, f"p{spot.place_id}")] = spot
    return owner


def describe(
    spots: Sequence[Found],
    first: dt.date,
    last: dt.date,
    detail: Detail,
    places: dict[int, object] | None = None,
) -> None:
    """Fill the spots' main hours, main vehicle kinds, centre of a place and name: the
    hours and roads from ``detail`` (the grouped query's), then a fixed number of queries
    (kinds, places) whatever their number."""
    if not spots:
        return
    hours: dict[int, Counter[int]] = defaultdict(Counter)
    roads: dict[int, Counter[str]] = defaultdict(Counter)
    for spot in spots:
        spot_hours, spot_roads = hours[id(spot)], roads[id(spot)]
        for key in _keys(spot):
            for accident_hours, accident_roads in detail.get((spot.unit_id, key), ()):
                spot_hours.update(accident_hours)
                spot_roads.update(accident_roads)
    owner = _owner(spots)
    units = {spot.unit_id for spot in spots}
    kinds: dict[int, Counter[str]] = defaultdict(Counter)
    if len(spots) <= FEW and len(units) == 1 and all(s.kind == SpotKind.CELL for s in spots):
        # an update's spots of one cell: the same query every time, compiled once
        start, end = day_bounds(first, last)
        kind_rows = _KINDS_OF_CELLS.rows(
            start=start,
            end=end,
            unit=spots[0].unit_id,
            cells=sorted({cell for spot in spots for cell in spot.cells}),
        )
    else:
        rows = _counted(first, last, None)
        if len(spots) <= FEW:  # an update's spots: their own cells and places
            rows = rows.filter(_spot_filter(spots))
        else:  # many spots: their units' window (the same scan, without a long OR of cells)
            rows = rows.filter(unit_id__in=sorted(units))
        kind_rows = list(_kinds_rows(rows))
    # by the accident's unit, cell and place (a few rows each), then to their spots here
    for unit, cell, place_id, kind, n in kind_rows:
        plain = {"unit_id": unit, "h3_cell": cell, "gazetteer_place_id": place_id}
        for spot in _both_owners(owner, plain):
            kinds[id(spot)][kind] += n
    if places is None:
        places = _places(spots)
    for spot in spots:
        spot.main_hours = [{"hour": hour, "accidents": n} for hour, n in _top(hours[id(spot)])]
        spot.main_kinds = [{"kind": kind, "accidents": n} for kind, n in _top(kinds[id(spot)])]
        if spot.kind == SpotKind.PLACE:
            place: Any = places.get(spot.place_id or 0)
            if place is not None:
                spot.name = place.name
                spot.latitude, spot.longitude = _point(place)
        else:
            nearest: Any = _nearest(places.values(), spot.latitude, spot.longitude)
            spot.name = (
                nearest.name
                if nearest
                else "、".join(road for road, _n in _top(roads[id(spot)]) if road)
            )


def _kinds_rows(rows: QuerySet[Accident]) -> QuerySet[Any]:
    """The vehicle kinds of the accidents ``rows``: how many accidents of each kind, by the
    accident's unit, cell and place."""
    return (
        AccidentParty.objects.filter(accident__in=rows.values("pk"))
        .exclude(vehicle_kind="")
        .order_by()
        .values_list(
            "accident__unit_id", "accident__h3_cell", "accident__gazetteer_place_id", "vehicle_kind"
        )
        .annotate(n=Count("accident_id", distinct=True))
    )


_KINDS_OF_CELLS = Prepared(
    lambda start, end, unit, cells: _kinds_rows(
        Accident.objects.serious()
        .occurred_in(start, end)
        .filter(unit_id=unit, h3_cell__any_of=cells)
    )
)


def _both_owners(owner: dict[tuple[int, str], Found], row: dict[str, object]) -> list[Found]:
    found = []
    by_cell = owner.get((row["unit_id"], row["h3_cell"]))  # type: ignore[arg-type]
    if by_cell:
        found.append(by_cell)
    if row["gazetteer_place_id"] is not None:
        by_place = owner.get((row["unit_id"], f"p{row['gazetteer_place_id']}"))  # type: ignore[arg-type]
        if by_place:
            found.append(by_place)
    return found


def _top(counter: Counter) -> list[tuple]:
    # most first, then the smaller key: the same answer every time
    return heapq.nsmallest(TOP, counter.items(), key=lambda item: (-item[1], item[0]))


class _Place(NamedTuple):
    pk: int
    name: str
    latitude: Decimal | None
    longitude: Decimal | None


def _place_rows(wanted: list[int]) -> QuerySet[Any]:
    from brigade.duty.models import Place

    return Place.objects.filter(Q(is_active=True) | Q(pk__any_of=wanted)).values_list(
        "pk", "name", "latitude", "longitude"
    )


_PLACES = Prepared(_place_rows)
_ACTIVE_PLACES = Prepared(lambda: _place_rows([]))


def _places(spots: Sequence[Found]) -> dict[int, object]:
    """The gazetteer (its places with a point) and the spots' own places: one query."""
    wanted = sorted({s.place_id for s in spots if s.place_id is not None})
    rows = _PLACES.rows(wanted=wanted) if wanted else _ACTIVE_PLACES.rows()
    return {row[0]: _Place(*row) for row in rows}


def _point(place: object) -> tuple[float | None, float | None]:
    lat, lng = getattr(place, "latitude", None), getattr(place, "longitude", None)
    if lat is None or lng is None:
        return None, None
    return float(lat), float(lng)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance in metres."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def _nearest(places: Iterable[object], lat: float | None, lng: float | None) -> object | None:
    if lat is None or lng is None:
        return None
    best: tuple[float, object] | None = None
    for place in places:
        point = _point(place)
        if point[0] is None or point[1] is None:
            continue
        d = distance_m((lat, lng), (point[0], point[1]))
        if d <= NAMING_DISTANCE_M and (best is None or d < best[0]):
            best = (d, place)
    return best[1] if best else None


# --- stored: the spots of the rolling window -----------------------------------------------

LOCK = "incidents.black_spots"
_FIELDS = (
    "cells",
    "window_from",
    "window_to",
    "accidents",
    "injuries",
    "fatalities",
    "name",
    "latitude",
    "longitude",
    "main_kinds",
    "main_hours",
    "fingerprint",
    "computed_at",
    "current",
)


# what ``describe`` fills (kept as stored for a spot whose fingerprint did not change)
_DESCRIPTION = ("name", "main_kinds", "main_hours")
_FIGURES = tuple(name for name in _FIELDS if name not in _DESCRIPTION)


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _values(spot: Found, first: dt.date, last: dt.date, now: dt.datetime) -> dict[str, object]:
    return {
        "cells": spot.cells,
        "window_from": first,
        "window_to": last,
        "accidents": spot.tally.accidents,
        "injuries": spot.tally.injuries,
        "fatalities": spot.tally.fatalities,
        "name": spot.name[:200],
        "latitude": _decimal(spot.latitude),
        "longitude": _decimal(spot.longitude),
        "main_kinds": spot.main_kinds,
        "main_hours": spot.main_hours,
        "fingerprint": spot.fingerprint,
        "computed_at": now,
        "current": True,
    }


def _stored_key(spot: BlackSpot) -> tuple[int, str, str]:
    return (spot.unit_id, spot.kind, spot.h3_cell or str(spot.place_id))


def _vacated(rows: Sequence[tuple[Any, ...]], cells_at: int) -> dict[tuple[int, str], list[int]]:
    """(unit, cell) → the rows (their index in ``rows``) whose ring holds the cell."""
    by_cell: dict[tuple[int, str], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        for cell in row[cells_at]:
            by_cell[(row[1], cell)].append(index)
    return by_cell


def save(
    found: Sequence[Found],
    first: dt.date,
    last: dt.date,
    replacing: Q,
    *,
    now: dt.datetime | None = None,
) -> None:
    """Upsert ``found`` over the stored spots ``replacing`` selects, keeping their history:

    - a spot found again (its key) is updated in place: its id, hazard and ``created_at``
      (first identified) kept, current again if it was not;
    - a spot no longer found is kept, not current (rank 0), never deleted: the periods it
      was identified in keep counting it;
    - a NEW cell spot whose ring shares a cell with a not-current cell spot of its unit
      without a hazard takes over that row (its id and ``created_at``, its centre and the
      rest updated): the cluster moved to a neighbouring centre, or came back one cell
      over. A spot this save retires is taken first, then the most cells shared, then the
      oldest row; with none, the spot is created.

    ``now``: the time stamped as computed (and as identified, for a created spot). One
    read and at most one statement per kind of write, whatever the number of spots;
    idempotent."""
    replayed = now is not None
    now = now or timezone.now()
    # the description is not read back: the fingerprint says whether it changed
    compared = [name for name in _FIELDS if name not in ("computed_at", *_DESCRIPTION)]
    current_at = 6 + compared.index("current")
    cells_at = 6 + compared.index("cells")
    # read as plain rows (no model per stored spot): most are found again unchanged
    stored: dict[tuple[int, str, str], tuple[Any, ...]] = {}
    for row in BlackSpot.objects.filter(replacing).values_list(
        "pk", "unit_id", "kind", "h3_cell", "place_id", "hazard_id", *compared
    ):
        stored[(row[1], row[2], row[3] or str(row[4]))] = row
    changed: list[tuple[Any, ...]] = []
    refigured: list[tuple[Any, ...]] = []
    new: list[tuple[Found, dict[str, object]]] = []
    for spot in found:
        values = _values(spot, first, last, now)
        old = stored.pop(spot.key, None)
        if old is None:
            new.append((spot, values))
            continue
        # a spot found as it was is not written at all: its computed_at stays the time its
        # figures were last written
        if any(old[6 + i] != values[name] for i, name in enumerate(compared)):
            if spot.described:
                changed.append((old[0], *(values[name] for name in _FIELDS)))
            else:  # its description is the stored one: the figures only
                refigured.append((old[0], *(values[name] for name in _FIGURES)))
    gone = sorted(stored.values(), key=lambda row: row[0])
    # the rows a new cell spot may continue (a hazard's spot keeps the cells it was
    # opened on), indexed by their rings' cells: no scan of them per spot
    free = [row for row in gone if row[2] == SpotKind.CELL and row[5] is None]
    free_by_cell = _vacated(free, cells_at)
    taken: set[int] = set()
    moved: list[tuple[Any, ...]] = []
    created: list[BlackSpot] = []
    for spot, values in new:
        shared: Counter[int] = Counter()
        if spot.kind == SpotKind.CELL:
            for cell in spot.cells:
                shared.update(free_by_cell.get((spot.unit_id, cell), ()))
        vacant = [index for index in shared if index not in taken]
        if vacant:
            # retired by this save (current until now) first, most cells shared, oldest
            best = min(vacant, key=lambda i: (not free[i][current_at], -shared[i], free[i][0]))
            taken.add(best)
            moved.append((free[best][0], spot.h3_cell, *(values[name] for name in _FIELDS)))
            continue
        created.append(
            BlackSpot(
                unit_id=spot.unit_id,
                kind=spot.kind,
                h3_cell=spot.h3_cell,
                place_id=spot.place_id,
                **values,
            )
        )
    moved_ids = {row[0] for row in moved}
    # retired: the ones current until now (those retired before are kept as they are)
    retired = [row[0] for row in gone if row[current_at] and row[0] not in moved_ids]
    # an update's few spots: only the statements with something to write
    if retired:
        BlackSpot.objects.filter(pk__in=retired).update(current=False, rank=0, computed_at=now)
    update_rows(BlackSpot, ["h3_cell", *_FIELDS], moved)
    update_rows(BlackSpot, _FIELDS, changed)
    update_rows(BlackSpot, _FIGURES, refigured)
    if created:
        BlackSpot.objects.bulk_create(created, batch_size=500)
        if replayed:
            # the insert stamps created_at with the clock: a replay dates its spots
            BlackSpot.objects.filter(pk__in=[spot.pk for spot in created]).update(
                created_at=now, updated_at=now
            )


def rerank() -> None:
    """Rank the current spots of every unit together (1: the most accidents); the ranks
    that moved are written (one read, one bulk update)."""
    rows = list(
        BlackSpot.objects.filter(current=True).values_list(
            "pk", "rank", "accidents", "fatalities", "injuries", "h3_cell", "place_id"
        )
    )
    rows.sort(key=lambda r: (-r[2], -r[3], -r[4], r[5] or f"~{r[6]:020}"))
    moved = [(row[0], rank) for rank, row in enumerate(rows, start=1) if row[1] != rank]
    update_rows(BlackSpot, ["rank"], moved)
    BlackSpot.objects.filter(current=False).exclude(rank=0).update(rank=0)


def recompute_all(on: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Every unit's spots of the rolling window ending ``on`` (today), from the records
    (nightly; ``manage.py black_spots``). Returns how many there are.

    ``now``: the time the spots are stamped as computed, and a new one as identified
    (by default the clock's): a replay of past nights dates the spots it finds."""
    from brigade.core.kpi.lock import named_lock

    started = timezone.now()  # the changes marked before this are counted by it
    first, last = rolling_window(on)
    # the spots found as they were stored keep their description
    found = compute(first, last, known=fingerprints())
    with named_lock(LOCK), transaction.atomic():
        BlackSpotMark.objects.filter(marked_at__lte=started).delete()
        save(found, first, last, Q(), now=now)
        rerank()
        measure_treated(last)
    return len(found)


def measure_treated(on: dt.date) -> int:
    """The accidents before and after the verification of each treated spot (its hazard
    verified), in the equal windows of ``brigade.core.investigations.effect_windows``:
    one count per treated spot (a few), kept on the spot for its figures."""
    from brigade.core.investigations import Unavailable, effect_windows, investigations

    spots = list(BlackSpot.objects.filter(hazard__isnull=False))
    try:
        found = investigations().find([s.hazard_id for s in spots]) if spots else {}
    except Unavailable:
        return 0
    measured = []
    for spot in spots:
        hazard = found.get(spot.hazard_id or 0)
        windows = None
        if hazard is not None and hazard.verified_on is not None:
            windows = effect_windows(hazard.verified_on, on, settings.BLACK_SPOT_WINDOW_DAYS)
        if windows is None:
            spot.accidents_before = spot.accidents_after = None
        else:
            (b0, b1), (a0, a1) = windows
            rows = accidents_of(spot, b0, a1)
            start_after, _end = day_bounds(a0, a1)
            _start, end_before = day_bounds(b0, b1)
            counts = rows.aggregate(
                before=Count("pk", filter=Q(occurred_at__lt=end_before)),
                after=Count("pk", filter=Q(occurred_at__gte=start_after)),
            )
            spot.accidents_before, spot.accidents_after = counts["before"], counts["after"]
        measured.append(spot)
    BlackSpot.objects.bulk_update(measured, ["accidents_before", "accidents_after"])
    return len(measured)


def accidents_of(spot: BlackSpot, first: dt.date, last: dt.date) -> QuerySet[Accident]:
    """The accidents a stored spot counts between two days (its unit, cells or place)."""
    rows = _counted(first, last, spot.unit_id)
    if spot.kind == SpotKind.PLACE:
        return rows.filter(gazetteer_place_id=spot.place_id)
    return rows.filter(h3_cell__in=spot.cells)


def update_cell(unit_id: int, cell: str, on: dt.date | None = None) -> None:
    """The incremental update after a change to ``cell``'s accidents of ``unit_id``: the
    spots centred within ``REACH`` steps of it, from the cells one step further; the
    spots beyond are kept and keep their cells (see the module's rule)."""
    first, last = rolling_window(on)
    thresholds = Thresholds.from_settings()
    area = h3.grid_disk(cell, REACH)
    counted = grouped(first, last, unit_id=unit_id, cells=h3.grid_disk(cell, REACH + 1))
    cells = counted.by_cell
    near = set(h3.grid_disk(cell, REACH + 2)) - set(area)
    taken = [
        cell
        for (kept,) in _KEPT.rows(unit=unit_id, cells=sorted(near))
        for cell in (json.loads(kept) if isinstance(kept, str) else kept)
    ]
    found = cell_spots(cells.get(unit_id, {}), unit_id, thresholds, among=area, taken=taken)
    places = _places(found)
    sign(found, counted.prints, places)
    describe(found, first, last, counted.detail, places)
    save(found, first, last, Q(unit_id=unit_id, kind=SpotKind.CELL, h3_cell__in=sorted(area)))


# the cells of a unit's current cell spots centred in ``cells``: compiled once
_KEPT = Prepared(
    lambda unit, cells: BlackSpot.objects.filter(
        unit_id=unit, kind=SpotKind.CELL, current=True, h3_cell__any_of=cells
    ).values_list("cells")
)


def update_place(unit_id: int, place_id: int, on: dt.date | None = None) -> None:
    """The incremental update after a change to a place's accidents of ``unit_id``."""
    first, last = rolling_window(on)
    counted = grouped(first, last, unit_id=unit_id, places=[place_id])
    found = place_spots(counted.by_place, Thresholds.from_settings())
    places = _places(found)
    sign(found, counted.prints, places)
    describe(found, first, last, counted.detail, places)
    save(found, first, last, Q(unit_id=unit_id, kind=SpotKind.PLACE, place_id=place_id))


def update_marked() -> int:
    """The on-change update: every cell and place marked since the last run, once.
    Returns how many were updated.

    Short and frequent (a burst of accidents is one run): the lock is the transaction's,
    taken in the request that also sets it up, and the marks are taken by one DELETE …
    RETURNING."""
    from brigade.core.kpi.lock import named_transaction

    setup = []
    if connections["default"].vendor == "postgresql":
        # spots are derived data: this transaction's commit need not wait for the disk
        # (~7 ms). A crash that loses it loses the marks' deletion with it, so the next
        # update (or the nightly recompute) redoes the same cells; the accidents, whose
        # commits keep waiting for the disk, are never lost.
        setup.append("SET LOCAL synchronous_commit TO OFF")
    with named_transaction(LOCK, *setup):
        marks = _take_marks()
        if not marks:
            return 0
        cells = sorted({(unit, cell) for unit, cell, _place in marks if cell})
        places = sorted({(unit, p) for unit, _cell, p in marks if p is not None})
        for unit, cell in cells:
            update_cell(unit, cell)
        for unit, place in places:
            update_place(unit, place)
        # the stored ranks are the nightly run's; lists order by the counts themselves
        return len(cells) + len(places)


def _take_marks() -> list[tuple[int, str, int | None]]:
    """Every mark, deleted: (unit, cell, place) each."""
    if connections["default"].vendor == "postgresql":
        table = BlackSpotMark._meta.db_table
        with connections["default"].cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} RETURNING unit_id, h3_cell, place_id")
            return cursor.fetchall()
    rows = list(BlackSpotMark.objects.values_list("pk", "unit_id", "h3_cell", "place_id"))
    BlackSpotMark.objects.filter(pk__in=[row[0] for row in rows]).delete()
    return [row[1:] for row in rows]


# --- change tracking: an accident saved or deleted marks its cell (and its place) ----------

_TRACKED = ("unit_id", "h3_cell", "gazetteer_place_id", "severity", "occurred_at")
_SCHEDULED = "incidents:black-spots-scheduled"
COALESCE_SECONDS = 3
UPDATE_TASK = "incidents.tasks.black_spots_update_task"


def _where(values: dict[str, object]) -> set[tuple[int, str, int | None]]:
    """The (unit, cell, place) an accident with these values counts in, if it counts."""
    if values.get("severity") not in SERIOUS or values.get("unit_id") is None:
        return set()
    unit: Any = values["unit_id"]
    place: Any = values.get("gazetteer_place_id")
    return {(int(unit), str(values.get("h3_cell") or ""), place)}


def _snapshot(instance: Accident) -> dict[str, object]:
    return {name: instance.__dict__.get(name) for name in _TRACKED}


def on_load(sender: type[Accident], instance: Accident, **kwargs: object) -> None:
    instance._black_spot_loaded = _snapshot(instance)  # type: ignore[attr-defined]


def on_change(sender: type[Accident], instance: Accident, **kwargs: object) -> None:
    """Mark where the accident counts now and where it counted before the change."""
    if kwargs.get("raw"):
        return
    from brigade.core.kpi.tracking import _paused

    if _paused:  # a bulk load, which ends with a full recompute
        return
    before = getattr(instance, "_black_spot_loaded", {})
    now = _snapshot(instance)
    deleted = "created" not in kwargs
    if not deleted and before == now:
        return
    marks = _where(before) | (set() if deleted else _where(now))
    instance._black_spot_loaded = now  # type: ignore[attr-defined]
    _mark(marks)


def on_party_change(sender: type[AccidentParty], instance: AccidentParty, **kwargs: object) -> None:
    """A party added, edited or removed: its accident's spot names its vehicle kinds
    again."""
    if kwargs.get("raw"):
        return
    from brigade.core.kpi.tracking import _paused

    if _paused:
        return
    rows = Accident.objects.filter(pk=instance.accident_id)
    accident = rows.values(*_TRACKED).first()
    if accident is not None:  # else deleted with it, which marked it
        # the accident changed with its party: its spot's fingerprint (its accidents'
        # latest change) tells the nightly run to describe it again
        rows.update(updated_at=timezone.now())
        _mark(_where(accident))


def _mark(marks: set[tuple[int, str, int | None]]) -> None:
    """Mark these (unit, cell, place) changed, and update them after the commit."""
    if not marks:
        return
    BlackSpotMark.objects.bulk_create(
        [
            BlackSpotMark(unit_id=unit, h3_cell=cell, place_id=place)
            for unit, cell, place in sorted(marks, key=str)
            if cell or place is not None
        ]
    )
    transaction.on_commit(schedule_update)


def schedule_update() -> None:
    """One update task per burst of changes (a cache flag coalesces them, as the KPI
    engine's recompute does); a broker that does not answer leaves the marks to the next
    task or the nightly recompute."""
    from celery import current_app

    from brigade.core.kpi.cache import cache_call

    if cache_call(True, "add", _SCHEDULED, 1, timeout=COALESCE_SECONDS * 20) is False:
        return
    try:
        current_app.tasks[UPDATE_TASK].apply_async(countdown=COALESCE_SECONDS, retry=False)
    except Exception:  # the broker is down: kombu raises several kinds
        cache_call(None, "delete", _SCHEDULED)
        logger.warning("black spot update could not be enqueued", exc_info=True)


def release_schedule() -> None:
    from brigade.core.kpi.cache import cache_call

    cache_call(None, "delete", _SCHEDULED)


def watch() -> None:
    """Connect the change tracking (the app's ``ready``)."""
    from django.db.models.signals import post_delete, post_init, post_save

    post_init.connect(on_load, sender=Accident, dispatch_uid="black-spots-init")
    post_save.connect(on_change, sender=Accident, dispatch_uid="black-spots-save")
    post_delete.connect(on_change, sender=Accident, dispatch_uid="black-spots-delete")
    post_save.connect(on_party_change, sender=AccidentParty, dispatch_uid="black-spots-party")
    post_delete.connect(
        on_party_change, sender=AccidentParty, dispatch_uid="black-spots-party-delete"
    )


# --- what other apps read: the accidents around a cell, and where they are listed ----------


def records_api(
    cells: Sequence[str],
    first: dt.date,
    last: dt.date,
    *,
    unit_id: int | None = None,
    place_id: int | None = None,
) -> str:
    """The accidents API list whose ``count`` is what a spot (or an effect) counts."""
    from urllib.parse import urlencode

    from django.urls import reverse

    query: dict[str, object] = {
        "serious": "true",
        "date_from": first.isoformat(),
        "date_to": last.isoformat(),
    }
    if cells:
        query["h3_cells"] = ",".join(cells)
    if place_id is not None:
        query["spot_place"] = place_id
    if unit_id is not None:
        query["unit"] = unit_id
    return f"{reverse('incidents-api:accident-list')}?{urlencode(query)}"


def accidents_around(cell: str, first: dt.date, last: dt.date, unit_id: int) -> int:
    """The accidents a spot of ``unit_id`` centred on ``cell`` counts: one count."""
    return _counted(first, last, unit_id).filter(h3_cell__in=ring(cell)).count()


def around_records_api(cell: str, first: dt.date, last: dt.date, unit_id: int) -> str:
    return records_api(ring(cell), first, last, unit_id=unit_id)


def spot_records_api(spot: BlackSpot | Found, first: dt.date, last: dt.date) -> str:
    if spot.kind == SpotKind.PLACE:
        return records_api((), first, last, unit_id=spot.unit_id, place_id=spot.place_id)
    return records_api(spot.cells, first, last, unit_id=spot.unit_id)


# --- the list a user reads (the API and the page) -------------------------------------------


@dataclass
class Listed:
    """A black spot as listed: stored (``id``) or computed for another window."""

    id: int | None
    rank: int
    kind: str
    unit_id: int
    unit: str
    name: str
    latitude: float | None
    longitude: float | None
    accidents: int
    injuries: int
    fatalities: int
    main_kinds: list[dict[str, object]]
    main_hours: list[dict[str, int]]
    window_from: dt.date
    window_to: dt.date
    records_api: str
    cells: list[str]
    hazard: dict[str, object] | None = None


def _kinds(kinds: list[dict[str, object]]) -> list[dict[str, object]]:
    from incidents.choices import VehicleKind

    labels = dict(VehicleKind.choices)
    return [{**kind, "label": str(labels.get(str(kind["kind"]), kind["kind"]))} for kind in kinds]


def listed(user: object, first: dt.date | None = None, last: dt.date | None = None) -> list[Listed]:
    """The black spots ``user`` may see (their unit's; every unit's brigade-wide), ranked
    from 1 in that list: the stored ones for the rolling window (the default), else
    computed live for ``first``..``last`` by the same rule. A fixed number of queries."""
    from brigade.core.investigations import Unavailable, investigations
    from brigade.core.scope import scope_of
    from brigade.duty.models import Unit

    window = rolling_window()
    if last is None:
        last = window[1]
    if first is None:
        first = rolling_window(last)[0]
    scope = scope_of(user)
    if not scope.brigade_wide and scope.unit_id is None:
        return []
    stored = BlackSpot.objects.visible_to(user)
    names = dict(Unit.objects.values_list("pk", "name"))
    rows: list[Listed] = []
    if (first, last) == window:
        for spot in stored.listed():
            rows.append(_listed(spot.pk, spot, names, spot.window_from, spot.window_to, spot))
    else:
        found = compute(first, last, unit_id=None if scope.brigade_wide else scope.unit_id)
        ids = {
            _stored_key(spot): spot
            for spot in stored.only("pk", "unit_id", "kind", "h3_cell", "place_id", "hazard_id")
        }
        for spot in found:
            known = ids.get(spot.key)
            rows.append(_listed(known.pk if known else None, spot, names, first, last, known))
    hazards = [int(row.hazard["id"]) for row in rows if row.hazard]  # type: ignore[call-overload]
    try:
        found_hazards = investigations().find(hazards) if hazards else {}
    except Unavailable:
        found_hazards = {}
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
        if row.hazard:
            hazard = found_hazards.get(int(row.hazard["id"]))  # type: ignore[call-overload]
            row.hazard = None if hazard is None else _hazard_ref(hazard)
    return rows


def listed_one(spot: BlackSpot) -> Listed:
    """A stored spot as listed (its rank: the stored one, 0 when no longer a spot)."""
    from brigade.core.investigations import Unavailable, investigations

    row = _listed(
        spot.pk, spot, {spot.unit_id: spot.unit.name}, spot.window_from, spot.window_to, spot
    )
    row.rank = spot.rank
    if spot.hazard_id is not None:
        try:
            hazard = investigations().find([spot.hazard_id]).get(spot.hazard_id)
        except Unavailable:
            hazard = None
        row.hazard = None if hazard is None else _hazard_ref(hazard)
    return row


def _hazard_ref(hazard: Any) -> dict[str, object]:
    return {
        "id": hazard.id,
        "url": hazard.url,
        "api_url": hazard.api_url,
        "is_open": hazard.is_open,
    }


def _listed(
    pk: int | None,
    spot: BlackSpot | Found,
    names: dict[int, str],
    first: dt.date,
    last: dt.date,
    stored: BlackSpot | None,
) -> Listed:
    if isinstance(spot, BlackSpot):
        tally = Tally(spot.accidents, spot.injuries, spot.fatalities)
        lat = float(spot.latitude) if spot.latitude is not None else None
        lng = float(spot.longitude) if spot.longitude is not None else None
    else:
        tally, lat, lng = spot.tally, spot.latitude, spot.longitude
    return Listed(
        id=pk,
        rank=0,
        kind=spot.kind,
        unit_id=spot.unit_id,
        unit=names.get(spot.unit_id, ""),
        name=spot.name,
        latitude=lat,
        longitude=lng,
        accidents=tally.accidents,
        injuries=tally.injuries,
        fatalities=tally.fatalities,
        main_kinds=_kinds(spot.main_kinds),
        main_hours=spot.main_hours,
        window_from=first,
        window_to=last,
        records_api=spot_records_api(spot, first, last),
        cells=list(spot.cells),
        hazard={"id": stored.hazard_id} if stored is not None and stored.hazard_id else None,
    )
