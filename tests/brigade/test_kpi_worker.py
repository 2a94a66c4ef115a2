"""The KPI recomputes on a real Celery worker, through Redis, on the test database: a
commander's full recompute run, and the on-change recompute a committed patrol enqueues.

Runs only with a broker (REDIS_URL); without one it is skipped, or fails where CI demands
the services (REQUIRE_SERVICES=1, see tests/service_plugin.py).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from brigade.celery import app as celery_app
from brigade.core.kpi import engine, runs
from brigade.core.kpi.models import KpiDirty, KpiRollup, KpiRun
from brigade.core.kpi.weeks import parse_week
from tests.brigade.factories import (
    OfficerFactory,
    PatrolLogFactory,
    UnitFactory,
    ViolationTallyFactory,
)
from tests.brigade.test_celery_worker import WORKER_START_TIMEOUT, Worker, worker  # noqa: F401

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def routed_to(worker: Worker) -> Iterator[Worker]:  # noqa: F811
    """Tasks enqueued without a queue (as the app enqueues them) go to the test's worker,
    and the coalescing flag a developer's process may have left in Redis is cleared."""
    saved = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = worker.queue
    engine.release_schedule()
    try:
        yield worker
    finally:
        celery_app.conf.task_default_queue = saved
        engine.release_schedule()


def wait_for(condition: Callable[[], bool], on: Worker, timeout: float, what: str) -> None:
    """Poll the test database until ``condition``; fail fast if the worker died."""
    deadline = time.monotonic() + timeout
    while not condition():
        if on.process.poll() is not None:
            pytest.fail(f"the worker exited ({on.process.returncode}):\n{on.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout}s; worker log:\n{on.output()}")
        time.sleep(0.2)


def patrols_in(week: str, scope: str) -> Decimal | None:
    row = KpiRollup.objects.filter(
        metric="brigade.patrols", week=parse_week(week), scope=scope
    ).first()
    return row.numerator if row else None


def test_a_recompute_run_on_the_worker_writes_the_figures(routed_to):
    # given: two patrols in 2022-W09 and one in W10 of one unit, committed
    unit = UnitFactory()
    officer = OfficerFactory(unit=unit)
    for day, helmets in ((1, 2), (3, 1), (8, 4)):
        start = dt.datetime(2022, 3, day, 8, tzinfo=SHANGHAI)
        log = PatrolLogFactory(
            officer=officer, unit=unit, started_at=start, ended_at=start + dt.timedelta(hours=2)
        )
        ViolationTallyFactory(patrol=log, kind="no_helmet", count=helmets)
    KpiDirty.objects.all().delete()  # a full run is what this test is about
    assert celery_app.conf.task_always_eager is False

    # when: a commander starts a recompute; it goes through Redis to the worker process
    run = runs.start(by=None)
    assert run.state == KpiRun.State.QUEUED
    wait_for(
        lambda: KpiRun.objects.get(pk=run.pk).state in (KpiRun.State.DONE, KpiRun.State.FAILED),
        routed_to,
        WORKER_START_TIMEOUT,
        "the run finished",
    )

    # then: the run is done and the figures are there, for the unit and the brigade
    run.refresh_from_db()
    assert run.state == KpiRun.State.DONE, run.error
    assert run.total > 0 and run.done == run.total
    assert run.finished_at is not None
    assert patrols_in("2022-W09", str(unit.pk)) == 2
    assert patrols_in("2022-W10", "brigade") == 3
    helmets = KpiRollup.objects.get(
        metric="brigade.violations.no_helmet", week=parse_week("2022-W10"), scope="brigade"
    )
    assert helmets.numerator == 7
    hours = KpiRollup.objects.get(
        metric="brigade.patrol_hours", week=parse_week("2022-W10"), scope=str(unit.pk)
    )
    assert hours.numerator == 6
    assert "succeeded" in routed_to.output()


def test_a_committed_patrol_is_recomputed_on_the_worker(routed_to):
    # given: figures computed for one patrol in 2022-W09
    unit = UnitFactory()
    officer = OfficerFactory(unit=unit)
    start = dt.datetime(2022, 3, 1, 8, tzinfo=SHANGHAI)
    with engine.paused():
        PatrolLogFactory(officer=officer, unit=unit, started_at=start)
    engine.recompute_all()
    assert patrols_in("2022-W09", str(unit.pk)) == 1

    # when: another patrol of that week is saved and its transaction commits
    with transaction.atomic():
        PatrolLogFactory(
            officer=OfficerFactory(unit=unit),
            unit=unit,
            started_at=start + dt.timedelta(days=1),
        )
        assert KpiDirty.objects.filter(week=parse_week("2022-W09"), unit_id=unit.pk).exists()

    # then: the worker's on-change recompute (after the coalescing delay) updates the week
    wait_for(
        lambda: patrols_in("2022-W09", str(unit.pk)) == 2,
        routed_to,
        WORKER_START_TIMEOUT + engine.COALESCE_SECONDS,
        "the week's figure moved",
    )
    assert patrols_in("2022-W10", "brigade") == 2  # and the weeks after it
    assert not KpiDirty.objects.exists()
    assert "recompute_dirty_task" in routed_to.output()
