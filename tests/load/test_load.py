"""Fifty people on the three journeys at once, against gunicorn, PostgreSQL, Redis and a
Celery worker: bench/load.py with a shorter run (its README section says what it does).

The run must end without a single failed request (a wrong status, or a page that did not
show the step's outcome), without an error in the server's or the worker's log, and with
every page of every journey exercised. Its p95 per page is compared with the committed
baseline and printed; a slower page is a warning, not a failure (timings on a shared
machine are noisy). The table and the results go to ARTIFACTS_DIR too.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
DURATION = 40  # seconds of journeys, after the sign-in; the whole test takes ~2.5 min
USERS = 50


def _load_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _server_and_name() -> tuple[str, str]:
    """The PostgreSQL server of DATABASE_URL, and a database name of the load's own."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    server = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return server, f"{parts.path.lstrip('/') or 'brigade'}_load"


def test_fifty_users_walk_the_three_journeys_without_an_error(tmp_path, capsys):
    load = _load_module()
    server, db = _server_and_name()
    out = Path(os.environ.get("ARTIFACTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "load.json"

    # when: the run, on a database made for it and dropped after it
    finished = subprocess.run(
        [
            sys.executable,
            "bench/load.py",
            f"--users={USERS}",
            f"--duration={DURATION}",
            f"--db={db}",
            "--drop",
            f"--json={results_path}",
        ],
        cwd=ROOT,
        env={**os.environ, "BENCH_PG": server},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = finished.stdout[finished.stdout.find("page ") :]
    (out / "load.txt").write_text(finished.stdout + finished.stderr, encoding="utf-8")
    with capsys.disabled():
        print(f"\nLoad test ({out / 'load.txt'}):\n{report}")

    # then: no failed request, no logged error, every page exercised
    assert finished.returncode == 0, (finished.stdout + finished.stderr)[-6000:]
    results = json.loads(results_path.read_text(encoding="utf-8"))
    assert results["errors"] == []
    assert results["totals"]["failures"] == 0
    assert results["users"] == {"officers": 25, "clerks": 15, "commanders": 10, "total": USERS}
    exercised = {name: page["requests"] for name, page in results["pages"].items()}
    assert all(exercised.get(page, 0) > 0 for page in load.ALL_PAGES), exercised
    assert exercised["login"] == USERS  # each user signed in once, through the form
    # each page compared with the committed baseline
    assert all("ratio" in results["pages"][page] for page in load.ALL_PAGES)
