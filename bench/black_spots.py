"""Benchmark of the black-spot computation against a bare SQL GROUP BY, on generated
accidents (PostgreSQL, loaded with COPY).

    .venv/bin/python bench/black_spots.py                             # 1,000,000 accidents
    .venv/bin/python bench/black_spots.py --rows 100000 --report-only # CI size

Goals (every ratio is measured in this one run):

1. full: ``black_spots.recompute_all()`` as the nightly run does it, after a day's new
   accidents (the grouped counts and prints, the rings and merges in Python, the hours,
   vehicle kinds and names of the spots whose accidents changed, the upsert and the ranks)
   within 2x of the bare GROUP BY over the same cells of the same window (psycopg2,
   fetched), best of N interleaved; the spots stored equal the spots computed again, and
   their descriptions equal those of a computation that describes every spot afresh.
2. incremental: one new accident, then ``black_spots.update_marked()`` (its cell's spots
   only) under 2% of the full computation; the spots after it equal a full computation's.
   What is timed is the whole update as the task runs it: the lock, the marks, the
   queries, the writes and its commit; the median of N (a process's first update also
   compiles its statements, once). On PostgreSQL that commit does not wait for the
   disk (``SET LOCAL synchronous_commit TO OFF``: the spots are derived data, and a lost
   commit leaves its marks for the next update), as in production; nothing else differs.

Accidents over five years ending yesterday, in and around Liaocheng: most spread over the
city, a share clustered around a few hundred intersections; a fifth with injuries, a few
fatal; five units by longitude.

Exits 1 when a goal is missed (0 with --report-only), 2 when the spots differ.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    connect,
    create_database,
    database_exists,
    save_results,
    section,
    setup_django,
    summary,
    timed,
)

FULL_LIMIT = 2.0
INCREMENTAL_LIMIT = 0.02
DEFAULT_DB = "brigade_bench_black_spots"
YEARS = 5
UNITS = 5
HOTSPOTS = 300
# the city: a box around central Liaocheng
SOUTH, NORTH, WEST, EAST = 36.35, 36.55, 115.85, 116.10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="accidents to generate")
    parser.add_argument("--seed", type=int, default=20220613)
    parser.add_argument("--db", default=DEFAULT_DB, help="benchmark database (recreated)")
    parser.add_argument("--reuse", action="store_true", help="keep a database of this size")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing (best of)")
    parser.add_argument("--report-only", action="store_true", help="exit 0 when a goal is missed")
    return parser.parse_args()


# --- the data ------------------------------------------------------------------------------


def _copy_value(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def copy_accidents(
    rng: random.Random, count: int, first_day: dt.date, days: int, hotspots: list[Any]
) -> None:
    """``count`` accidents over ``days`` days from ``first_day``, COPYed in (the columns
    read from the model, so that a column added later gets its default)."""
    import h3
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from brigade.duty.models import Unit
    from incidents.choices import Severity
    from incidents.models import Accident

    units = list(Unit.objects.filter(code__startswith="b").order_by("code"))
    resolution = settings.H3_RESOLUTION
    span = days * 86400
    zone = timezone.get_current_timezone()
    origin = dt.datetime.combine(first_day, dt.time.min, tzinfo=zone)
    now = timezone.now()
    fields = [f for f in Accident._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    buffer = io.StringIO()
    for _ in range(count):
        if rng.random() < 0.3:
            lat0, lng0 = rng.choice(hotspots)
            lat, lng = rng.gauss(lat0, 0.0009), rng.gauss(lng0, 0.0011)
        else:
            lat, lng = rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)
        roll = rng.random()
        severity = (
            Severity.FATAL if roll < 0.02 else Severity.INJURY if roll < 0.22 else Severity.PROPERTY
        )
        unit = units[min(int((lng - WEST) / (EAST - WEST) * UNITS), UNITS - 1)]
        values = {
            "occurred_at": origin + dt.timedelta(seconds=rng.randrange(span)),
            "road": f"路{rng.randrange(200)}",
            "latitude": f"{lat:.6f}",
            "longitude": f"{lng:.6f}",
            "h3_cell": h3.latlng_to_cell(lat, lng, resolution),
            "severity": severity,
            "unit_id": unit.pk,
            "created_at": now,
            "updated_at": now,
        }
        row = []
        for f in fields:
            if f.attname in values:
                row.append(values[f.attname])
            elif f.has_default():
                row.append(f.get_default())
            elif f.null:
                row.append(None)
            else:
                row.append("")
        buffer.write("\t".join(_copy_value(v) for v in row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cur:
        cur.copy_expert(f"COPY {Accident._meta.db_table} ({', '.join(columns)}) FROM STDIN", buffer)


def hotspots_of(seed: int) -> list[Any]:
    rng = random.Random(seed)
    return [(rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for _ in range(HOTSPOTS)]


def generate(args: argparse.Namespace) -> dict[str, Any]:
    """Units and five years of accidents ending yesterday."""
    from django.db import connection
    from django.utils import timezone

    from brigade.duty.models import Unit
    from incidents.models import Accident

    for i in range(UNITS):
        Unit.objects.create(code=f"b{i}", name=f"第{i + 1}中队")
    end = timezone.localdate() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=365 * YEARS)
    copy_accidents(
        random.Random(args.seed), args.rows, start, (end - start).days, hotspots_of(args.seed)
    )
    # a table in use is vacuumed by autovacuum (its visibility map set): as after a while
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {Accident._meta.db_table}")
    return {"rows": args.rows, "seed": args.seed, "first_day": start, "last_day": end}


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    from brigade.core.kpi import tracking
    from incidents.models import Accident

    if args.reuse and database_exists(args.db):
        count = Accident.objects.count()
        if count >= args.rows:
            print(f"reusing {args.db}: {count:,} accidents")
            return {"rows": count, "seed": args.seed}
    with section(f"create {args.db} and load {args.rows:,} accidents"):
        create_database(args.db)
        from django.db import connection

        connection.close()
        with tracking.paused():
            return generate(args)


# --- the timings ---------------------------------------------------------------------------

BARE = """
SELECT unit_id, h3_cell, COUNT(*),
       COUNT(*) FILTER (WHERE severity = 'injury'),
       COUNT(*) FILTER (WHERE severity = 'fatal')
FROM {table}
WHERE severity IN ('injury', 'fatal') AND occurred_at >= %s AND occurred_at < %s
  AND h3_cell IS NOT NULL AND h3_cell <> ''
GROUP BY unit_id, h3_cell
"""


def bare(pg: Any, first: dt.date, last: dt.date) -> list[Any]:
    from incidents.models import Accident
    from incidents.querysets import day_bounds

    start, end = day_bounds(first, last)
    with pg.cursor() as cur:
        cur.execute(BARE.format(table=Accident._meta.db_table), [start, end])
        return cur.fetchall()


def spots_now() -> set[tuple[Any, ...]]:
    from incidents.models import BlackSpot

    return set(
        BlackSpot.objects.filter(current=True).values_list(
            "unit_id", "kind", "h3_cell", "place_id", "accidents", "injuries", "fatalities"
        )
    )


def described_now() -> dict[tuple[Any, ...], tuple[Any, ...]]:
    from incidents.models import BlackSpot

    return {
        (unit, kind, cell or str(place)): (name, kinds, hours)
        for unit, kind, cell, place, name, kinds, hours in BlackSpot.objects.filter(
            current=True
        ).values_list("unit_id", "kind", "h3_cell", "place_id", "name", "main_kinds", "main_hours")
    }


def spots_of(found: list[Any]) -> set[tuple[Any, ...]]:
    return {
        (
            s.unit_id,
            s.kind,
            s.h3_cell,
            s.place_id,
            s.tally.accidents,
            s.tally.injuries,
            s.tally.fatalities,
        )
        for s in found
    }


def main() -> int:
    args = parse_args()
    setup_django(args.db)
    meta = prepare(args)
    from django.db import connection
    from django.utils import timezone

    from brigade.core.kpi import tracking
    from incidents import black_spots
    from incidents.choices import Severity
    from incidents.models import Accident, BlackSpot

    with connection.cursor() as cur:
        cur.execute("SELECT version(), current_setting('work_mem')")
        version, work_mem = cur.fetchone()
    print(f"\n{version}\nwork_mem {work_mem}; {meta['rows']:,} accidents")
    goals: list[dict[str, Any]] = []
    results: dict[str, Any] = {"meta": meta, "goals": goals}

    def goal(name: str, measured: float, limit: float, detail: str) -> None:
        ok = measured <= limit
        goals.append({"goal": name, "measured": measured, "limit": limit, "ok": ok})
        print(f"   GOAL {name}: {measured:.4f} (limit {limit}) {'ok' if ok else 'MISSED'} {detail}")

    first, last = black_spots.rolling_window()
    pg = connect(args.db)
    wrong: list[str] = []
    base_times: list[float] = []
    full_times: list[float] = []
    # a night's work: the accidents of a day (as many as the data has per day) arrive
    # before each run, so that the spots they fall in are described again
    daily = max(1, meta["rows"] // (365 * YEARS))
    rng = random.Random(args.seed + 1)
    hotspots = hotspots_of(args.seed)
    with section(
        f"full computation vs bare GROUP BY, best of {args.repeat}, interleaved, "
        f"each after a day's {daily:,} new accidents"
    ):
        black_spots.recompute_all()  # the spots stored as the night before
        for _ in range(args.repeat):
            with tracking.paused():  # loaded in bulk: no update on change
                copy_accidents(rng, daily, last, 1, hotspots)
            seconds, rows = timed(lambda: bare(pg, first, last))
            base_times.append(seconds)
            seconds, count = timed(black_spots.recompute_all)
            full_times.append(seconds)
            print(
                f"   bare {base_times[-1]:.3f}s ({len(rows):,} cells)   "
                f"full {seconds:.3f}s ({count} spots)"
            )
        print(f"   bare: {summary(base_times)}\n   full: {summary(full_times)}")
        afresh = black_spots.compute(first, last)
        if spots_now() != spots_of(afresh):
            wrong.append("the stored spots differ from a computation again")
        if described_now() != {s.key: (s.name, s.main_kinds, s.main_hours) for s in afresh}:
            wrong.append("the stored descriptions differ from describing every spot afresh")
        goal("full / bare", min(full_times) / min(base_times), FULL_LIMIT, "")
        # for the record: a night with nothing new (every spot keeps its description)
        idle = [timed(black_spots.recompute_all)[0] for _ in range(args.repeat)]
        print(f"   nothing new: {summary(idle)}, {min(idle) / min(base_times):.2f}x bare")
        results["idle"] = idle

    incremental: list[float] = []
    with section("one new accident: its cell's spots only, vs the full computation"):
        spot = BlackSpot.objects.filter(current=True).order_by("rank").first()
        for i in range(args.repeat):
            cell = spot.h3_cell if spot and spot.h3_cell else None
            import h3

            lat, lng = h3.cell_to_latlng(cell) if cell else (36.45, 115.98)
            Accident.objects.create(
                unit_id=spot.unit_id if spot else BlackSpot.objects.values("unit_id")[0]["unit_id"],
                road="路0",
                latitude=round(lat, 6),
                longitude=round(lng, 6),
                severity=Severity.INJURY,
                occurred_at=timezone.now() - dt.timedelta(minutes=i + 1),
            )
            # the update runs in the request's commit (eager): time it again alone
            seconds, updated = timed(black_spots.update_marked)
            if updated == 0:
                from incidents.models import BlackSpotMark

                BlackSpotMark.objects.create(unit_id=spot.unit_id, h3_cell=cell)  # type: ignore[union-attr,misc]
                seconds, updated = timed(black_spots.update_marked)
            incremental.append(seconds)
            print(f"   incremental {seconds:.4f}s ({updated} cell)")
        print(f"   incremental: {summary(incremental)}")
        if spots_now() != spots_of(black_spots.compute(first, last, details=False)):
            wrong.append("the spots after the incremental update differ from a full computation")
        # the median: a process's first update also compiles its few statements, once
        middle = sorted(incremental)[len(incremental) // 2]
        goal("incremental / full", middle / min(full_times), INCREMENTAL_LIMIT, "(median)")

    results["bare"] = base_times
    results["full"] = full_times
    results["incremental"] = incremental
    path = save_results("black_spots", results)
    print(f"\n== summary ({path.name})")
    for g in goals:
        print(
            f"   {g['goal']}: {g['measured']:.4f} (limit {g['limit']}) "
            f"{'ok' if g['ok'] else 'MISSED'}"
        )
    for problem in wrong:
        print(f"   WRONG: {problem}")
    if wrong:
        return 2
    if not all(g["ok"] for g in goals) and not args.report_only:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
