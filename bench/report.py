"""Benchmark of the period report: a year of a city-scale deployment (1,000,000 tickets,
100,000 hazards, 100,000 accidents, 50,000 publicity events ...) against the dashboard's
rollup read of the same year, in one run.

    .venv/bin/python bench/report.py                   # the full size, ~10 min
    .venv/bin/python bench/report.py --scale 0.1       # a tenth, ~1 min

A fresh PostgreSQL database (``brigade_report_bench``, ``--db``) is migrated and filled with
COPY (bench/report_data.py), the KPI engine computes its flows and rollups
(``engine.recompute_all()``, as the nightly run does), then, in turns, ``--repeat`` times:

- the dashboard's rollup read of the year: the figures of the week the year ends in and
  every metric's weekly series over the year's weeks (``read.figures`` + ``read.trends``,
  with the cache switched off so that each run reads the database), made JSON;
- the report of the year (``build_report(...).as_json()``, what the API answers), made JSON.

Ratio = best report / best rollup read; goal ≤ 3. Also measured, for information: the report
of a squadron, the report counted from the records only (``use_flows=False``), and a year
that does not start on 1 January (its rates with a cohort are counted from the records).
Every report is checked against the one counted from the records only: a difference exits
2. ``--report-only`` exits 0 when the goal is missed. Results go to bench/results/.

Needs PostgreSQL (``BENCH_PG``); Redis is not used (``BENCH_REDIS_URL`` defaults to a
database of its own, 6, should anything reach for the cache).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from decimal import Decimal
from typing import Any

os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")

import report_data
from common import (
    create_database,
    database_exists,
    migrate,
    save_results,
    section,
    setup_django,
    summary,
)

GOAL = 3.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="brigade_report_bench")
    parser.add_argument(
        "--year", type=int, default=None, help="the year reported (default: last year)"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 1,000,000 tickets a year")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep a database of the same size")
    parser.add_argument("--report-only", action="store_true", help="exit 0 when the goal is missed")
    return parser.parse_args()


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    if args.reuse and database_exists(args.db):
        meta = report_data.read_meta(args.db)
        wanted = {"year": str(args.year), "scale": str(args.scale), "seed": str(args.seed)}
        if meta and all(meta.get(k) == v for k, v in wanted.items()):
            print(f"reusing {args.db}")
            migrate(args.db)
            return meta
    with section(f"create {args.db}, migrate"):
        create_database(args.db)
    with section(f"generate and COPY a year around {args.year} (scale {args.scale})"):
        meta = report_data.load(args.db, args.year, args.scale, args.seed)
        print(
            "   "
            + ", ".join(
                f"{k} {int(v):,}"
                for k, v in meta.items()
                if v.isdigit() and k not in ("year", "seed")
            )
        )
    from brigade.core.kpi import engine

    with section("the KPI engine's flows and rollups (recompute_all)"):
        engine.recompute_all()
    with section("VACUUM ANALYZE"):
        from common import connect

        conn = connect(args.db)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM (ANALYZE)")
        conn.close()
    return meta


def numbers(report: Any) -> dict[str, tuple[Decimal, Decimal | None]]:
    return {fv.figure.key: (fv.numerator, fv.denominator) for fv in report.figures}


def differences(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Figures that differ; patrol hours by more than a hundredth (the weekly flows keep
    four decimals a week and unit, so their sum may be off by a few ten-thousandths)."""
    out = {}
    for key in a:
        if key == "brigade.patrol_hours":
            if abs(a[key][0] - b[key][0]) > Decimal("0.01"):
                out[key] = (a[key], b[key])
        elif a[key] != b[key]:
            out[key] = (a[key], b[key])
    return out


def main() -> int:
    args = parse_args()
    args.year = args.year or dt.date.today().year - 1
    setup_django(args.db)
    meta = prepare(args)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from brigade.core.kpi import read
    from brigade.core.kpi.read import FigureScope
    from brigade.core.kpi.weeks import week_start, weeks_between
    from brigade.core.report.period import Period
    from brigade.core.report.report import build_report

    with connection.cursor() as cur:
        cur.execute("SELECT version(), current_setting('work_mem'), current_setting('jit')")
        version, work_mem, jit = cur.fetchone()
    print(f"\n{version}\nwork_mem {work_mem}, jit {jit}; {os.cpu_count()} CPUs")

    year = Period(dt.date(args.year, 1, 1), dt.date(args.year, 12, 31))
    brigade = FigureScope(unit_id=None, name="brigade")
    squadron = FigureScope(unit_id=2, name="squadron")
    last_monday = week_start(year.last)
    weeks = len(weeks_between(year.first, year.last))
    keys = [key for key, _metric in read.produced()]
    no_cache = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    def rollup_read(scope: FigureScope) -> str:
        payload = {
            "figures": read.figures(last_monday, scope),
            "trends": read.trends(keys, scope, weeks=weeks, until=last_monday),
        }
        return json.dumps(payload, default=str)

    def report(scope: FigureScope, period: Period = year, use_flows: bool = True) -> str:
        return json.dumps(build_report(period, scope, use_flows=use_flows).as_json())

    def best_of(fn: Any, repeat: int) -> list[float]:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return times

    results: dict[str, Any] = {"meta": meta, "year": args.year, "weeks": weeks}
    failures: list[str] = []
    with override_settings(CACHES=no_cache):
        with section("correctness: the report from the flows = the report from the records"):
            late = Period(dt.date(args.year, 2, 10), dt.date(args.year + 1, 1, 31))
            checks = [("year, brigade", year, brigade), ("year, squadron", year, squadron)]
            checks.append(("10 Feb to 31 Jan, brigade", late, brigade))
            for name, period, scope in checks:
                flows = numbers(build_report(period, scope))
                counted = numbers(build_report(period, scope, use_flows=False))
                wrong = differences(flows, counted)
                print(f"   {name}: {'equal' if not wrong else f'{len(wrong)} differ: {wrong}'}")
                if wrong:
                    failures.append(f"{name}: {wrong}")
            rows = build_report(year, brigade).as_json()["figures"]
            sample = {
                f["key"]: f["numerator"]
                for f in rows
                if f["key"]
                in (
                    "petitions.received",
                    "hazards.found",
                    "incidents.hit_and_run_solve_rate",
                    "outreach.events",
                )
            }
            print(f"   the year's figures, e.g. {sample}")

        with section("query counts"):
            for name, fn in (
                ("report, brigade", lambda: report(brigade)),
                ("report, squadron", lambda: report(squadron)),
                ("rollup read, brigade", lambda: rollup_read(brigade)),
            ):
                with CaptureQueriesContext(connection) as captured:
                    fn()
                results[f"queries: {name}"] = len(captured)
                print(f"   {name}: {len(captured)} queries")

        timings: dict[str, list[float]] = {
            "rollup read, brigade": [],
            "report, brigade": [],
            "rollup read, squadron": [],
            "report, squadron": [],
        }
        with section(f"timings, in turns, {args.repeat} rounds"):
            rollup_read(brigade), report(brigade)  # warm up: imports, plans, caches
            for _ in range(args.repeat):
                timings["rollup read, brigade"] += best_of(lambda: rollup_read(brigade), 1)
                timings["report, brigade"] += best_of(lambda: report(brigade), 1)
                timings["rollup read, squadron"] += best_of(lambda: rollup_read(squadron), 1)
                timings["report, squadron"] += best_of(lambda: report(squadron), 1)
            for name, times in timings.items():
                print(f"   {name}: {summary(times)}")
        with section("for information: from the records only, and a year from 10 February"):
            raw = best_of(lambda: report(brigade, use_flows=False), 2)
            shifted = best_of(lambda: report(brigade, late), 2)
            print(f"   report from the records only: {summary(raw)}")
            print(f"   report of 10 Feb .. 31 Jan: {summary(shifted)}")
            timings["report from the records only, brigade"] = raw
            timings["report of 10 Feb to 31 Jan, brigade"] = shifted

    ratio = min(timings["report, brigade"]) / min(timings["rollup read, brigade"])
    ratio_unit = min(timings["report, squadron"]) / min(timings["rollup read, squadron"])
    raw_ratio = min(raw) / min(timings["rollup read, brigade"])
    ok = ratio <= GOAL and ratio_unit <= GOAL
    print(
        f"\nreport / rollup read, the year, brigade:  {ratio:.2f}  "
        f"({min(timings['report, brigade']) * 1000:.1f} ms / "
        f"{min(timings['rollup read, brigade']) * 1000:.1f} ms)  goal ≤ {GOAL}: "
        f"{'ok' if ratio <= GOAL else 'MISSED'}"
    )
    print(
        f"report / rollup read, the year, squadron: {ratio_unit:.2f}  "
        f"({min(timings['report, squadron']) * 1000:.1f} ms / "
        f"{min(timings['rollup read, squadron']) * 1000:.1f} ms)"
    )
    print(f"for information, from the records only / rollup read: {raw_ratio:.1f}")
    results.update(
        timings=timings,
        ratio=ratio,
        ratio_squadron=ratio_unit,
        ratio_records_only=raw_ratio,
        goal=GOAL,
        failures=failures,
    )
    path = save_results("report", results)
    print(f"results: {path}")
    if failures:
        print("WRONG NUMBERS:", *failures, sep="\n  ")
        return 2
    if not ok and not args.report_only:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
