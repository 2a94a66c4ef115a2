"""Recomputes racing each other on PostgreSQL: any mix of full and incremental runs, with
record changes committing meanwhile, ends with the tables of one fresh full recompute.

- Real Celery workers (two ``celery worker --pool=solo`` processes on one queue, through
  Redis) take 8 recompute requests made at once while 100 record changes commit from
  other threads.
- A stateful property test interleaves full runs, incremental runs and edits across
  threads.

Both compare every flow and rollup with a fresh full recompute into empty tables.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, IntegrityError, connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from brigade.celery import app as celery_app
from brigade.core.kpi import engine, runs
from brigade.core.kpi.models import KpiDirty, KpiFlow, KpiRollup, KpiRun, KpiWeek
from brigade.duty.models import Officer, PatrolLog, Unit, ViolationTally
from tests.brigade.test_celery_worker import BASE_DIR, celery_command, database_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = dt.datetime(2021, 1, 4, 8, tzinfo=SHANGHAI)
DAYS = 2 * 365


def table(model: type) -> list[tuple[Any, ...]]:
    """Every row's figures (not when it was computed), sorted: duplicates show."""
    if model is KpiRollup:
        fields = ["metric", "week", "scope", "unit_id", "numerator", "denominator", "value"]
    else:
        fields = ["metric", "side", "win", "week", "cohort_year", "unit_id", "amount"]
    rows = model.objects.values_list(*fields)  # type: ignore[attr-defined]
    return sorted(tuple(str(v) if isinstance(v, Decimal) else v for v in row) for row in rows)


def assert_as_a_fresh_recompute() -> None:
    """The tables equal a full recompute into empty tables, row for row."""
    flows, rollups = table(KpiFlow), table(KpiRollup)
    assert rollups, "no figure was written"
    with transaction.atomic():
        for model in (KpiFlow, KpiRollup, KpiWeek):
            model.objects.all().delete()
    engine.recompute_all()
    fresh_flows, fresh_rollups = table(KpiFlow), table(KpiRollup)
    assert len(flows) == len(fresh_flows), "flow rows differ in number"
    assert flows == fresh_flows
    assert len(rollups) == len(fresh_rollups), "rollup rows differ in number"
    assert rollups == fresh_rollups


def load_units(units: int = 3) -> list[Officer]:
    """Units with four officers each."""
    squads = [Unit.objects.create(code=f"r{n}", name=f"中队{n}") for n in range(units)]
    return Officer.objects.bulk_create(
        Officer(badge_no=f"9{n:05d}", name=f"警员{n}", unit=squads[n % units])
        for n in range(units * 4)
    )


def load_patrols(rng: random.Random, people: list[Officer], patrols: int) -> None:
    """Patrols with a tally each over two years, no marks (a bulk load)."""
    with engine.paused():
        logs = []
        for _ in range(patrols):
            officer = rng.choice(people)
            start = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS), hours=rng.randrange(16))
            logs.append(
                PatrolLog(
                    officer=officer,
                    unit_id=officer.unit_id,
                    mode="car",
                    started_at=start,
                    ended_at=start + dt.timedelta(hours=1 + rng.randrange(4)),
                )
            )
        logs = PatrolLog.objects.bulk_create(logs)
        ViolationTally.objects.bulk_create(
            ViolationTally(patrol=log, kind="no_helmet", count=1 + log.pk % 4) for log in logs
        )


def change(rng: random.Random, people: list[Officer]) -> None:
    """One record change in its own transaction, as one request makes it. A change that
    meets another one's deletion (the patrol is gone) is dropped, as its request would
    fail; the on-change recompute after the commit runs outside that guard."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                _change(rng, people)
        except (IntegrityError, ObjectDoesNotExist):
            pass
        except DatabaseError as exc:
            if "did not affect any rows" not in str(exc):
                raise


def _change(rng: random.Random, people: list[Officer]) -> None:
    what = rng.randrange(4)
    log = PatrolLog.objects.order_by("?").first()
    if what == 0 or log is None:
        officer = rng.choice(people)
        start = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS), hours=rng.randrange(16))
        log = PatrolLog.objects.create(
            officer=officer,
            unit_id=officer.unit_id,
            mode="foot",
            started_at=start,
            ended_at=start + dt.timedelta(hours=2),
        )
        ViolationTally.objects.create(patrol=log, kind="speeding", count=rng.randrange(1, 5))
    elif what == 1:
        tally = ViolationTally.objects.filter(patrol=log).first()
        if tally is not None:
            tally.count += 1
            tally.save(update_fields=["count"])
    elif what == 2:
        log.started_at += dt.timedelta(days=rng.randrange(-40, 40))
        log.ended_at = log.started_at + dt.timedelta(hours=1)
        log.save(update_fields=["started_at", "ended_at"])
    else:
        log.delete()


def threads(targets: list[Callable[[], None]]) -> list[BaseException]:
    """Run each target in a thread of its own (own connection); the errors raised."""
    errors: list[BaseException] = []

    def body(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    started = [threading.Thread(target=body, args=(t,), daemon=True) for t in targets]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(300)
    return errors


# --- real workers -------------------------------------------------------------------------


class Workers:
    def __init__(self, queue: str, logs: list[Path], processes: list[subprocess.Popen[bytes]]):
        self.queue, self.logs, self.processes = queue, logs, processes

    def output(self) -> str:
        return "\n".join(log.read_text(errors="replace") for log in self.logs)

    def check_alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                pytest.fail(f"a worker exited ({process.returncode}):\n{self.output()[-5000:]}")


@pytest.fixture
def two_workers(transactional_db, tmp_path) -> Iterator[Workers]:
    """Two ``celery worker --pool=solo`` processes on one queue of the test's own; tasks
    enqueued without a queue go to it."""
    queue = f"brigade-race-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": django_settings.CELERY_RESULT_BACKEND,
        "PYTHONPATH": str(BASE_DIR),
    }
    processes, logs = [], []
    for n in range(2):
        log = tmp_path / f"worker{n}.log"
        command = [
            *celery_command(),
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
            processes.append(
                subprocess.Popen(
                    command, cwd=BASE_DIR, env=env, stdout=sink, stderr=subprocess.STDOUT
                )
            )
        logs.append(log)
    saved = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    engine.release_schedule()
    try:
        yield Workers(queue, logs, processes)
    finally:
        celery_app.conf.task_default_queue = saved
        engine.release_schedule()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def settled() -> bool:
    """No run queued or running, no change waiting: every task has committed."""
    busy = KpiRun.objects.filter(state__in=[KpiRun.State.QUEUED, KpiRun.State.RUNNING])
    return not busy.exists() and not KpiDirty.objects.filter(failed_at__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.redis
def test_eight_requests_and_a_hundred_changes_at_once_end_as_one_fresh_recompute(
    two_workers: Workers,
):
    # given: 600 patrols over two years, computed once
    rng = random.Random(20220310)
    people = load_units()
    load_patrols(rng, people, 600)
    engine.recompute_all()
    assert celery_app.conf.task_always_eager is False

    # when: 8 commanders press recompute at the same instant while 4 clerks commit 25
    # changes each (every change enqueues its on-change recompute, coalesced)
    barrier = threading.Barrier(12)
    requested: list[KpiRun] = []

    def press() -> None:
        barrier.wait(10)
        requested.append(runs.start(by=None))

    def edit(seed: int) -> Callable[[], None]:
        def body() -> None:
            mine = random.Random(seed)
            barrier.wait(10)
            for _ in range(25):
                change(mine, people)
                time.sleep(mine.random() * 0.05)

        return body

    errors = threads([press] * 8 + [edit(seed) for seed in range(4)])
    assert errors == []

    # then: the 8 requests joined at most two runs (one queued behind one under way)
    assert len(requested) == 8
    assert len({run.pk for run in requested}) <= 2

    # and once every task has finished, every run is done and no change waits
    deadline = time.monotonic() + 180
    while not settled():
        two_workers.check_alive()
        if time.monotonic() > deadline:
            pytest.fail(f"not settled within 180 s:\n{two_workers.output()[-5000:]}")
        time.sleep(0.25)
    states = set(KpiRun.objects.values_list("state", flat=True))
    assert states == {KpiRun.State.DONE}, KpiRun.objects.values_list("state", "error")
    output = two_workers.output()
    assert "deadlock" not in output.lower()
    assert "raised unexpected" not in output
    assert "recompute_all_task" in output and "recompute_dirty_task" in output

    # and the tables are exactly those of one fresh full recompute
    assert_as_a_fresh_recompute()


# --- a stateful property test across threads ----------------------------------------------


class RecomputesAndEdits(RuleBasedStateMachine):
    """Full runs, incremental runs and edits, each started in a thread of its own and
    running alongside the others; at the end the tables are a fresh recompute's."""

    def __init__(self) -> None:
        super().__init__()
        with engine.paused():
            ViolationTally.objects.all().delete()
            PatrolLog.objects.all().delete()
        for model in (KpiFlow, KpiRollup, KpiWeek, KpiDirty, KpiRun):
            model.objects.all().delete()
        self.people = list(Officer.objects.all())
        load_patrols(random.Random(1), self.people, 40)
        engine.recompute_all()
        self.running: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def _start(self, target: Callable[[], None]) -> None:
        def body() -> None:
            try:
                target()
            except BaseException as exc:  # checked by the invariant
                self.errors.append(exc)
            finally:
                connection.close()

        thread = threading.Thread(target=body, daemon=True)
        thread.start()
        self.running.append(thread)

    @rule(seed=st.integers(0, 2**16), count=st.integers(1, 4))
    def edits(self, seed: int, count: int) -> None:
        def body() -> None:
            rng = random.Random(seed)
            for _ in range(count):
                change(rng, self.people)

        self._start(body)

    @rule(seed=st.integers(0, 2**16))
    def edit_here(self, seed: int) -> None:
        change(random.Random(seed), self.people)

    @rule()
    def full_run(self) -> None:
        self._start(engine.recompute_all)

    @rule(weeks_ago=st.integers(0, 60))
    def full_run_since(self, weeks_ago: int) -> None:
        monday = dt.date(2022, 12, 26) - dt.timedelta(weeks=weeks_ago)
        self._start(lambda: engine.recompute_all(since=monday))

    @rule()
    def incremental_run(self) -> None:
        self._start(engine.recompute_dirty)

    @invariant()
    def nothing_failed(self) -> None:
        assert self.errors == []

    def teardown(self) -> None:
        for thread in self.running:
            thread.join(120)
        try:
            assert self.errors == []
            engine.recompute_dirty()  # the changes whose task would come next
            assert_as_a_fresh_recompute()
        finally:
            connection.close()


@pytest.mark.postgres
def test_any_interleaving_of_recomputes_and_edits_ends_as_a_fresh_recompute(transactional_db):
    load_units()
    run_state_machine_as_test(
        RecomputesAndEdits,
        settings=settings(
            max_examples=12,
            stateful_step_count=10,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
