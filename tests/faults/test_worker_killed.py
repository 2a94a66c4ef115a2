"""A Celery worker is killed (SIGKILL) in the middle of a full KPI recompute.

Tasks are acknowledged late, so the broker still holds the message of the killed run;
after the visibility timeout it is handed to the restarted worker, which runs the
recompute again from the start (an idempotent upsert).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiFlow, KpiRollup, KpiRun
from brigade.duty.models import Officer, PatrolLog, Unit, ViolationTally
from tests.faults.conftest import token_headers
from tests.faults.services import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

PATROLS = 12_000  # three years of them: a full recompute takes a second or more here
VISIBILITY_TIMEOUT = 5  # seconds; production keeps the default hour


def load_three_years(units: int = 6, officers: int = 60) -> None:
    """Patrols with a tally each over the three years ending yesterday, no figures yet."""
    rng = random.Random(20220613)
    with engine.paused():
        squads = [Unit.objects.create(code=f"k{n}", name=f"中队{n}") for n in range(units)]
        people = Officer.objects.bulk_create(
            Officer(badge_no=f"7{n:05d}", name=f"警员{n}", unit=squads[n % units])
            for n in range(officers)
        )
        end = timezone.now() - dt.timedelta(days=1)
        patrols = []
        for _ in range(PATROLS):
            officer = people[rng.randrange(officers)]
            start = end - dt.timedelta(days=rng.randrange(3 * 365), hours=rng.randrange(24))
            patrols.append(
                PatrolLog(
                    officer=officer,
                    unit_id=officer.unit_id,
                    mode="car",
                    started_at=start,
                    ended_at=start + dt.timedelta(hours=2),
                )
            )
        patrols = PatrolLog.objects.bulk_create(patrols, batch_size=2000)
        ViolationTally.objects.bulk_create(
            (ViolationTally(patrol=p, kind="no_helmet", count=1 + p.pk % 3) for p in patrols),
            batch_size=2000,
        )


def table(model: type) -> set[tuple[object, ...]]:
    if model is KpiRollup:
        fields = ["metric", "week", "scope", "numerator", "denominator", "value"]
    else:
        fields = ["metric", "side", "win", "week", "cohort_year", "unit_id", "amount"]
    rows = model.objects.values_list(*fields)  # type: ignore[attr-defined]
    return {tuple(str(v) if isinstance(v, Decimal) else v for v in row) for row in rows}


def test_a_recompute_killed_mid_run_is_redelivered_and_ends_as_a_fresh_compute(
    app, make_worker, brigade_commander, capsys
):
    # given: three years of patrols and no figures; a worker whose unacknowledged tasks
    # come back after VISIBILITY_TIMEOUT seconds
    loading = time.monotonic()
    load_three_years()
    loaded = time.monotonic() - loading
    assert not KpiRollup.objects.exists()
    first = make_worker(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))

    # when: the commander starts a full recompute, and the worker is killed once it is
    # under way
    response = app.request(
        "POST", "/api/v1/dashboard/recompute/", data={}, headers=token_headers(brigade_commander)
    )
    assert response.status == 202, response.text
    run = KpiRun.objects.get(pk=response.json()["run_id"])

    def under_way() -> bool:
        run.refresh_from_db()
        return run.state == KpiRun.State.RUNNING

    wait_until(under_way, 60, f"the run started; worker log:\n{first.output()[-3000:]}")
    # killed as soon as it is under way: on an idle machine the whole run takes a few
    # tenths of a second, so any pause here may let it finish first
    first.kill()
    killed_at = time.monotonic()

    # then: it died mid-run: the run reads running, not through (progress written inside
    # the recompute's transaction may not show: it died with the connection)
    run.refresh_from_db()
    assert run.state == KpiRun.State.RUNNING
    assert run.finished_at is None
    assert run.total == 0 or run.done < run.total, (run.done, run.total)
    killed_step = f"{run.done}/{run.total}"
    assert "succeeded" not in first.output()

    # when: the worker is started again, once the message's visibility timeout is over
    # (a worker sweeps for such messages when it starts, then every 100 s or so)
    time.sleep(max(0.0, killed_at + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
    second = make_worker(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))

    # then: the same run is handed to it and finishes
    def finished() -> bool:
        run.refresh_from_db()
        return run.state in (KpiRun.State.DONE, KpiRun.State.FAILED)

    redelivered = wait_until(
        finished, 90, f"the run was redelivered; worker log:\n{second.output()[-3000:]}"
    )
    assert run.state == KpiRun.State.DONE, run.error
    assert run.done == run.total
    assert "recompute_all_task" in second.output()
    assert "succeeded" in second.output()

    # and the tables equal what a fresh synchronous recompute computes
    flows, rollups = table(KpiFlow), table(KpiRollup)
    assert rollups, "no figures were written"
    engine.recompute_all()
    assert table(KpiRollup) == rollups
    assert table(KpiFlow) == flows
    with capsys.disabled():
        print(
            f"\n[faults] worker killed at step {killed_step} of a full recompute "
            f"({len(rollups)} rollup rows); done again by the restarted worker "
            f"{time.monotonic() - killed_at:.1f} s after the kill ({redelivered:.1f} s "
            f"after its start, visibility timeout {VISIBILITY_TIMEOUT} s); data loaded in "
            f"{loaded:.1f} s"
        )
