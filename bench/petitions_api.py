"""Benchmark of the ticket list API against a hand-written twin, served by gunicorn.

    .venv/bin/python bench/petitions_api.py                   # 1,000,000 tickets
    .venv/bin/python bench/petitions_api.py --rows 100000 --reuse --duration 5

gunicorn (2 sync workers, loopback, DEBUG off) serves the project with a benchmark-only
URLconf (bench/petitions_api_urls.py: the project's URLs plus ``/bench/tickets/``, the
twin: the same query, authentication, role permission and pagination as
``/api/v1/petitions/tickets/``, rows taken with ``values()`` and written with
``json.dumps``). ``wrk`` (or a small threaded client) sends ``Authorization: Token``
requests to both in turns, as the clerk of a squadron and as the brigade-wide commander,
best of N rounds each; the first page of 50 rows, and the 20th.

Goal: the API serves at least 55% of the twin's requests per second, for every user and
page. The two must agree on what they list (the same ids and count). Exits 1 when a goal
is missed (0 with --report-only), 2 on a non-2xx answer or a disagreement.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kpi_api
import petitions_data as data
from common import RESULTS, ROOT, bench_env, save_results, section, setup_django

GOAL = 0.55
API = "/api/v1/petitions/tickets/"
TWIN = "/bench/tickets/"
PAGES = ("", "?page=20")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="brigade_petitions_bench")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20220613)
    parser.add_argument("--reuse", action="store_true", help="keep a database of the same size")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--duration", type=float, default=10, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per endpoint (best of)")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--report-only", action="store_true", help="exit 0 when the goal is missed")
    return parser.parse_args()


def start_server(args: argparse.Namespace, port: int) -> tuple[subprocess.Popen[bytes], Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / f"gunicorn-petitions-{port}.log"
    env = {
        **bench_env(args.db),
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "petitions_api_settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
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
    import socket
    import time

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


def agree(port: int, token: str, page: str) -> tuple[int, int]:
    """Both list the same tickets with the same count; returns (count, rows)."""
    answers = []
    for path in (API, TWIN):
        status, body = kpi_api.get(port, path + page, token)
        if status != 200:
            raise SystemExit(f"{path}{page} answered {status}: {body[:300]!r}")
        answers.append(json.loads(body))
    api, twin = answers
    ids = [row["id"] for row in api["results"]]
    if api["count"] != twin["count"] or ids != [row["id"] for row in twin["results"]]:
        print(f"   DIFFERENT: api count {api['count']}, twin count {twin['count']}")
        raise SystemExit(2)
    return api["count"], len(ids)


def main() -> int:
    args = parse_args()
    setup_django(args.db)
    meta = data.prepare(args.db, args.rows, args.seed, args.reuse)
    tokens = data.make_users()
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    load = kpi_api.load_wrk if client == "wrk" else kpi_api.load_python
    print(
        f"\ngunicorn {args.workers} sync workers, {client} with {args.connections} connections, "
        f"{args.duration:g}s x {args.rounds} rounds per endpoint, {os.cpu_count()} CPUs"
    )
    port = kpi_api.free_port()
    process, log = start_server(args, port)
    goals = []
    bad = 0
    try:
        for username, who in ((data.CLERK, "clerk"), (data.COMMANDER, "commander")):
            token = tokens[username]
            for page in PAGES:
                count, rows = agree(port, token, page)
                for path in (API, TWIN):
                    for _ in range(10):  # warm
                        kpi_api.get(port, path + page, token)
                best: dict[str, float] = {API: 0.0, TWIN: 0.0}
                title = f"as {who}, page {page or '1'}: {rows} rows of {count:,}"
                with section(title):
                    for _ in range(args.rounds):
                        for path in (TWIN, API):
                            result = load(port, path + page, token, args)
                            bad += result["non_2xx"]
                            best[path] = max(best[path], result["rps"])
                            print(
                                f"   {path + page:36s} {result['rps']:8.1f} req/s  "
                                f"{result.get('latency_avg', '')}",
                                flush=True,
                            )
                ratio = best[API] / best[TWIN]
                print(f"   best: api {best[API]:.1f}, twin {best[TWIN]:.1f}, ratio {ratio:.2f}")
                goals.append(
                    {
                        "user": who,
                        "page": page or "?page=1",
                        "count": count,
                        "api_rps": best[API],
                        "twin_rps": best[TWIN],
                        "ratio": ratio,
                        "ok": ratio >= GOAL,
                    }
                )
    finally:
        kpi_api.stop_server(process)
    path = save_results(
        "petitions_api", {"meta": meta, "client": client, "args": vars(args), "goals": goals}
    )
    print(f"\nresults: {path}\n\nSUMMARY ({int(meta['rows']):,} tickets)")
    for goal in goals:
        print(
            f"  {'ok    ' if goal['ok'] else 'MISSED'} api / twin as {goal['user']}, "
            f"{goal['page']}: {goal['ratio']:.2f} (goal >= {GOAL}) - api {goal['api_rps']:.1f} "
            f"req/s, twin {goal['twin_rps']:.1f} req/s"
        )
    if bad:
        print(f"  WRONG  {bad} answers were not 2xx (gunicorn log: {log})")
        return 2
    return 0 if all(g["ok"] for g in goals) or args.report_only else 1


if __name__ == "__main__":
    sys.exit(main())
