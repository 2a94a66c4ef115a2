"""Benchmark of the petitions metrics' full weekly rollup against bare SQL GROUP BYs.

    .venv/bin/python bench/petitions_rollup.py                  # 1,000,000 tickets
    .venv/bin/python bench/petitions_rollup.py --rows 100000 --reuse --report-only

On the benchmark database (bench/petitions_data.py; made unless ``--reuse`` finds it) the
KPI engine computes every petitions metric from scratch: ``compute_flows`` of the
registered ``petitions.*`` metrics (one grouped ``INSERT … SELECT`` per metric side) and
``derive_rollups`` (the year-to-date running sums on the week grid). The baseline is one
plain GROUP BY per metric side, written here from the metrics' definitions (DESIGN.md,
petitions/kpis.py docstrings), not from the engine's SQL, run with psycopg2 and fetched:
week, cohort year, unit, count. The two run in turns, ``--repeat`` times, best of each
(the KPI tables vacuumed before each engine run, as autovacuum would between two nightly
runs). Then every flow must equal the baseline's group and every rollup row the running
sum of the baseline's groups, exactly.

Goal: the engine within 1.5x of the baseline. Exits 1 when missed (0 with
--report-only), 2 when a number differs (even with --report-only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data as brigade_data
import petitions_data as data
from common import connect, save_results, section, setup_django, summary

LIMIT = 1.5
TZ = "Asia/Shanghai"


def local(column: str) -> str:
    return f"({column} AT TIME ZONE '{TZ}')"


def week(column: str) -> str:
    return f"CAST(DATE_TRUNC('week', {local(column)}) AS DATE)"


def year(column: str) -> str:
    return f"CAST(EXTRACT(YEAR FROM {local(column)}) AS INTEGER)"


def grouped(table: str, when: str, cohort: str, where: str = "TRUE", split: str = "") -> str:
    extra = f", {split}" if split else ""
    return (
        f"SELECT {week(when)}, {year(cohort)}, unit_id, COUNT(*){extra} FROM {table} "
        f"WHERE {when} IS NOT NULL AND {where} GROUP BY 1, 2, 3{extra}"
    )


NOT_RETURNED = "status <> 'returned'"
RECEIVED = grouped("petitions_ticket", "received_at", "received_at", NOT_RETURNED)
CLOSED = grouped("petitions_ticket", "closed_at", "received_at")
# (metric, side, SQL with rows (week, cohort year, unit, amount[, split value]))
QUERIES: list[tuple[str, str, str]] = [
    ("petitions.received", "n", RECEIVED),
    ("petitions.closure_rate", "n", CLOSED),
    ("petitions.closure_rate", "d", RECEIVED),
    (
        "petitions.on_time_rate",
        "n",
        grouped("petitions_ticket", "closed_at", "received_at", "closed_on_time"),
    ),
    ("petitions.on_time_rate", "d", CLOSED),
    (
        "petitions.feedback_rate",
        "n",
        grouped("petitions_ticket", "replied_at", "received_at", NOT_RETURNED),
    ),
    ("petitions.feedback_rate", "d", RECEIVED),
    (
        "petitions.satisfaction_rate",
        "n",
        grouped(
            "petitions_ticketcallback",
            "at",
            "at",
            "result IN ('satisfied', 'basically_satisfied')",
        ),
    ),
    (
        "petitions.satisfaction_rate",
        "d",
        grouped("petitions_ticketcallback", "at", "at", "result <> 'unreachable'"),
    ),
    ("petitions.reopened", "n", grouped("petitions_ticket", "reopened_at", "reopened_at")),
    ("petitions.consultations", "n", grouped("petitions_consultation", "at", "at")),
    (
        "petitions.proposals_answered",
        "n",
        grouped("petitions_proposal", "replied_at", "replied_at"),
    ),
    (
        "petitions.proposals_answered_by.{split}",
        "n",
        grouped("petitions_proposal", "replied_at", "replied_at", split="reply_mode"),
    ),
]
RATES = {
    "petitions.closure_rate",
    "petitions.on_time_rate",
    "petitions.feedback_rate",
    "petitions.satisfaction_rate",
}

Key = tuple[str, str, dt.date, int, int]  # metric, side, week, cohort, unit


def run_baseline(conn: Any) -> dict[Key, Decimal]:
    """Every metric side's GROUP BY, executed and fetched."""
    out: dict[Key, Decimal] = {}
    with conn.cursor() as cur:
        for metric, side, sql in QUERIES:
            cur.execute(sql)
            for row in cur.fetchall():
                key = metric.format(split=row[4]) if "{split}" in metric else metric
                out[(key, side, row[0], int(row[1]), int(row[2]))] = Decimal(row[3])
    conn.rollback()
    return out


def ytd_year(monday: dt.date) -> int:
    return (monday + dt.timedelta(days=6)).year


def rollups(
    flows: dict[Key, Decimal], current_week: dt.date
) -> dict[tuple[str, dt.date, str], tuple[Decimal, Decimal | None]]:
    """Year-to-date (numerator, denominator) per metric, week and scope, on every week from
    the first flow's to ``current_week``: the flows of that year's cohort, summed over
    the weeks of the year up to it."""
    first = min(key[2] for key in flows)
    weeks = [first + dt.timedelta(days=7 * i) for i in range((current_week - first).days // 7 + 1)]
    weekly: dict[tuple[str, str], dict[dt.date, dict[str, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Decimal))
    )
    for (metric, side, monday, cohort, unit), amount in flows.items():
        for scope in ("brigade", str(unit)):
            series = weekly[(metric, scope)]
            if cohort == ytd_year(monday):
                series[monday][side] += amount
            else:
                series.setdefault(monday, defaultdict(Decimal))
    out: dict[tuple[str, dt.date, str], tuple[Decimal, Decimal | None]] = {}
    for (metric, scope), series in weekly.items():
        n = d = Decimal(0)
        this_year = None
        for monday in weeks:
            if ytd_year(monday) != this_year:
                this_year, n, d = ytd_year(monday), Decimal(0), Decimal(0)
            sides = series.get(monday)
            if sides:
                n += sides.get("n", Decimal(0))
                d += sides.get("d", Decimal(0))
            rate = metric in RATES or metric.rsplit(".", 1)[0] in RATES
            out[(metric, monday, scope)] = (n, d if rate else None)
    return out


def compare(want_flows: dict[Key, Decimal]) -> list[str]:
    from django.db import connection

    from brigade.core.kpi.models import KpiFlow, KpiRollup
    from brigade.core.kpi.weeks import current_week

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT metric, side, week, cohort_year, unit_id, SUM(amount) "
            f"FROM {KpiFlow._meta.db_table} GROUP BY 1, 2, 3, 4, 5"
        )
        got_flows = {(m, s, w, int(c), int(u)): a for m, s, w, c, u, a in cur.fetchall()}
    problems = diff("flow", want_flows, got_flows)
    want = rollups(want_flows, current_week())
    got = {
        (metric, monday, scope): (num, den)
        for metric, monday, scope, num, den in KpiRollup.objects.values_list(
            "metric", "week", "scope", "numerator", "denominator"
        )
    }
    return problems + diff("rollup", want, got)


def diff(what: str, want: dict[Any, Any], got: dict[Any, Any]) -> list[str]:
    out = []
    missing = sorted(set(want) - set(got), key=str)
    extra = sorted(set(got) - set(want), key=str)
    different = sorted((k for k in set(want) & set(got) if want[k] != got[k]), key=str)
    for name, keys in (("missing", missing), ("extra", extra), ("different", different)):
        if keys:
            sample = "; ".join(f"{k}: want {want.get(k)} got {got.get(k)}" for k in keys[:5])
            out.append(f"{len(keys)} {what}s {name}, e.g. {sample}")
    print(
        f"   {what}s: {len(want):,} expected, {len(got):,} computed: "
        f"{'DIFFERENT' if out else 'equal'}"
    )
    return out


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="brigade_petitions_bench")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20220613)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (best of)")
    parser.add_argument("--reuse", action="store_true", help="keep a database of the same size")
    parser.add_argument("--report-only", action="store_true", help="exit 0 when missed")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    setup_django(args.db)
    meta = data.prepare(args.db, args.rows, args.seed, args.reuse)
    from brigade.core.kpi import engine
    from brigade.core.kpi.models import KpiFlow, KpiRollup
    from brigade.core.kpi.registry import registry

    metrics = [m for m in registry.all() if m.app == "petitions"]
    sides = sum(1 + (m.denominator is not None) for m in metrics)
    print(
        f"{len(metrics)} petitions metrics, {sides} metric sides; baseline {len(QUERIES)} queries"
    )
    engine_times: list[float] = []
    bare_times: list[float] = []
    want: dict[Key, Decimal] = {}
    with section(f"engine and bare SQL in turns, {args.repeat} runs each"):
        for _ in range(args.repeat):
            KpiFlow.objects.all().delete()
            KpiRollup.objects.all().delete()
            brigade_data.vacuum_kpi(args.db)
            start = time.perf_counter()
            engine.compute_flows(metrics)
            engine.derive_rollups()
            engine_times.append(time.perf_counter() - start)
            with connect(args.db) as conn:
                start = time.perf_counter()
                want = run_baseline(conn)
                bare_times.append(time.perf_counter() - start)
            print(f"   engine {engine_times[-1]:.2f}s, bare SQL {bare_times[-1]:.2f}s", flush=True)
    print(f"   engine:   {summary(engine_times)}")
    print(f"   bare SQL: {summary(bare_times)}")
    with section("the engine's numbers against the baseline's"):
        problems = compare(want)
    ratio = min(engine_times) / min(bare_times)
    ok = ratio <= LIMIT
    path = save_results(
        "petitions_rollup",
        {
            "meta": meta,
            "args": vars(args),
            "engine_s": engine_times,
            "bare_s": bare_times,
            "ratio": ratio,
            "ok": ok,
            "problems": problems,
        },
    )
    print(f"\nresults: {path}\n\nSUMMARY ({int(meta['rows']):,} tickets)")
    print(
        f"  {'ok    ' if ok else 'MISSED'} full rollup / bare SQL: {ratio:.2f} (goal <= {LIMIT})"
        f" - {min(engine_times):.2f}s against {min(bare_times):.2f}s"
    )
    for problem in problems:
        print(f"  WRONG  {problem}")
    if problems:
        return 2
    return 0 if ok or args.report_only else 1


if __name__ == "__main__":
    sys.exit(main())
