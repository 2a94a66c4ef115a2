"""Benchmark of the clerk's queue at 1,000,000 tickets against the same page at 1,000.

    .venv/bin/python bench/petitions_queue.py                     # 1,000,000 tickets
    .venv/bin/python bench/petitions_queue.py --rows 100000 --reuse --report-only

Two databases of their own are made (``--db`` with ``--rows`` tickets over three years,
``--small-db`` with ``--small`` tickets over 30 days, so that both queues fill a page),
from the same seed (bench/petitions_data.py). The process then switches its one Django
connection between the two and, in turns, requests in-process (Django's test client,
DEBUG off):

- the queue page ``/petitions/`` as the clerk of a squadron and as the brigade-wide
  commander (signed in),
- the queue API ``/api/v1/petitions/tickets/queue/`` as both (``Authorization: Token``),

``--repeat`` times each after a warm-up, best of each. Goals: every endpoint runs the same
number of queries at both sizes, and its best time at the large size is within 3x of the
small one. Exits 1 when a goal is missed (0 with --report-only), 2 when the two sizes do
not run the same queries or an answer is not 200.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import petitions_data as data
from common import save_results, section, setup_django

LIMIT = 3.0
PAGE = "/petitions/"
API = "/api/v1/petitions/tickets/queue/"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="tickets, large database")
    parser.add_argument("--small", type=int, default=1_000, help="tickets, small database")
    parser.add_argument("--db", default="brigade_petitions_bench")
    parser.add_argument("--small-db", default="brigade_petitions_bench_small")
    parser.add_argument("--seed", type=int, default=20220613)
    parser.add_argument("--repeat", type=int, default=30, help="requests per endpoint (best of)")
    parser.add_argument("--reuse", action="store_true", help="keep databases of the same size")
    parser.add_argument("--report-only", action="store_true", help="exit 0 when a goal is missed")
    return parser.parse_args()


def use_database(name: str) -> None:
    """Point the default connection at another database of the same server."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


class Endpoints:
    """Signed-in clients of one database, one per user and kind of endpoint."""

    def __init__(self) -> None:
        from django.contrib.auth.models import User
        from django.test import Client

        from brigade.core.tokens import issue_token

        self.calls: dict[str, Any] = {}
        for username in (data.CLERK, data.COMMANDER):
            user = User.objects.get(username=username)
            page = Client()
            page.force_login(user)
            token = issue_token(user)
            api = Client(HTTP_AUTHORIZATION=f"Token {token}")
            who = "clerk" if username == data.CLERK else "commander"
            self.calls[f"page as {who}"] = (page, PAGE)
            self.calls[f"api as {who}"] = (api, API)

    def call(self, name: str) -> Any:
        client, path = self.calls[name]
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {path} answered {response.status_code}")
        return response

    def queries(self, name: str) -> list[str]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            self.call(name)
        return [q["sql"] for q in context.captured_queries]

    def rows(self, name: str) -> int:
        response = self.call(name)
        if name.startswith("api"):
            return len(response.json()["results"])
        return response.content.count(b'data-testid="ticket-row-')


def main() -> int:
    args = parse_args()
    setup_django(args.small_db)
    from django.conf import settings

    sizes = {"small": (args.small_db, args.small, 30), "large": (args.db, args.rows, data.DAYS)}
    metas = {}
    for size, (db, rows, days) in sizes.items():
        use_database(db)
        metas[size] = data.prepare(db, rows, args.seed, args.reuse, days=days)
    settings.DEBUG = False  # what production runs: no query log, no debug pages

    clients: dict[str, Endpoints] = {}
    for size, (db, _rows, _days) in sizes.items():
        use_database(db)
        clients[size] = Endpoints()
    names = list(clients["small"].calls)
    times: dict[str, dict[str, list[float]]] = {s: {n: [] for n in names} for s in sizes}
    queries: dict[str, dict[str, list[str]]] = {s: {} for s in sizes}
    shown: dict[str, dict[str, int]] = {s: {} for s in sizes}
    for size, (db, _rows, _days) in sizes.items():
        use_database(db)
        for name in names:
            for _ in range(3):
                clients[size].call(name)
            queries[size][name] = clients[size].queries(name)
            shown[size][name] = clients[size].rows(name)

    with section(f"{args.repeat} requests per endpoint and size, in turns"):
        for _ in range(args.repeat):
            for size, (db, _rows, _days) in sizes.items():
                use_database(db)
                for name in names:
                    start = time.perf_counter()
                    clients[size].call(name)
                    times[size][name].append(time.perf_counter() - start)

    goals = []
    wrong = False
    print(f"\n{'':22s} {'queries':>9s} {'rows':>9s} {'small ms':>9s} {'large ms':>9s} ratio")
    for name in names:
        small, large = min(times["small"][name]), min(times["large"][name])
        q_small, q_large = len(queries["small"][name]), len(queries["large"][name])
        ratio = large / small
        same = q_small == q_large
        wrong |= not same
        goals.append(
            {
                "endpoint": name,
                "queries_small": q_small,
                "queries_large": q_large,
                "rows_small": shown["small"][name],
                "rows_large": shown["large"][name],
                "small_best_s": small,
                "large_best_s": large,
                "small_median_s": statistics.median(times["small"][name]),
                "large_median_s": statistics.median(times["large"][name]),
                "ratio": ratio,
                "ok": same and ratio <= LIMIT,
            }
        )
        print(
            f"{name:22s} {q_small:>4d}/{q_large:<4d} {shown['small'][name]:>4d}/"
            f"{shown['large'][name]:<4d} {small * 1000:9.1f} {large * 1000:9.1f} {ratio:5.2f}"
            + ("" if same else "  QUERY COUNTS DIFFER")
        )
    path = save_results("petitions_queue", {"meta": metas, "args": vars(args), "goals": goals})
    print(f"\nresults: {path}\n\nSUMMARY ({args.rows:,} tickets against {args.small:,})")
    for goal in goals:
        print(
            f"  {'ok    ' if goal['ok'] else 'MISSED'} {goal['endpoint']}: "
            f"{goal['ratio']:.2f}x (goal <= {LIMIT}), {goal['queries_large']} queries at both sizes"
            if goal["queries_small"] == goal["queries_large"]
            else f"  WRONG  {goal['endpoint']}: {goal['queries_small']} queries at the small "
            f"size, {goal['queries_large']} at the large"
        )
    if wrong:
        return 2
    return 0 if all(g["ok"] for g in goals) or args.report_only else 1


if __name__ == "__main__":
    sys.exit(main())
