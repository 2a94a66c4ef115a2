"""What the benchmarks share: the benchmark database, Django set up against it, timers.

Every benchmark runs against a database of its own (``brigade_bench`` unless ``--db``),
created fresh and migrated with ``manage.py migrate``, and a Redis database of its own
(``BENCH_REDIS_URL``, default db 13) for the broker and the cache, so that a developer's
worker or cache is never touched.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
DEFAULT_DB = "brigade_bench"


def database_url(db: str) -> str:
    return f"{PG_SERVER.rstrip('/')}/{db}"


def bench_env(db: str) -> dict[str, str]:
    """The environment of the benchmark's processes (this one, migrate, workers, servers)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(db),
        "DEBUG": "1",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        "PYTHONPATH": str(ROOT),
    }


def admin_connection() -> Any:
    import psycopg2

    conn = psycopg2.connect(database_url("postgres"))
    conn.autocommit = True
    return conn


def connect(db: str) -> Any:
    """A plain psycopg2 connection to the benchmark database (no Django in between)."""
    import psycopg2

    return psycopg2.connect(database_url(db))


def database_exists(db: str) -> bool:
    with admin_connection() as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        return cur.fetchone() is not None


def create_database(db: str) -> None:
    """Drop and create ``db``, then migrate it with the project's migrations."""
    if not db.replace("_", "").isalnum():
        raise SystemExit(f"not a plain database name: {db!r}")
    conn = admin_connection()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [db],
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{db}"')
            cur.execute(f'CREATE DATABASE "{db}"')
    finally:
        conn.close()
    migrate(db)


def migrate(db: str) -> None:
    """``manage.py migrate`` on the benchmark database (a no-op when it is up to date)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=bench_env(db),
        check=True,
    )


def setup_django(db: str) -> None:
    """Point this process at the benchmark database and broker, then ``django.setup()``."""
    os.environ.update(bench_env(db))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brigade.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class Timer:
    """Wall-clock seconds of a block: ``with Timer() as t: ...; t.seconds``."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def summary(times: list[float]) -> str:
    return (
        f"best {min(times):.3f}s median {statistics.median(times):.3f}s "
        f"({', '.join(f'{t:.3f}' for t in times)})"
    )


@contextmanager
def section(title: str) -> Iterator[None]:
    print(f"\n== {title}", flush=True)
    start = time.perf_counter()
    yield
    print(f"   ({time.perf_counter() - start:.1f}s)", flush=True)


def save_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path
