"""Benchmark of the dashboard's KPI endpoint against a bare authenticated view.

    .venv/bin/python bench/kpi_api.py                    # on brigade_bench (made if missing)
    .venv/bin/python bench/kpi_api.py --db brigade_bench_100k --duration 5

gunicorn (2 sync workers, loopback, DEBUG off) serves the project with a benchmark-only
URLconf (bench/api_urls.py: the project's URLs plus /bench/bare/, a view with the same
authentication, permission and middleware as the dashboard API and no query of its own).
``wrk`` (or, without it, a small threaded client) sends requests with a token header to
``/api/v1/dashboard/kpis/`` and to ``/bench/bare/`` in turns, best of N rounds each.

Goal: the KPI endpoint serves at least 50% of the bare view's requests per second, with
the cache as deployed (Redis). ``--no-cache`` also measures it with every request
computing its payload (a dummy cache), for information.

Exits 1 when the goal is missed (0 with --report-only).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data
from common import (
    DEFAULT_DB,
    RESULTS,
    ROOT,
    bench_env,
    create_database,
    database_exists,
    save_results,
    section,
    setup_django,
)

GOAL = 0.5
KPIS = "/api/v1/dashboard/kpis/"
BARE = "/bench/bare/"
USERNAME = "bench-commander"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DEFAULT_DB, help="benchmark database (made if missing)")
    parser.add_argument(
        "--rows", type=int, default=100_000, help="patrols to generate when the database is made"
    )
    parser.add_argument("--seed", type=int, default=20220613)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--duration", type=float, default=10, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per endpoint (best of)")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-cache", action="store_true", help="also measure without a cache")
    parser.add_argument("--report-only", action="store_true", help="exit 0 when the goal is missed")
    return parser.parse_args()


# --- the data and the user ----------------------------------------------------------------


def prepare(args: argparse.Namespace) -> str:
    """The benchmark database with rollups up to this week, and a brigade-wide commander's
    API token."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    if not database_exists(args.db) or data.read_meta(args.db) is None:
        with section(f"create {args.db}, {args.rows:,} patrols"):
            create_database(args.db)
            last_day = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=1)
            data.load(args.db, args.rows, args.seed, last_day)
            data.vacuum_analyze(args.db)
    setup_django(args.db)
    from django.contrib.auth.models import Group, User

    from brigade.core.kpi import engine
    from brigade.core.kpi.models import KpiRollup
    from brigade.core.kpi.weeks import current_week
    from brigade.core.roles import Role
    from brigade.core.tokens import issue_token
    from brigade.duty.choices import UnitKind
    from brigade.duty.models import Officer, Unit

    if not KpiRollup.objects.filter(week=current_week()).exists():
        with section("full recompute (no rollups of this week yet)"):
            engine.recompute_all()
    user, _ = User.objects.get_or_create(username=USERNAME)
    user.groups.add(Group.objects.get(name=Role.COMMANDER))
    hq = Unit.objects.filter(kind=UnitKind.HEADQUARTERS).order_by("pk").first()
    if hq is None:
        raise SystemExit("the benchmark database has no headquarters unit")
    Officer.objects.update_or_create(
        user=user, defaults={"badge_no": "BENCH-1", "name": "Bench commander", "unit": hq}
    )
    return issue_token(user)


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    args: argparse.Namespace, port: int, cache: bool
) -> tuple[subprocess.Popen[bytes], Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / f"gunicorn-{port}.log"
    env = {
        **bench_env(args.db),
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "api_settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    if not cache:
        env["CACHE_URL"] = ""
        env["BENCH_DUMMY_CACHE"] = "1"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "brigade.wsgi:application",
        f"--workers={args.workers}",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start:\n{log.read_text()}") from None
            time.sleep(0.2)
    return process, log


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def get(port: int, path: str, token: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Token {token}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- the load -----------------------------------------------------------------------------


def load_wrk(port: int, path: str, token: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        "wrk",
        f"--threads={min(2, args.connections)}",
        f"--connections={args.connections}",
        f"--duration={int(args.duration)}s",
        "--latency",
        f"--header=Authorization: Token {token}",
        f"http://127.0.0.1:{port}{path}",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    latency = re.search(r"Latency\s+(\S+)", out)
    return {
        "rps": rps,
        "non_2xx": int(bad[1]) if bad else 0,
        "socket_errors": errors[0] if errors else "",
        "latency_avg": latency[1] if latency else "",
    }


def load_python(port: int, path: str, token: str, args: argparse.Namespace) -> dict[str, Any]:
    """Threads sending requests back to back, a new connection whenever the server
    closes one (gunicorn's sync workers close each)."""
    deadline = time.perf_counter() + args.duration
    counts = {"ok": 0, "bad": 0}
    lock = threading.Lock()

    def client() -> None:
        ok = bad = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            try:
                conn.request("GET", path, headers={"Authorization": f"Token {token}"})
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    ok += 1
                else:
                    bad += 1
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()
        with lock:
            counts["ok"] += ok
            counts["bad"] += bad

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    return {"rps": counts["ok"] / seconds, "non_2xx": counts["bad"], "socket_errors": ""}


def measure(args: argparse.Namespace, token: str, cache: bool, client: str) -> dict[str, Any]:
    port = free_port()
    process, log = start_server(args, port, cache)
    load = load_wrk if client == "wrk" else load_python
    try:
        for path in (BARE, KPIS):
            status, body = get(port, path, token)
            if status != 200:
                raise SystemExit(f"{path} answered {status}: {body[:500]!r}\n{log.read_text()}")
            for _ in range(20):  # warm: connections, caches, the payload
                get(port, path, token)
        size = len(get(port, KPIS, token)[1])
        rounds: dict[str, list[dict[str, Any]]] = {BARE: [], KPIS: []}
        for _ in range(args.rounds):
            for path in (BARE, KPIS):
                result = load(port, path, token, args)
                rounds[path].append(result)
                print(
                    f"   {path:28s} {result['rps']:8.1f} req/s  "
                    f"{result.get('latency_avg', '')} {result['socket_errors']}"
                    + (f" NON-2XX {result['non_2xx']}" if result["non_2xx"] else ""),
                    flush=True,
                )
    finally:
        stop_server(process)
    best = {path: max(r["rps"] for r in results) for path, results in rounds.items()}
    bad = sum(r["non_2xx"] for results in rounds.values() for r in results)
    return {
        "bare_rps": best[BARE],
        "kpis_rps": best[KPIS],
        "ratio": best[KPIS] / best[BARE],
        "non_2xx": bad,
        "kpis_bytes": size,
        "rounds": rounds,
    }


def main() -> int:
    args = parse_args()
    token = prepare(args)
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    print(
        f"\ngunicorn {args.workers} sync workers, {client} with {args.connections} connections, "
        f"{args.duration:g}s x {args.rounds} rounds per endpoint, {os.cpu_count()} CPUs"
    )
    results: dict[str, Any] = {"client": client, "args": vars(args)}
    with section("with the cache as deployed (Redis)"):
        cached = measure(args, token, cache=True, client=client)
        results["cached"] = cached
        print(
            f"   best: kpis {cached['kpis_rps']:.1f} req/s, bare {cached['bare_rps']:.1f} req/s, "
            f"ratio {cached['ratio']:.2f} (goal >= {GOAL}); payload {cached['kpis_bytes']} bytes"
        )
    if args.no_cache:
        with section("without a cache (every request computes its payload)"):
            uncached = measure(args, token, cache=False, client=client)
            results["uncached"] = uncached
            print(
                f"   best: kpis {uncached['kpis_rps']:.1f} req/s, bare "
                f"{uncached['bare_rps']:.1f} req/s, ratio {uncached['ratio']:.2f}"
            )
    path = save_results("kpi_api", results)
    ok = cached["ratio"] >= GOAL and cached["non_2xx"] == 0
    print(f"\nresults: {path}")
    print(
        f"\nSUMMARY\n  {'ok    ' if ok else 'MISSED'} kpis / bare requests per second: "
        f"{cached['ratio']:.2f} (goal >= {GOAL}) - kpis {cached['kpis_rps']:.1f} req/s, "
        f"bare {cached['bare_rps']:.1f} req/s"
    )
    if cached["non_2xx"]:
        print(f"  WRONG  {cached['non_2xx']} answers were not 2xx")
        return 2
    return 0 if ok or args.report_only else 1


if __name__ == "__main__":
    sys.exit(main())
