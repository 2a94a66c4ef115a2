"""Benchmark of the KPI engine's rollups against bare SQL, on a generated brigade.

    .venv/bin/python bench/kpi_rollup.py                  # 1,000,000 patrols (by hand)
    .venv/bin/python bench/kpi_rollup.py --rows 100000    # CI size
    .venv/bin/python bench/kpi_rollup.py --rows 100000 --reuse --explain --report-only

Goals (every ratio is measured in this one run; see bench/README.md):

1. full: ``engine.recompute_all()`` within 1.5x of the bare SQL GROUP BYs that count the
   same numbers (psycopg2, fetched), best of N interleaved; the engine's flows and
   year-to-date rollups equal the baseline's numbers exactly.
2. incremental: after one tally +1, ``engine.recompute_dirty()`` under 2% of the full
   recompute.
3. coalescing: a burst of 100 changes enqueues at most one task, whose recompute leaves
   no mark behind (read from the database: the tasks keep no result).
4. worker: the full recompute through a real Celery worker (Redis, --pool=solo), enqueue
   to its KpiRun done, within 1.2x of the direct call.
5. race: 8 recompute requests at once (``runs.start()`` from 8 threads, two workers) all
   done within 1.2x of one request's run; the numbers after it are still the baseline's.

Exits 1 when a goal is missed (0 with --report-only), 2 when the numbers differ.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline
import data
from common import (
    DEFAULT_DB,
    RESULTS,
    ROOT,
    bench_env,
    connect,
    create_database,
    database_exists,
    migrate,
    save_results,
    section,
    setup_django,
    summary,
    timed,
)

FULL_LIMIT = 1.5
INCREMENTAL_LIMIT = 0.02
WORKER_LIMIT = 1.2
RACE_LIMIT = 1.2
BURST = 100
RACE = 8


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="patrol logs to generate")
    parser.add_argument("--seed", type=int, default=20220613)
    parser.add_argument("--db", default=DEFAULT_DB, help="benchmark database (recreated)")
    parser.add_argument(
        "--end", type=dt.date.fromisoformat, help="last day with patrols (default: yesterday)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the benchmark database when it already holds this --rows and --seed",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing (best of)")
    parser.add_argument("--report-only", action="store_true", help="exit 0 when a goal is missed")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the engine's statements"
    )
    parser.add_argument(
        "--no-worker", action="store_true", help="skip the Celery worker goals (3 to 5)"
    )
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="do not VACUUM the KPI tables before each timed run (as autovacuum would)",
    )
    return parser.parse_args()


# --- the statements the engine runs -------------------------------------------------------


class Capture:
    """A Django execute wrapper that records each statement with its time."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any, float]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if not many:
                self.statements.append((sql, params, time.perf_counter() - start))


def label(sql: str, params: Any) -> str:
    text = " ".join(sql.split())
    first = params[0] if params else ""
    if text.startswith('INSERT INTO "brigade_kpiflow"'):
        return f"flow {params[0]}/{params[1]}"
    if text.startswith('INSERT INTO "brigade_kpirollup"'):
        per_unit = "per unit" if "g.unit_id AS unit_id" in text else "brigade"
        return f"rollup {params[1]} {per_unit}"
    return f"{text[:70]} {str(first)[:20]}"


def profile(statements: list[tuple[str, Any, float]], top: int = 12) -> None:
    total = sum(s for _sql, _p, s in statements)
    print(f"   {len(statements)} statements, {total:.3f}s in the database:")
    for sql, params, seconds in sorted(statements, key=lambda s: -s[2])[:top]:
        print(f"   {seconds:8.3f}s  {label(sql, params)}")


def explain(statements: list[tuple[str, Any, float]], title: str) -> None:
    """EXPLAIN ANALYZE each statement, replayed in order in a transaction rolled back."""
    from django.db import connection, transaction

    print(f"\n-- EXPLAIN ANALYZE: {title}")
    with transaction.atomic(), connection.cursor() as cur:
        for sql, params, _seconds in statements:
            head = sql.lstrip().split(None, 1)[0].upper()
            if head == "SET":
                cur.execute(sql, params)
                continue
            if head not in ("INSERT", "DELETE", "UPDATE", "SELECT", "WITH"):
                continue
            cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print(f"\n-- {label(sql, params)}\n{' '.join(sql.split())[:600]}")
            for (line,) in cur.fetchall():
                print(f"   {line}")
        transaction.set_rollback(True)


# --- the engine's numbers against the baseline's -----------------------------------------


def compare(rows: list[Any]) -> list[str]:
    """Differences between the engine's flows and rollups and the baseline rows'."""
    from django.db import connection

    from brigade.core.kpi.models import KpiFlow, KpiRollup
    from brigade.core.kpi.weeks import current_week

    problems: list[str] = []
    want_flows = baseline.flows(rows)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT metric, side, week, cohort_year, unit_id, SUM(amount) "
            f"FROM {KpiFlow._meta.db_table} GROUP BY 1, 2, 3, 4, 5"
        )
        got_flows = {(m, s, w, int(c), int(u)): a for m, s, w, c, u, a in cur.fetchall()}
    problems += _diff("flow", want_flows, got_flows)

    want = baseline.rollups(want_flows, current_week())
    got: dict[Any, Any] = {}
    bad_values = 0
    for metric, week, scope, num, den, value in KpiRollup.objects.values_list(
        "metric", "week", "scope", "numerator", "denominator", "value"
    ):
        got[(metric, week, scope)] = (num, den)
        expected = num if den is None else (num / den if den else None)
        if (value is None) != (expected is None) or (
            value is not None and abs(value - expected) > Decimal("0.000001")
        ):
            bad_values += 1
    problems += _diff("rollup", want, got)
    if bad_values:
        problems.append(f"{bad_values} rollup values are not numerator / denominator")
    return problems


def _diff(what: str, want: dict[Any, Any], got: dict[Any, Any]) -> list[str]:
    missing = sorted(set(want) - set(got), key=str)
    extra = sorted(set(got) - set(want), key=str)
    different = sorted((k for k in set(want) & set(got) if want[k] != got[k]), key=str)
    out = []
    for name, keys in (("missing", missing), ("extra", extra), ("different", different)):
        if keys:
            sample = "; ".join(f"{k}: want {want.get(k)} got {got.get(k)}" for k in keys[:5])
            out.append(f"{len(keys)} {what}s {name}, e.g. {sample}")
    verdict = "DIFFERENT" if out else "equal"
    print(f"   {what}s: {len(want)} expected, {len(got)} computed: {verdict}")
    return out


# --- the Celery worker --------------------------------------------------------------------


def start_worker(db: str, queue: str, n: int = 0) -> tuple[subprocess.Popen[bytes], Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / f"worker-{queue}-{n}.log"
    script = Path(sys.executable).with_name("celery")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "celery"]
    command += [
        "-A",
        "brigade",
        "worker",
        "--pool=solo",
        "--loglevel=info",
        f"--queues={queue}",
        f"--hostname={queue}-{n}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, env=bench_env(db), stdout=sink, stderr=subprocess.STDOUT
        )
    return process, log


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_result(result: Any, process: subprocess.Popen[bytes], log: Path, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while not result.ready():
        if process.poll() is not None:
            raise SystemExit(f"the worker exited ({process.returncode}):\n{log.read_text()}")
        if time.monotonic() > deadline:
            raise SystemExit(f"no result within {timeout}s; worker log:\n{log.read_text()}")
        time.sleep(0.02)
    return result.get(timeout=5)


def wait_runs(run_ids: set[Any], start: float, workers: list[Any], timeout: float) -> float:
    """Seconds from ``start`` until every one of the KpiRuns is done."""
    from brigade.core.kpi.models import KpiRun

    while True:
        states = dict(KpiRun.objects.filter(pk__in=run_ids).values_list("state", "error"))
        if set(states) == {KpiRun.State.DONE}:
            return time.perf_counter() - start
        if KpiRun.State.FAILED in states:
            raise SystemExit(f"a worker's recompute failed: {states[KpiRun.State.FAILED]}")
        dead = [log for process, log in workers if process.poll() is not None]
        if dead or time.perf_counter() - start > timeout:
            logs = "\n".join(log.read_text() for _process, log in workers)
            raise SystemExit(f"the workers' recompute did not finish:\n{logs}")
        time.sleep(0.01)


def run_through_worker(workers: list[Any], timeout: float) -> float:
    """Seconds from enqueueing a full recompute (as the dashboard's button does) to its
    KpiRun being done."""
    from brigade.core.kpi import runs

    start = time.perf_counter()
    run = runs.start(by=None)
    return wait_runs({run.pk}, start, workers, timeout)


def race(workers: list[Any], timeout: float) -> tuple[float, int]:
    """``RACE`` requests at once, from as many threads (as that many commanders' requests
    in the web processes): seconds until every run they were given is done, and how many
    runs that was."""
    from django.db import connection

    from brigade.core.kpi import runs

    barrier = threading.Barrier(RACE)
    given: list[Any] = []
    errors: list[BaseException] = []

    def press() -> None:
        try:
            barrier.wait(30)
            given.append(runs.start(by=None).pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(RACE)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"a recompute request failed: {errors[0]!r}")
    return wait_runs(set(given), start, workers, timeout), len(set(given))


def wait_marks(workers: list[Any], timeout: float) -> float:
    """Seconds until no mark waits: the on-change task has committed its recompute (the
    tasks keep no result to wait for)."""
    from brigade.core.kpi.models import KpiDirty

    start = time.perf_counter()
    while KpiDirty.objects.filter(failed_at__isnull=True).exists():
        dead = [log for process, log in workers if process.poll() is not None]
        if dead or time.perf_counter() - start > timeout:
            logs = "\n".join(log.read_text() for _process, log in workers)
            raise SystemExit(f"marks left after {timeout}s; worker logs:\n{logs}")
        time.sleep(0.02)
    return time.perf_counter() - start


# --- the benchmark ------------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    if args.reuse and database_exists(args.db):
        meta = data.read_meta(args.db)
        if meta and int(meta["rows"]) == args.rows and int(meta["seed"]) == args.seed:
            print(f"reusing {args.db}: {meta}")
            migrate(args.db)  # indexes added since it was made
            data.vacuum_analyze(args.db, full=False)
            return meta
    last_day = args.end or (
        dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=1)
    )
    with section(f"create {args.db}, migrate"):
        create_database(args.db)
    with section(f"generate and COPY {args.rows:,} patrols (seed {args.seed})"):
        meta = data.load(args.db, args.rows, args.seed, last_day)
        print(f"   {meta}")
    with section("calendar, VACUUM ANALYZE"):
        from brigade.core.calendar import ensure_calendar

        ensure_calendar(dt.date.fromisoformat(meta["first_day"]), dt.date.today())
        data.vacuum_analyze(args.db)
    return meta


def main() -> int:
    args = parse_args()
    setup_django(args.db)
    meta = prepare(args)
    queue = f"brigade-bench-{uuid.uuid4().hex[:12]}"
    from brigade.celery import app as celery_app

    # this process sends to the benchmark worker's queue only
    celery_app.conf.task_default_queue = queue
    celery_app.conf.task_routes = {"brigade.*": {"queue": queue}}

    from django.db import connection, transaction

    from brigade.core.kpi import engine
    from brigade.core.kpi.models import KpiDirty, KpiFlow, KpiRollup
    from brigade.core.kpi.weeks import local_date, week_start
    from brigade.duty.models import ViolationTally
    from brigade.tasks import recompute_dirty_task

    first_day = dt.date.fromisoformat(meta["first_day"])
    goals: list[dict[str, Any]] = []
    results: dict[str, Any] = {"meta": meta, "goals": goals}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT version(), current_setting('work_mem'), current_setting('autovacuum'), "
            "current_setting('max_parallel_workers_per_gather'), current_setting('jit')"
        )
        version, work_mem, autovacuum, parallel, jit = cur.fetchone()
    print(
        f"\n{version}\nwork_mem {work_mem}, autovacuum {autovacuum}, parallel workers per "
        f"gather {parallel}, jit {jit}; {os.cpu_count()} CPUs; {args.rows:,} patrols"
    )
    if args.no_vacuum:
        print("the KPI tables are not vacuumed between runs (--no-vacuum)")
    else:
        print("the KPI tables are vacuumed before each timed run, as autovacuum would")

    def settle() -> None:
        if not args.no_vacuum:
            data.vacuum_kpi(args.db)

    def goal(name: str, measured: float, limit: float, detail: str, less: bool = True) -> None:
        ok = measured < limit if less else measured <= limit
        goals.append(
            {"goal": name, "measured": measured, "limit": limit, "ok": ok, "detail": detail}
        )
        print(f"   GOAL {name}: {measured:.4f} (limit {limit}) {'ok' if ok else 'MISSED'}")

    # --- 1. full recompute vs the bare GROUP BYs ------------------------------------------
    pg = connect(args.db)
    base_times: list[float] = []
    full_times: list[float] = []
    rows: list[Any] = []
    capture = Capture()
    with section(f"full recompute vs bare SQL, best of {args.repeat}, interleaved"):
        per_query: dict[str, float] = {}
        for _ in range(args.repeat):
            settle()
            per_query.clear()
            seconds, rows = timed(lambda: baseline.run(pg, per_query))
            base_times.append(seconds)
            capture = Capture()
            with connection.execute_wrapper(capture):
                seconds, _ = timed(engine.recompute_all)
            full_times.append(seconds)
            print(f"   baseline {base_times[-1]:.3f}s   engine {full_times[-1]:.3f}s")
        print(f"   baseline: {summary(base_times)}; {len(rows)} grouped rows")
        print(f"   engine:   {summary(full_times)}")
        print(f"   {KpiFlow.objects.count()} flows, {KpiRollup.objects.count()} rollups")
        profile(capture.statements)
        engine_flows = {
            label(sql, params): secs
            for sql, params, secs in capture.statements
            if label(sql, params).startswith("flow ")
        }
        print("   per metric side, last run: baseline query (fetched) / engine INSERT ... SELECT")
        for name, secs in per_query.items():
            print(f"   {name:40s} {secs:7.3f}s {engine_flows.get('flow ' + name, 0.0):7.3f}s")
        problems = compare(rows)
        full = min(full_times)
        goal(
            "full recompute / bare SQL",
            full / min(base_times),
            FULL_LIMIT,
            f"engine {full:.3f}s, baseline {min(base_times):.3f}s",
            less=False,
        )
    results["full"] = {"baseline": base_times, "engine": full_times, "problems": problems}
    if args.explain:
        explain(capture.statements, "full recompute")

    # --- 2. one change, the incremental recompute -----------------------------------------
    sent: list[Any] = []

    def count_only(*a: Any, **kw: Any) -> None:
        sent.append((a, kw))

    def tally_at(order: str, since: dt.datetime | None = None) -> int:
        qs = ViolationTally.objects.filter(count__gt=0)
        if since is not None:
            qs = qs.filter(patrol__started_at__gte=since)
        return qs.order_by(order, "pk").values_list("pk", flat=True)[0]

    def change(pk: int) -> tuple[dt.date, int]:
        with transaction.atomic():
            tally = ViolationTally.objects.select_related("patrol").get(pk=pk)
            tally.count += 1
            tally.save(update_fields=["count", "updated_at"])
        return week_start(local_date(tally.patrol.started_at)), tally.patrol.unit_id

    def brigade_figure(week: dt.date) -> Decimal:
        return KpiRollup.objects.get(
            metric="brigade.violations_corrected", week=week, scope="brigade"
        ).numerator

    middle = dt.datetime.combine(
        first_day + (dt.date.fromisoformat(meta["last_day"]) - first_day) / 2,
        dt.time(),
        tzinfo=dt.UTC,
    )
    trials = {
        "latest week": tally_at("-patrol__started_at"),
        "middle": tally_at("patrol__started_at", middle),
        "first week": tally_at("patrol__started_at"),
    }
    incremental: dict[str, float] = {}
    incremental_capture = Capture()
    slowest = ""
    with section("incremental: one tally +1, then engine.recompute_dirty()"):
        KpiDirty.objects.all().delete()
        engine.release_schedule()
        recompute_dirty_task.apply_async = count_only
        try:
            for name, pk in trials.items():
                tally = ViolationTally.objects.select_related("patrol").get(pk=pk)
                week = week_start(local_date(tally.patrol.started_at))
                before = brigade_figure(week)
                settle()
                change(pk)
                capture = Capture()
                with connection.execute_wrapper(capture):
                    seconds, queries = timed(engine.recompute_dirty)
                incremental[name] = seconds
                if seconds >= max(incremental.values()):
                    incremental_capture, slowest = capture, name
                after = brigade_figure(week)
                print(
                    f"   {name} ({week}, unit {tally.patrol.unit_id}): {seconds * 1000:.1f} ms, "
                    f"{queries} flow queries, {len(capture.statements)} statements, "
                    f"{seconds / full:.2%} of the full recompute; figure {before} -> {after}"
                )
                if after != before + 1:
                    problems.append(f"incremental {name}: figure {before} -> {after}, not +1")
            print(f"   the slowest, {slowest}:")
            profile(incremental_capture.statements, top=8)
        finally:
            engine.release_schedule()
            del recompute_dirty_task.apply_async
        worst = max(incremental.values())
        goal(
            "incremental / full recompute (worst of the three weeks)",
            worst / full,
            INCREMENTAL_LIMIT,
            ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in incremental.items()),
        )
    results["incremental"] = incremental
    if args.explain:
        explain(incremental_capture.statements, f"incremental recompute ({slowest})")

    if args.no_worker:
        print("\n(worker goals skipped: --no-worker)")
    else:
        run_worker_goals(args, queue, goal, results, problems, settle)

    # --- the numbers after every change are still the baseline's ----------------------------
    with section("after the changes: engine figures vs a fresh baseline"):
        problems += compare(baseline.run(pg))
    pg.close()

    results["problems"] = problems
    path = save_results(f"kpi_rollup-{args.rows}", results)
    print(f"\nresults: {path}")
    print("\nSUMMARY")
    for g in goals:
        print(
            f"  {'ok    ' if g['ok'] else 'MISSED'} {g['goal']}: {g['measured']:.4f} "
            f"(limit {g['limit']}) - {g['detail']}"
        )
    for problem in problems:
        print(f"  WRONG  {problem}")
    if problems:
        return 2
    if not all(g["ok"] for g in goals) and not args.report_only:
        return 1
    return 0


def run_worker_goals(
    args: argparse.Namespace,
    queue: str,
    goal: Any,
    results: dict[str, Any],
    problems: list[str],
    settle: Any,
) -> None:
    from django.db import transaction

    from brigade.core.kpi import engine, runs
    from brigade.core.kpi.models import KpiDirty
    from brigade.duty.models import ViolationTally
    from brigade.tasks import post_coverage_task, recompute_dirty_task

    workers = [start_worker(args.db, queue, n) for n in range(2)]
    process, log = workers[0]
    try:
        with section("two Celery workers (--pool=solo, Redis, one queue) up"):
            for _ in workers:
                first = post_coverage_task.apply_async(args=(None, None))
                wait_result(first, process, log, timeout=120)

        # --- 3. a burst of changes enqueues one task --------------------------------------
        sent: list[Any] = []
        real = recompute_dirty_task.apply_async

        def counting(*a: Any, **kw: Any) -> Any:
            result = real(*a, **kw)
            sent.append((time.perf_counter(), result))
            return result

        rnd = random.Random(args.seed)
        top = ViolationTally.objects.order_by("-pk").values_list("pk", flat=True)[0]
        with section(f"burst: {BURST} changes, each its own transaction"):
            engine.release_schedule()
            KpiDirty.objects.all().delete()
            recompute_dirty_task.apply_async = counting
            try:
                start = time.perf_counter()
                changed = 0
                while changed < BURST:
                    pk = rnd.randint(1, top)
                    with transaction.atomic():
                        tally = ViolationTally.objects.filter(pk=pk).first()
                        if tally is None:
                            continue
                        tally.count += 1
                        tally.save(update_fields=["count", "updated_at"])
                    changed += 1
                burst_seconds = time.perf_counter() - start
            finally:
                del recompute_dirty_task.apply_async
            marks = KpiDirty.objects.count()
            print(f"   {BURST} changes in {burst_seconds:.2f}s, {marks} marks (weeks x units)")
            print(f"   apply_async called {len(sent)} time(s)")
            wait_marks(workers, timeout=300)
            if sent:
                waited = time.perf_counter() - sent[0][0]
                print(
                    f"   the worker's recompute of the marks: done {waited:.2f}s after its "
                    f"enqueue ({engine.COALESCE_SECONDS}s countdown included)"
                )
            left = KpiDirty.objects.count()
            if left:
                problems.append(f"{left} marks left after the worker's recompute")
            goal("tasks enqueued by a burst of 100", float(len(sent)), 1.0, "", less=False)
        results["burst"] = {"enqueued": len(sent), "seconds": burst_seconds, "marks": marks}

        # --- 4. the full recompute through the worker vs the direct call -------------------
        direct: list[float] = []
        worker: list[float] = []
        with section(f"full recompute: direct vs through the worker, best of {args.repeat}"):
            for _ in range(args.repeat):
                settle()
                seconds, _ = timed(engine.recompute_all)
                direct.append(seconds)
                settle()
                worker.append(run_through_worker(workers, timeout=max(600, 50 * seconds)))
                print(f"   direct {direct[-1]:.3f}s   worker {worker[-1]:.3f}s")
            print(f"   direct: {summary(direct)}")
            print(f"   worker: {summary(worker)}")
            print(f"   (a run's task is sent {runs.COALESCE_SECONDS}s ahead: presses join it)")
            goal(
                "worker / direct full recompute",
                min(worker) / min(direct),
                WORKER_LIMIT,
                f"worker {min(worker):.3f}s, direct {min(direct):.3f}s",
                less=False,
            )
        results["worker"] = {"direct": direct, "worker": worker}

        # --- 5. 8 requests at once vs one, in turns ------------------------------------------
        raced: list[float] = []
        alone: list[float] = []
        with section(
            f"race: {RACE} recompute requests at once vs one, 2 workers, best of {args.repeat}"
        ):
            for _ in range(args.repeat):
                settle()
                alone.append(run_through_worker(workers, timeout=max(600, 50 * min(direct))))
                settle()
                seconds, count = race(workers, timeout=max(600, 50 * min(direct)))
                raced.append(seconds)
                print(
                    f"   one request {alone[-1]:.3f}s   {RACE} requests -> {count} run(s), "
                    f"all done in {seconds:.3f}s"
                )
                if count > 1:
                    print(f"   ({count} runs: a request came after the first run had started)")
            print(f"   one:  {summary(alone)}")
            print(f"   race: {summary(raced)}")
            goal(
                f"{RACE} requests at once / one request",
                min(raced) / min(alone),
                RACE_LIMIT,
                f"{RACE} at once {min(raced):.3f}s, one {min(alone):.3f}s, "
                f"direct {min(direct):.3f}s",
                less=False,
            )
        results["race"] = {"alone": alone, "race": raced}
    finally:
        for process, _log in workers:
            stop_worker(process)


if __name__ == "__main__":
    sys.exit(main())
