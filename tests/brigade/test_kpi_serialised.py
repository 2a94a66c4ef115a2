"""Recomputes serialised by the writer lock, runs that join the queued one, marks that say
which metrics a change moves, marks that cannot be computed, and publishing a closed week.

Runs on SQLite (a file lock) and on PostgreSQL (an advisory lock) alike.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from brigade.core.kpi import engine, lock, runs
from brigade.core.kpi.models import KpiDirty, KpiFlow, KpiPublished, KpiRollup, KpiRun
from brigade.core.kpi.registry import Flow, Metric, registry
from brigade.core.kpi.weeks import parse_week
from brigade.duty.models import ViolationTally
from brigade.tasks import recompute_all_task, recompute_dirty_task
from tests.brigade.factories import OfficerFactory
from tests.brigade.test_kpi_engine import local, numerator, patrol, tables

W10 = "2022-W10"


def in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException]]:
    """Run ``target`` in a thread with its own connection (closed at its end)."""
    errors: list[BaseException] = []

    def body() -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, errors


def flow_keys_are_unique() -> bool:
    keys = KpiFlow.objects.values_list("metric", "side", "week", "cohort_year", "unit_id")
    return keys.count() == len(set(keys))


@pytest.fixture
def week10(unit):
    """Three patrols of ``unit`` in 2022-W10 with 2 + 1 + 4 helmet violations, computed."""
    officer = OfficerFactory(unit=unit)
    with engine.paused():
        for day, helmets in ((7, 2), (8, 1), (9, 4)):
            patrol(unit, local(2022, 3, day, 8), officer=officer, no_helmet=helmets)
    engine.recompute_all()
    return unit


# --- the writer lock ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_recomputes_at_once_in_four_threads_end_as_one(unit):
    # given: three patrols of 2022-W10, figures not yet computed
    officer = OfficerFactory(unit=unit)
    with engine.paused():
        for day in (7, 8, 9):
            patrol(unit, local(2022, 3, day, 8), officer=officer, hours=2.5)

    # when: four recomputes start at the same instant, two full and two incremental
    engine.mark_dirty([(dt.date(2022, 3, 7), unit.pk)], schedule=False)
    barrier = threading.Barrier(4)

    def full() -> None:
        barrier.wait(5)
        engine.recompute_all()

    def incremental() -> None:
        barrier.wait(5)
        engine.recompute_dirty()

    started = [in_thread(work) for work in (full, incremental, full, incremental)]
    for thread, _errors in started:
        thread.join(60)

    # then: none failed, no figure doubled, and the tables are one fresh recompute's
    assert [e for _t, errors in started for e in errors] == []
    assert numerator("brigade.patrols", W10) == 3
    assert numerator("brigade.patrol_hours", W10) == Decimal("7.5")
    assert flow_keys_are_unique()
    after = tables()
    engine.recompute_all()
    assert tables() == after


@pytest.mark.django_db(transaction=True)
def test_a_recompute_waits_while_another_writer_holds_the_lock(unit):
    officer = OfficerFactory(unit=unit)
    with engine.paused():
        patrol(unit, local(2022, 3, 7, 8), officer=officer)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock.writer_lock():
            holding.set()
            release.wait(10)

    holder, _errors = in_thread(hold)
    assert holding.wait(10)
    runner, errors = in_thread(engine.recompute_all)

    runner.join(0.5)
    assert runner.is_alive(), "the recompute did not wait for the lock"
    assert not KpiRollup.objects.exists()

    release.set()
    holder.join(10)
    runner.join(30)
    assert errors == []
    assert numerator("brigade.patrols", W10) == 1


def test_the_lock_is_reentrant_within_a_thread(db):
    with lock.writer_lock():
        assert lock.held()
        with lock.writer_lock():
            engine.recompute_all()  # takes it again inside
        assert lock.held()
    assert not lock.held()


def test_the_flows_are_unique_in_the_database(week10):
    row = KpiFlow.objects.filter(metric="brigade.patrols").first()
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


# --- runs join the queued one -------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch):
    """The full recompute task's enqueues, recorded instead of sent."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(recompute_all_task, "apply_async", lambda **kw: calls.append(kw))
    return calls


@pytest.fixture
def with_a_broker(sent):
    """Tasks go to a broker (recorded by ``sent``) instead of running in the request."""
    recompute_all_task.app.conf.task_always_eager = False
    yield sent
    recompute_all_task.app.conf.task_always_eager = True


def test_only_one_run_is_queued_at_a_time(db):
    KpiRun.objects.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        KpiRun.objects.create()
    KpiRun.objects.create(state=KpiRun.State.RUNNING)  # running ones are not limited


def test_a_request_while_a_run_is_queued_joins_it(commander, sent):
    # given: a run queued by another commander, not yet picked up by a worker
    queued = KpiRun.objects.create(since=parse_week("2022-W20"))

    # when: a commander presses recompute (for every week)
    run = runs.start(by=commander)

    # then: they follow the queued run, now widened to every week; nothing else is sent
    assert run.pk == queued.pk
    assert run.state == KpiRun.State.QUEUED
    assert run.since is None
    assert KpiRun.objects.count() == 1
    assert sent == []


def test_the_first_request_queues_a_run_and_sends_its_task_a_moment_ahead(commander, with_a_broker):
    run = runs.start(by=commander)
    assert run.state == KpiRun.State.QUEUED
    assert with_a_broker == [
        {
            "kwargs": {"run_id": str(run.pk), "since": None},
            "countdown": runs.COALESCE_SECONDS,
            "retry": False,
        }
    ]


def test_two_commanders_pressing_at_once_follow_one_run(
    api_as, commander, brigade_commander, with_a_broker
):
    # when: two commanders post a recompute, one after the other before a worker takes it
    first = api_as(commander).post("/api/v1/dashboard/recompute/", {}, format="json")
    second = api_as(brigade_commander).post("/api/v1/dashboard/recompute/", {}, format="json")

    # then: both are accepted and follow the same run, whose task was sent once
    assert first.status_code == second.status_code == 202
    assert first.json()["run_id"] == second.json()["run_id"]
    assert second.json()["state"] == "queued"
    assert len(with_a_broker) == 1
    status = api_as(brigade_commander).get(second.json()["status_url"])
    assert status.status_code == 200
    assert status.json()["state"] == "queued"


def test_a_task_delivered_again_for_a_done_run_does_nothing(db, monkeypatch):
    done = KpiRun.objects.create(state=KpiRun.State.DONE, done=5, total=5)
    calls: list[object] = []
    monkeypatch.setattr(engine, "recompute_all", lambda **kw: calls.append(kw))

    recompute_all_task(run_id=str(done.pk))

    assert calls == []
    done.refresh_from_db()
    assert (done.state, done.done) == (KpiRun.State.DONE, 5)


def test_a_task_delivered_again_for_a_run_left_running_runs_it(week10):
    # given: a run whose worker died mid-run (the database released its lock)
    stale = KpiRun.objects.create(state=KpiRun.State.RUNNING)
    with engine.paused():
        patrol(week10, local(2022, 3, 10, 8))

    recompute_all_task(run_id=str(stale.pk))

    stale.refresh_from_db()
    assert stale.state == KpiRun.State.DONE
    assert numerator("brigade.patrols", W10) == 4


def test_a_failed_run_leaves_the_figures_as_they_were(week10, monkeypatch, commander):
    # given: a late patrol, and a recompute that fails after writing the flows
    with engine.paused():
        patrol(week10, local(2022, 3, 10, 8))
    before = tables()

    def broken(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "derive_rollups", broken)

    run = runs.start(by=commander)

    # then: the run failed and neither its flows nor any rollup were kept
    assert run.state == KpiRun.State.FAILED
    assert tables() == before
    assert numerator("brigade.patrols", W10) == 3


# --- marks say which metrics a change moves -----------------------------------------------


def _one_tally_recompute(week10) -> CaptureQueriesContext:
    tally = ViolationTally.objects.filter(patrol__unit=week10).first()
    tally.count += 1
    tally.save()
    with CaptureQueriesContext(connection) as captured:
        engine.recompute_dirty()
    return captured


def _flow_inserts(captured: CaptureQueriesContext) -> list[str]:
    table = KpiFlow._meta.db_table
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"')
    ]


def test_a_tally_recomputes_the_metrics_that_read_tallies_only(week10):
    captured = _one_tally_recompute(week10)

    # then: one flow query per side of the metrics that read tallies, not of every metric
    moved = engine.metrics_moved_by("brigade.ViolationTally")
    assert {m.key for m in moved} == {"brigade.violations", "brigade.violations_corrected"}
    sides = sum(1 + (m.denominator is not None) for m in moved)
    everything = sum(1 + (m.denominator is not None) for m in registry.all())
    assert len(_flow_inserts(captured)) == sides < everything
    assert numerator("brigade.violations_corrected", W10) == 8
    KpiDirty.objects.all().delete()
    after = tables()
    engine.recompute_all()
    assert tables() == after


def test_the_statements_of_a_tally_recompute_do_not_grow_with_other_apps_metrics(week10):
    from hazards.models import Hazard

    statements = len(_one_tally_recompute(week10))

    # when: another app registers a metric (reading its own model)
    extra = Metric(
        key="zz_other.found",
        label="found",
        numerator=Flow(source=Hazard.objects.all, when="found_at"),
    )
    registry.register(extra)
    try:
        again = _one_tally_recompute(week10)
    finally:
        del registry._metrics[extra.key]
        engine._WATCHERS["hazards.Hazard"].remove(extra.numerator)
        engine._MOVES["hazards.Hazard"].discard(extra.key)

    # then: the same statements, and the tally still counted
    assert len(again) == statements
    assert numerator("brigade.violations_corrected", W10) == 9


def test_a_mark_without_a_model_recomputes_every_metric(week10):
    engine.mark_dirty([(dt.date(2022, 3, 7), week10.pk)], schedule=False)
    with CaptureQueriesContext(connection) as captured:
        engine.recompute_dirty()
    everything = sum(1 + (m.denominator is not None) for m in registry.all())
    assert len(_flow_inserts(captured)) == everything


# --- a mark that cannot be computed -------------------------------------------------------


@pytest.mark.parametrize("week", [dt.date(1, 1, 1), dt.date(9999, 12, 27)])
def test_marks_at_the_edges_of_the_calendar_do_not_stop_the_recompute(week10, week):
    # given: a mark of a week at the edge of the calendar (a record dated in year 1 or
    # 9999, since deleted) and a late patrol of 2022-W10
    KpiDirty.objects.create(week=week, unit_id=week10.pk, model="petitions.Ticket")
    patrol(week10, local(2022, 3, 10, 8))

    # when: the on-change recompute runs
    recompute_dirty_task()

    # then: the patrol is counted, no mark waits (computed, or set aside with its error),
    # and the tables are a full recompute's
    assert numerator("brigade.patrols", W10) == 4
    assert not KpiDirty.objects.filter(failed_at__isnull=True).exists()
    for mark in KpiDirty.objects.all():
        assert mark.week == week and mark.error
    after = tables()
    engine.recompute_all()
    assert tables() == after
    assert not KpiDirty.objects.exists()  # the full run covered it


LOST = 424242  # the unit of the mark whose recompute fails


@pytest.fixture
def failing_unit(monkeypatch):
    """Computing any flow of unit ``LOST`` raises, as a week out of the calendar does."""
    real = engine.compute_flows

    def compute_flows(metrics=None, window=engine.Window(), progress=None):  # noqa: B008
        if window.unit_ids and LOST in window.unit_ids:
            raise OverflowError("date value out of range")
        return real(metrics, window, progress)

    monkeypatch.setattr(engine, "compute_flows", compute_flows)


def test_a_mark_that_cannot_be_computed_is_set_aside_and_the_others_are(
    week10, failing_unit, caplog
):
    # given: a mark whose recompute fails, and a late patrol of 2022-W10
    KpiDirty.objects.create(week=dt.date(2022, 1, 3), unit_id=LOST, model="petitions.Ticket")
    patrol(week10, local(2022, 3, 10, 8))

    # when: the on-change recompute runs
    recompute_dirty_task()

    # then: the patrol is counted; the bad mark is set aside with its error, and logged
    assert numerator("brigade.patrols", W10) == 4
    bad = KpiDirty.objects.get()
    assert bad.failed_at is not None
    assert bad.error == "OverflowError: date value out of range"
    assert f"KPI mark set aside (week 2022-01-03, unit {LOST}, petitions.Ticket)" in caplog.text
    assert engine.stale_since() is None  # the dashboard does not wait for it

    # and it is not tried again by the next run
    with CaptureQueriesContext(connection) as captured:
        engine.recompute_dirty()
    assert _flow_inserts(captured) == []
    assert KpiDirty.objects.get().failed_at == bad.failed_at

    # and the operator's command lists it while no run covers it
    err = StringIO()
    call_command("rollup_kpis", since="2022-W20", stdout=StringIO(), stderr=err)
    assert "1 changed week(s) could not be recomputed and are set aside" in err.getvalue()
    assert f"2022-01-03 unit {LOST} (petitions.Ticket): OverflowError" in err.getvalue()


def test_a_new_change_to_a_set_aside_week_is_computed(week10):
    KpiDirty.objects.create(
        week=dt.date(2022, 3, 7), unit_id=week10.pk, failed_at=local(2022, 3, 8), error="x"
    )
    patrol(week10, local(2022, 3, 10, 8))
    engine.recompute_dirty()
    assert numerator("brigade.patrols", W10) == 4


# --- publishing a closed week -------------------------------------------------------------


def test_a_week_with_changes_waiting_is_not_published(week10):
    patrol(week10, local(2022, 3, 10, 8))  # marked, not yet recomputed

    with pytest.raises(engine.NotSettled):
        engine.publish_week(parse_week(W10))
    assert not KpiPublished.objects.exists()

    engine.recompute_dirty()
    assert engine.publish_week(parse_week(W10)) > 0
    published = KpiPublished.objects.get(metric="brigade.patrols", scope="brigade")
    assert published.numerator == 4


@pytest.mark.django_db(transaction=True)
def test_publishing_waits_for_the_run_under_way_and_freezes_what_it_committed(unit, monkeypatch):
    # given: 3 patrols computed, then a 4th loaded without a mark; a full run is under way
    officer = OfficerFactory(unit=unit)
    with engine.paused():
        for day in (7, 8, 9):
            patrol(unit, local(2022, 3, day, 8), officer=officer)
    engine.recompute_all()
    with engine.paused():
        patrol(unit, local(2022, 3, 10, 8), officer=officer)
    in_run, go_on = threading.Event(), threading.Event()
    real = engine.derive_rollups

    def slow(*args: Any, **kwargs: Any) -> None:
        in_run.set()
        go_on.wait(10)
        real(*args, **kwargs)

    monkeypatch.setattr(engine, "derive_rollups", slow)
    runner, run_errors = in_thread(engine.recompute_all)
    assert in_run.wait(10)

    # when: the week is published meanwhile
    publisher, publish_errors = in_thread(lambda: engine.publish_week(parse_week(W10)))
    publisher.join(0.5)

    # then: publishing waits for the run, and freezes the figures it committed
    assert publisher.is_alive(), "publishing did not wait for the run under way"
    assert not KpiPublished.objects.exists()
    go_on.set()
    runner.join(30)
    publisher.join(30)
    assert run_errors == publish_errors == []
    published = KpiPublished.objects.get(metric="brigade.patrols", scope="brigade")
    assert published.numerator == 4


def test_publishing_after_a_failed_run_freezes_the_figures_it_left(week10, monkeypatch):
    with engine.paused():
        patrol(week10, local(2022, 3, 10, 8))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "derive_rollups", broken)
    with pytest.raises(RuntimeError):
        engine.recompute_all()
    monkeypatch.undo()

    engine.publish_week(parse_week(W10))
    published = KpiPublished.objects.get(metric="brigade.patrols", scope="brigade")
    assert published.numerator == 3  # the last committed figures, not half a run's
    assert flow_keys_are_unique()
