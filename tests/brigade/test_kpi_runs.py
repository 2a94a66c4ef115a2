"""A recompute run that fails for its own reasons says so, not that the queue is down."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from brigade.core.kpi import engine, runs
from brigade.core.kpi.models import KpiRun

pytestmark = pytest.mark.django_db


def test_a_failing_eager_recompute_is_recorded_with_its_own_error(monkeypatch, commander):
    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(engine, "recompute_all", broken)

    run = runs.start(by=commander)

    assert run.state == KpiRun.State.FAILED
    assert "disk full" in run.error
    assert run.requested_by == commander


def test_a_successful_eager_recompute_is_done_with_its_steps(commander):
    run = runs.start(by=commander)

    assert run.state == KpiRun.State.DONE
    assert run.total > 0 and run.done == run.total
    assert run.finished_at is not None
