"""Load test: fifty people on the three journeys at once, against the production shape.

    .venv/bin/python bench/load.py                       # 50 users, 60 s, compared with
                                                         # bench/load_baseline.json
    .venv/bin/python bench/load.py --duration 40 --drop  # what CI runs (tests/load/)
    .venv/bin/python bench/load.py --write-baseline      # measure and keep as the baseline;
    .venv/bin/python bench/load.py --reuse --write-baseline --keep-best   # twice more: the
                                                         # best p95 per page of three runs

A fresh PostgreSQL database (``brigade_load``, ``--db``) is migrated and seeded with the
demo brigade (``manage.py seed_demo``), then given the run's accounts: officers with a
shift today, clerks with tickets just received in their squadron, commanders at
headquarters and in the squadrons with API tokens (one password for all, hashed once).
gunicorn (3 sync workers, as docker-compose.yml runs it, ``DEBUG=0``) and a Celery worker
(concurrency 2) serve it on loopback, with Redis as broker and cache (``LOAD_REDIS_URL``,
default the ``REDIS_URL`` server's database 9, else 127.0.0.1:6379/9: a database of its
own, never flushed). locust (bench/locustfile.py, headless) runs the users; they sign in
through the login form and walk their journeys with a person's pauses.

Printed: a table per page (requests, failures, median, p95, p99, max) and each page's p95
against the committed baseline. A page slower than ``--warn`` times its baseline p95 is
flagged, not failed: timings on a shared 2-core machine are noisy. Failures are not noise:
any failed request, a server or worker error in their logs, or a page the run never
exercised exits 2. Results go to bench/results/load-<time>.json (and ``--json PATH``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, ROOT, Timer, admin_connection, database_url, section

BASELINE = ROOT / "bench" / "load_baseline.json"
DEFAULT_DB = "brigade_load"
PASSWORD = "load-test-not-a-secret-2026"  # loopback accounts of a throwaway database
WARN_RATIO = 1.5
# seconds the users may take to sign in before the journeys' clock starts (a safety net:
# the locustfile ends the run ``--duration`` seconds after the last sign-in)
SIGN_IN_ALLOWANCE = 150
# Each journey's share of the users (officers on the road outnumber the desk).
SHARES = {"officers": 0.5, "clerks": 0.3, "commanders": 0.2}
# Every page the run must exercise: the names bench/locustfile.py gives its requests.
PAGES = {
    "sign-in": ["login form", "login"],
    "officer": [
        "officer: duty page",
        "officer: start patrol",
        "officer: tally tap",
        "officer: end patrol",
    ],
    "clerk": [
        "clerk: queue",
        "clerk: side panel",
        "clerk: sign",
        "clerk: assign",
        "clerk: reply",
        "clerk: close",
    ],
    "commander": [
        "commander: dashboard",
        "commander: KPI API",
        "commander: trend API",
        "commander: report API",
        "commander: hazard list",
        "commander: patrol list",
        "commander: ticket list",
    ],
}
ALL_PAGES = [page for pages in PAGES.values() for page in pages]
TREND_METRICS = ["petitions.closure_rate", "hazards.rectification_rate", "brigade.patrols"]
# the demo brigade's half year, as the period report's API is asked for it
REPORT_PERIOD = {"from": "2022-01-01", "to": "2022-06-30"}
# worker and server log lines that mean something went wrong
LOG_ERRORS = re.compile(r"Traceback|\bERROR\b|CRITICAL|Internal Server Error")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DEFAULT_DB, help="the load database (made afresh)")
    parser.add_argument("--users", type=int, default=50, help="simulated users")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--tickets", type=int, default=0, help="tickets per clerk (0: enough)")
    parser.add_argument("--reuse", action="store_true", help="keep a seeded database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--baseline", type=Path, default=BASELINE, help="p95 per page to compare")
    parser.add_argument("--write-baseline", action="store_true", help="save this run as baseline")
    parser.add_argument(
        "--keep-best",
        action="store_true",
        help="with --write-baseline: keep each page's lower p95 of the baseline and this run",
    )
    parser.add_argument("--warn", type=float, default=WARN_RATIO, help="p95 ratio flagged slow")
    parser.add_argument("--json", type=Path, help="also write the results here")
    return parser.parse_args(argv)


def redis_url() -> str:
    """LOAD_REDIS_URL, else database 9 of REDIS_URL's server, else the local server's."""
    if os.environ.get("LOAD_REDIS_URL"):
        return os.environ["LOAD_REDIS_URL"]
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit((parts.scheme, parts.netloc, "/9", "", ""))


def load_env(db: str) -> dict[str, str]:
    """The environment of every process of the run: production settings on loopback."""
    broker = redis_url()
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "brigade.settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url(db),
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "CACHE_URL": broker,
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DEMO_PASSWORD": PASSWORD,
        "LOG_LEVEL": "WARNING",
    }


def manage(db: str, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=load_env(db), check=True)


# --- the database -------------------------------------------------------------------------


def _check_name(db: str) -> None:
    if not db.replace("_", "").isalnum():
        raise SystemExit(f"not a plain database name: {db!r}")


def drop_database(db: str, *, create: bool) -> None:
    _check_name(db)
    conn = admin_connection()
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            if create:
                cur.execute(f'CREATE DATABASE "{db}"')
    finally:
        conn.close()


def seeded(db: str) -> bool:
    """The database exists and holds the demo brigade."""
    conn = admin_connection()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
            if cur.fetchone() is None:
                return False
    finally:
        conn.close()
    import psycopg2

    with psycopg2.connect(database_url(db)) as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('auth_user') IS NOT NULL")
        if not cur.fetchone()[0]:
            return False
        cur.execute("SELECT count(*) FROM auth_user WHERE username = 'commander'")
        return cur.fetchone()[0] == 1


def prepare(db: str, args: argparse.Namespace) -> dict[str, Any]:
    """The run's accounts and their records, in the load database; returns the plan."""
    os.environ.update(load_env(db))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.db import connections, transaction
    from django.utils import timezone

    from brigade.core.roles import Role
    from brigade.core.tokens import issue_token
    from brigade.duty import services as brigade_services
    from brigade.duty.choices import UnitKind
    from brigade.duty.models import DutyPost, Officer, Shift, Unit
    from petitions import services as petition_services
    from petitions.choices import TicketChannel
    from petitions.models import TicketCategory

    counts = split_users(args.users)
    per_clerk = args.tickets or max(8, args.duration // 5)
    password = make_password(PASSWORD)  # once: every account shares it
    groups = {role: Group.objects.get(name=role) for role in Role.values}
    squadrons = list(Unit.objects.exclude(kind=UnitKind.HEADQUARTERS).order_by("code"))
    hq = Unit.objects.get(kind=UnitKind.HEADQUARTERS)
    category = TicketCategory.objects.order_by("code").first()
    if not squadrons or category is None:
        raise SystemExit("the load database holds no demo brigade (squadrons, ticket categories)")
    now = timezone.localtime()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    stamp = now.strftime("%y%m%d%H%M%S")

    def account(username: str, role: str, unit: Unit, name: str) -> tuple[User, Officer]:
        user, _ = User.objects.update_or_create(
            username=username, defaults={"password": password, "is_active": True}
        )
        user.groups.set([groups[role]])
        officer, _ = Officer.objects.update_or_create(
            user=user,
            defaults={"badge_no": f"L-{username[5:]}"[:20], "name": name, "unit": unit},
        )
        return user, officer

    plan: dict[str, Any] = {
        "password": PASSWORD,
        "users": counts,
        "officers": [],
        "clerks": [],
        "commanders": [],
        "duration": args.duration,
        "trend_metrics": TREND_METRICS,
        "report_period": REPORT_PERIOD,
    }
    with transaction.atomic():
        for i in range(counts["officers"]):
            unit = squadrons[i % len(squadrons)]
            user, officer = account(f"load-officer-{i:02d}", Role.OFFICER, unit, f"压测民警{i:02d}")
            shift = Shift.objects.filter(officer=officer, starts_at=day_start).first()
            if shift is None:
                posts = list(DutyPost.objects.filter(unit=unit, is_active=True).order_by("pk"))
                shift = brigade_services.shift_save(
                    officer=officer,
                    post=posts[i % len(posts)],
                    starts_at=day_start,
                    ends_at=day_start + dt.timedelta(hours=23, minutes=59),
                )
            plan["officers"].append({"username": user.username, "shift": shift.pk})
        for i in range(counts["clerks"]):
            unit = squadrons[i % len(squadrons)]
            user, _ = account(f"load-clerk-{i:02d}", Role.CLERK, unit, f"压测内勤{i:02d}")
            handler = (
                Officer.objects.filter(unit=unit, is_active=True, user__isnull=True)
                .order_by("pk")
                .first()
            )
            if handler is None:
                raise SystemExit(f"{unit} has no officer to hand tickets to")
            tickets = [
                petition_services.ticket_create(
                    number=f"L{stamp}{i:02d}{n:03d}",
                    category=category,
                    unit=unit,
                    content="压测工单：路口早高峰拥堵，请求增派警力疏导。",
                    received_at=timezone.now() - dt.timedelta(minutes=5),
                    channel=TicketChannel.HOTLINE,
                    location="花园路与东昌东路交叉口",
                    created_by=user,
                ).pk
                for n in range(per_clerk)
            ]
            plan["clerks"].append(
                {"username": user.username, "tickets": tickets, "handler": handler.pk}
            )
        for i in range(counts["commanders"]):
            # half at headquarters (brigade-wide), half commanding a squadron
            unit = hq if i % 2 == 0 else squadrons[(i // 2) % len(squadrons)]
            user, _ = account(f"load-commander-{i:02d}", Role.COMMANDER, unit, f"压测指挥{i:02d}")
            plan["commanders"].append({"username": user.username, "token": issue_token(user)})
    connections.close_all()
    return plan


def split_users(users: int) -> dict[str, int]:
    """The users per journey, at least one each, adding up to ``users``."""
    if users < len(SHARES):
        raise SystemExit(f"--users must be at least {len(SHARES)}")
    counts = {role: max(1, round(users * share)) for role, share in SHARES.items()}
    counts["officers"] += users - sum(counts.values())
    return counts


# --- the servers --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], db: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(
            command, cwd=ROOT, env=load_env(db), stdout=sink, stderr=subprocess.STDOUT
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_for_server(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(port, "/healthz/") == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.3)


# --- the results --------------------------------------------------------------------------


def percentile(buckets: dict[int, int], count: int, share: float) -> float | None:
    """The response time under which ``share`` of the requests were answered, from
    locust's buckets (milliseconds, rounded as locust rounds them)."""
    if not count:
        return None
    seen = 0
    for ms in sorted(buckets):
        seen += buckets[ms]
        if seen >= share * count:
            return float(ms)
    return float(max(buckets))


def read_stats(path: Path, duration: int) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The final statistics the locustfile saved: one entry per page, plus "Aggregated"
    (every request), and the failures. Requests per second are over the journeys'
    ``duration``; the sign-in, which comes before it, has none."""
    if not path.exists():
        return {}, []
    saved = json.loads(path.read_text(encoding="utf-8"))
    everything: dict[int, int] = {}
    pages: dict[str, dict[str, Any]] = {}
    rows = []
    for entry in saved["pages"]:
        buckets = {int(ms): n for ms, n in entry["response_times"].items()}
        for ms, n in buckets.items():
            everything[ms] = everything.get(ms, 0) + n
        rows.append((entry["name"], entry, buckets))
    total = {
        "method": "",
        "requests": sum(e["requests"] for e in saved["pages"]),
        "failures": sum(e["failures"] for e in saved["pages"]),
        "max_ms": max((e["max_ms"] for e in saved["pages"]), default=0),
        "total_ms": sum(e["total_ms"] for e in saved["pages"]),
    }
    rows.append(("Aggregated", total, everything))
    for name, entry, buckets in rows:
        count = sum(buckets.values())
        pages[name] = {
            "method": entry["method"],
            "requests": entry["requests"],
            "failures": entry["failures"],
            "median_ms": percentile(buckets, count, 0.5),
            "p95_ms": percentile(buckets, count, 0.95),
            "p99_ms": percentile(buckets, count, 0.99),
            "max_ms": round(entry["max_ms"], 1) if count else None,
            "avg_ms": round(entry["total_ms"] / count, 1) if count else None,
            "rps": (
                None
                if name in PAGES["sign-in"] or name == "Aggregated"
                else round(entry["requests"] / duration, 2)
            ),
        }
    failures = [
        f"{f['occurrences']} x {f['method']} {f['name']}: {f['error'][:400]}"
        for f in saved["failures"]
    ]
    return pages, failures


def log_errors(log: Path) -> list[str]:
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [f"{log.name}: {line[:300]}" for line in lines if LOG_ERRORS.search(line)]


def compare(pages: dict[str, dict[str, Any]], baseline: dict[str, Any], warn: float) -> None:
    """Each page's p95 over the baseline's; flagged (never failed) past ``warn``."""
    base = baseline.get("pages", {})
    for name, page in pages.items():
        before = base.get(name, {}).get("p95_ms")
        if before and page["p95_ms"] is not None:
            page["baseline_p95_ms"] = before
            page["ratio"] = round(page["p95_ms"] / before, 2)
            page["slow"] = page["ratio"] > warn


def print_table(pages: dict[str, dict[str, Any]], warn: float) -> None:
    header = (
        f"{'page':26s} {'reqs':>6s} {'fail':>5s} {'median':>7s} {'p95':>7s} {'p99':>7s} "
        f"{'max':>7s} {'req/s':>6s}  {'p95 vs baseline':s}"
    )
    print(header)
    print("-" * len(header))

    def cell(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f}"

    for name in [*ALL_PAGES, *sorted(set(pages) - set(ALL_PAGES) - {"Aggregated"}), "Aggregated"]:
        page = pages.get(name)
        if name == "Aggregated":
            print("-" * len(header))
            name = "all, sign-in included"
        if page is None:
            print(f"{name:26s} {'0':>6s}  NEVER EXERCISED")
            continue
        versus = ""
        if "ratio" in page:
            flag = f"  SLOWER (> {warn:g}x)" if page["slow"] else ""
            versus = f"{page['ratio']:.2f}x of {page['baseline_p95_ms']:.0f} ms{flag}"
        print(
            f"{name:26s} {page['requests']:6d} {page['failures']:5d} {cell(page['median_ms']):>7s} "
            f"{cell(page['p95_ms']):>7s} {cell(page['p99_ms']):>7s} {cell(page['max_ms']):>7s} "
            f"{'' if page['rps'] is None else format(page['rps'], '.1f'):>6s}  {versus}"
        )
    print("(times in ms)")


def write_baseline(path: Path, results: dict[str, Any], previous: dict[str, Any]) -> None:
    """This run's p95 (and median) per page as the baseline; with ``previous`` (the same
    size of run) each page keeps the lower of the two, so that a baseline made of a few runs
    is the machine at its quietest rather than whichever run happened last."""
    pages: dict[str, dict[str, float]] = {}
    for name, page in results["pages"].items():
        if name == "Aggregated":
            continue
        kept = previous.get("pages", {}).get(name, {})
        pages[name] = {
            key: min(v for v in (page[key], kept.get(key)) if v is not None)
            for key in ("median_ms", "p95_ms")
        }
    runs = previous.get("runs", [])
    baseline = {
        "cpus": results["cpus"],
        "users": results["users"],
        "duration_s": results["duration_s"],
        "runs": [
            *runs,
            {
                "measured": results["measured"],
                "requests": results["totals"]["journey_requests"],
                "rps": results["totals"]["rps"],
            },
        ],
        "pages": dict(sorted(pages.items(), key=lambda item: ALL_PAGES.index(item[0]))),
    }
    path.write_text(json.dumps(baseline, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def wait_for_worker(timeout: float = 60) -> float | None:
    """Seconds until the worker has taken every change the run marked for recompute (the
    on-change KPI recomputes kept up), or None if it had not within ``timeout``."""
    from brigade.core.kpi.models import KpiDirty

    start = time.monotonic()
    while KpiDirty.objects.exists():
        if time.monotonic() - start > timeout:
            return None
        time.sleep(0.5)
    return round(time.monotonic() - start, 1)


def check_records(plan: dict[str, Any], pages: dict[str, dict[str, Any]], since: Any) -> list[str]:
    """The database holds what the requests did: one ended patrol per "end patrol", one
    closed ticket per "close"."""
    from brigade.duty.models import PatrolLog
    from petitions.choices import TicketStatus
    from petitions.models import Ticket

    def done(page: str) -> int:
        return pages.get(page, {}).get("requests", 0) - pages.get(page, {}).get("failures", 0)

    ended = PatrolLog.objects.filter(
        officer__user__username__in=[o["username"] for o in plan["officers"]],
        ended_at__gte=since,
    ).count()
    tickets = [pk for clerk in plan["clerks"] for pk in clerk["tickets"]]
    closed = Ticket.objects.filter(pk__in=tickets, status=TicketStatus.CLOSED).count()
    errors = []
    if ended != done("officer: end patrol"):
        errors.append(f"{ended} patrols ended in the database, {done('officer: end patrol')} ends")
    if closed != done("clerk: close"):
        errors.append(f"{closed} tickets closed in the database, {done('clerk: close')} closes")
    return errors


# --- the run ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    timings: dict[str, float] = {}

    if not (args.reuse and seeded(args.db)):
        with section(f"fresh database {args.db}: migrate, seed_demo"), Timer() as took:
            drop_database(args.db, create=True)
            manage(args.db, "migrate", "--noinput", "-v", "0")
            manage(args.db, "seed_demo")
        timings["database"] = round(took.seconds, 1)
    with section(f"{args.users} accounts and their records"), Timer() as took:
        plan = prepare(args.db, args)
        plan_path = RESULTS / f"load-plan-{stamp}.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        print(
            f"   {plan['users']}; {sum(len(c['tickets']) for c in plan['clerks'])} tickets "
            f"for the clerks"
        )
    timings["prepare"] = round(took.seconds, 1)

    since = dt.datetime.now(dt.UTC)
    port = free_port()
    server_log = RESULTS / f"load-gunicorn-{stamp}.log"
    worker_log = RESULTS / f"load-worker-{stamp}.log"
    locust_log = RESULTS / f"load-locust-{stamp}.log"
    stats_path = RESULTS / f"load-stats-{stamp}.json"
    bin_dir = Path(sys.executable).parent
    worker = start(
        [
            str(bin_dir / "celery"), "-A", "brigade", "worker", "--concurrency=2",
            "--loglevel=warning", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        args.db,
        worker_log,
    )  # fmt: skip
    server = start(
        [
            str(bin_dir / "gunicorn"), "brigade.wsgi:application", f"--workers={args.workers}",
            f"--bind=127.0.0.1:{port}", "--log-level=warning",
        ],
        args.db,
        server_log,
    )  # fmt: skip
    try:
        with section(f"gunicorn ({args.workers} workers) on :{port}, a Celery worker"):
            wait_for_server(port, server, server_log)
            for _ in range(3 * args.workers):  # every worker loads its URLs and templates
                get(port, "/accounts/login/")
        with section(f"locust: {args.users} users for {args.duration} s"), Timer() as took:
            command = [
                str(bin_dir / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
                "--headless", "--host", f"http://127.0.0.1:{port}",
                "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
                "--run-time", f"{args.duration + SIGN_IN_ALLOWANCE}s", "--stop-timeout", "10",
                "--only-summary", "--loglevel", "WARNING",
            ]  # fmt: skip
            with locust_log.open("wb") as sink:
                finished = subprocess.run(
                    command,
                    cwd=ROOT,
                    env={**os.environ, "LOAD_PLAN": str(plan_path), "LOAD_STATS": str(stats_path)},
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    timeout=args.duration + SIGN_IN_ALLOWANCE + 60,
                    check=False,
                )
        timings["load"] = round(took.seconds, 1)
        with section("the worker's recomputes of the run's changes"):
            caught_up = wait_for_worker()
            print(f"   all taken after {caught_up} s" if caught_up is not None else "   NOT")
        pages, failures = read_stats(stats_path, args.duration)
        records = check_records(plan, pages, since) if pages else []
    finally:
        stop(server)
        stop(worker)
        if args.drop:
            from django.db import connections

            connections.close_all()
            drop_database(args.db, create=False)

    total = pages.get("Aggregated", {"requests": 0, "failures": 0})
    journeys = sum(page["requests"] for name, page in pages.items() if name in ALL_PAGES[2:])
    errors = [
        *failures,
        *log_errors(server_log),
        *log_errors(worker_log),
        *log_errors(locust_log),
        *records,
    ]
    if caught_up is None:
        errors.append("the worker had not recomputed the run's changes a minute after it")
    missing = [name for name in ALL_PAGES if pages.get(name, {}).get("requests", 0) == 0]
    unexpected = sorted(set(pages) - set(ALL_PAGES) - {"Aggregated"})
    if missing:
        errors.append(f"pages never exercised: {', '.join(missing)}")
    if unexpected:
        errors.append(f"requests under names no journey declares: {', '.join(unexpected)}")
    if not pages:
        errors.append(
            f"locust exited {finished.returncode} without statistics:\n"
            + locust_log.read_text(errors="replace")[-3000:]
        )
    baseline = (
        json.loads(args.baseline.read_text(encoding="utf-8")) if args.baseline.exists() else {}
    )
    compare(pages, baseline, args.warn)
    results = {
        "measured": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
        "cpus": os.cpu_count(),
        "users": plan["users"] | {"total": args.users},
        "duration_s": args.duration,
        "gunicorn_workers": args.workers,
        "totals": {
            "requests": total["requests"],
            "journey_requests": journeys,
            "rps": round(journeys / args.duration, 1),
            "failures": total["failures"],
        },
        "timings_s": timings,
        "worker_caught_up_s": caught_up,
        "pages": pages,
        "errors": errors,
        "baseline": str(args.baseline) if baseline else None,
        "logs": {"gunicorn": str(server_log), "worker": str(worker_log), "locust": str(locust_log)},
    }
    print()
    print_table(pages, args.warn)
    slow = [name for name, page in pages.items() if page.get("slow")]
    print(
        f"\n{journeys} requests on the journeys in {args.duration} s "
        f"({journeys / args.duration:.1f} req/s) after {total['requests'] - journeys} for the "
        f"sign-in; {total['failures']} failed. {args.users} users: {plan['users']}"
    )
    if baseline:
        print(
            f"baseline: {args.baseline.name} (best of {len(baseline.get('runs', []))} runs); "
            + (
                f"slower than {args.warn:g}x: {', '.join(slow)} (noise?)"
                if slow
                else "no page slower"
            )
        )
    path = RESULTS / f"load-{stamp}.json"
    for target in (path, args.json):
        if target is not None:
            target.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"results: {path}")
    if errors:
        print("\nERRORS")
        for error in errors[:50]:
            print(f"  {error}")
        return 2
    if args.write_baseline:
        same_size = (
            baseline.get("users") == results["users"]
            and baseline.get("duration_s") == args.duration
        )
        write_baseline(args.baseline, results, baseline if args.keep_best and same_size else {})
        print(f"baseline written: {args.baseline}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
