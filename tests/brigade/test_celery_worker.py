"""A real Celery worker, through Redis, on the test database: ``post_coverage_task``.

Runs only with a broker (REDIS_URL); without one it is skipped, or fails where CI demands
the services (REQUIRE_SERVICES=1, see tests/service_plugin.py).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.result import AsyncResult
from django.conf import settings
from django.db import connection
from django.utils import timezone

from brigade.celery import app as celery_app
from brigade.duty import services
from brigade.duty.choices import PatrolMode, PostKind
from brigade.tasks import post_coverage_task
from tests.brigade.factories import DutyPostFactory, OfficerFactory, UnitFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
WORKER_START_TIMEOUT = 60  # seconds, for the first task to come back (worker boot included)


def database_url() -> str:
    """A DATABASE_URL for the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            auth += ":" + quote(db["PASSWORD"], safe="")
        host = db["HOST"] or "127.0.0.1"
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{auth}@{host}{port}/{db['NAME']}"
    raise NotImplementedError(f"no worker database URL for {connection.vendor}")


def celery_command() -> list[str]:
    script = Path(sys.executable).with_name("celery")
    return [str(script)] if script.exists() else [sys.executable, "-m", "celery"]


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    queue: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait(self, result: AsyncResult, timeout: float) -> object:
        """The task's return value; fails fast with the worker's log if the worker died."""
        deadline = time.monotonic() + timeout
        while not result.ready():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}):\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no result within {timeout}s; worker log:\n{self.output()}")
            time.sleep(0.2)
        return result.get(timeout=5)


@pytest.fixture
def worker(transactional_db, tmp_path) -> Iterator[Worker]:
    """``celery -A brigade worker --pool=solo`` on the test database and the test broker.

    It consumes a queue of its own, so that a developer's worker on the same Redis (which
    would read the development database) never takes the test's task.
    """
    queue = f"brigade-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "PYTHONPATH": str(BASE_DIR),
    }
    command = [
        *celery_command(),
        "-A",
        "brigade",
        "worker",
        "--pool=solo",
        "--loglevel=info",
        f"--queues={queue}",
        f"--hostname={queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        yield Worker(process=process, queue=queue, log=log)
    finally:
        # Stopped before the test database is flushed or dropped (it holds a connection).
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_worker_computes_post_coverage_from_committed_check_ins(worker):
    # given: on Tuesday 2022-03-01 (a school day), three posts of the unit are planned:
    # one staffed that day, one staffed the day before only, one not at all
    day = dt.date(2022, 3, 1)
    unit = UnitFactory()
    peak = DutyPostFactory(unit=unit, kind=PostKind.PEAK_HOUR, weekdays="12345")
    fixed = DutyPostFactory(unit=unit, kind=PostKind.FIXED, weekdays="1234567")
    DutyPostFactory(unit=unit, kind=PostKind.SCHOOL, weekdays="12345")
    DutyPostFactory(unit=unit, kind=PostKind.FIXED, weekdays="67")  # not planned on Tuesdays
    DutyPostFactory(kind=PostKind.FIXED, weekdays="1234567")  # another unit's post
    officer = OfficerFactory(unit=unit)
    for post, when in ((fixed, day - dt.timedelta(days=1)), (peak, day)):
        start = timezone.make_aware(dt.datetime.combine(when, dt.time(7, 0)))
        patrol = services.patrol_start(
            officer=officer, mode=PatrolMode.FOOT, post=post, started_at=start
        )
        services.patrol_check_in(patrol=patrol, at=start + dt.timedelta(minutes=5))
        services.patrol_end(patrol=patrol, ended_at=start + dt.timedelta(hours=2))
    assert celery_app.conf.task_always_eager is False

    # when: the task goes through Redis to the worker process
    result = post_coverage_task.apply_async(args=(day.isoformat(), unit.pk), queue=worker.queue)
    value = worker.wait(result, timeout=WORKER_START_TIMEOUT)

    # then: the worker read the rows this test committed
    assert value == {
        "day": "2022-03-01",
        "unit_id": unit.pk,
        "planned": 3,
        "staffed": 1,
        "rate": pytest.approx(1 / 3),
    }
    assert result.task_id in worker.output()
    assert "succeeded" in worker.output()
