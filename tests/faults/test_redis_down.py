"""Redis stops (broker, result store and cache at once) while the app serves, then returns.

The app runs under gunicorn and a Celery worker consumes, both on a private redis-server
that the test stops and starts; the database is the test's own.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiDirty, KpiRollup, KpiRun
from brigade.core.kpi.weeks import parse_week
from tests.brigade.factories import PatrolLogFactory
from tests.faults.conftest import session_headers, token_headers
from tests.faults.services import wait_until
from tests.petitions.factories import TicketFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# What a request that enqueues may cost while the broker is down (measured: ~0.1 s).
ENQUEUE_BOUND = 2.0
RECOVERY_TIMEOUT = 60  # the worker reconnects (its back-off) and runs the recompute


def rollups() -> dict[tuple[str, dt.date, str], tuple[Decimal, Decimal | None]]:
    rows = KpiRollup.objects.values_list("metric", "week", "scope", "numerator", "denominator")
    return {(m, w, s): (n, d) for m, w, s, n, d in rows}


def patrols_figure(week: str, scope: str = "brigade") -> Decimal | None:
    row = KpiRollup.objects.filter(
        metric="brigade.patrols", week=parse_week(week), scope=scope
    ).first()
    return row.numerator if row else None


def test_pages_keep_serving_while_redis_is_down_and_the_figures_catch_up_after(
    redis_server, app, make_worker, officer, clerk, brigade_commander, unit, capsys
):
    # given: three patrols of the unit in 2022-W09 and their figures computed; a clerk's
    # ticket; the app and a worker on the private Redis
    start = dt.datetime(2022, 2, 28, 8, tzinfo=SHANGHAI)
    with engine.paused():
        for day in range(3):
            PatrolLogFactory(
                officer=officer.officer,
                started_at=start + dt.timedelta(days=day),
                ended_at=start + dt.timedelta(days=day, hours=2),
            )
        TicketFactory(unit=unit)
    engine.recompute_all()
    assert patrols_figure("2022-W09") == 3
    worker = make_worker()
    as_officer = token_headers(officer)
    as_commander = token_headers(brigade_commander)
    commander_browser = session_headers(brigade_commander)

    # when: Redis stops
    redis_server.stop()

    # then: the officer's duty page, the clerk's queue, the dashboard and the lists answer
    pages = {
        "/duty/": session_headers(officer),
        "/petitions/": session_headers(clerk),
        "/dashboard/?week=2022-W09": commander_browser,
    }
    for path, headers in pages.items():
        response = app.request("GET", path, headers=headers)
        assert response.status == 200, (path, response.status, app.output()[-3000:])
    for path in (
        "/api/v1/brigade/patrols/",
        "/api/v1/petitions/tickets/",
        "/api/v1/dashboard/kpis/?week=2022-W09",
    ):
        response = app.request("GET", path, headers=as_commander)
        assert response.status == 200, (path, response.status)
    assert (
        app.request("GET", "/api/v1/petitions/tickets/", headers=as_commander).json()["count"] == 1
    )

    # when: the officer logs a patrol of that week (its recompute cannot be enqueued)
    started = app.request(
        "POST",
        "/api/v1/brigade/patrols/",
        data={"mode": "car", "started_at": "2022-03-03T08:00:00+08:00"},
        headers=as_officer,
    )
    ended = app.request(
        "POST",
        f"/api/v1/brigade/patrols/{started.json()['id']}/end/",
        data={"ended_at": "2022-03-03T10:00:00+08:00"},
        headers=as_officer,
    )

    # then: the patrol is saved, at once, and its week is marked for the next recompute
    assert (started.status, ended.status) == (201, 200), started.text + ended.text
    assert started.seconds < ENQUEUE_BOUND and ended.seconds < ENQUEUE_BOUND
    assert KpiDirty.objects.filter(week=parse_week("2022-W09"), unit_id=unit.pk).exists()
    # the figures are the last computed ones, and both the page and the API say so
    dashboard = app.request("GET", "/dashboard/?week=2022-W09", headers=commander_browser)
    assert dashboard.status == 200
    assert 'data-testid="dashboard-stale"' in dashboard.text
    assert "Figures may be stale" in dashboard.text
    kpis = app.request("GET", "/api/v1/dashboard/kpis/?week=2022-W09", headers=as_commander)
    assert kpis.json()["stale"] is not None
    assert kpis.json()["metrics"]["brigade.patrols"]["numerator"] == 3

    # when: the commander asks for a recompute, by the API and by the page's button
    by_api = app.request("POST", "/api/v1/dashboard/recompute/", data={}, headers=as_commander)
    csrf = dashboard.cookies["csrftoken"]
    by_button = app.request(
        "POST",
        "/dashboard/recompute/",
        form={"next": "/dashboard/"},
        headers={
            **commander_browser,
            "Cookie": f"{commander_browser['Cookie']}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "HX-Request": "true",
        },
    )

    # then: both are refused at once with the reason; the runs are recorded as failed
    assert by_api.status == 503, by_api.text
    assert by_api.headers["retry-after"] == "60"
    assert by_api.seconds < ENQUEUE_BOUND
    assert by_button.status == 200, by_button.text
    assert "The task queue does not answer" in by_button.text
    assert by_button.seconds < ENQUEUE_BOUND
    assert list(KpiRun.objects.values_list("state", flat=True)) == [KpiRun.State.FAILED] * 2
    with capsys.disabled():
        print(
            f"\n[faults] Redis down: patrol start {started.seconds:.3f} s, end "
            f"{ended.seconds:.3f} s, recompute API 503 in {by_api.seconds:.3f} s, "
            f"button in {by_button.seconds:.3f} s"
        )

    # when: Redis is back (empty: it keeps nothing on disk) and the officer logs a patrol of
    # the next week, whose recompute is enqueued again
    redis_server.start()
    again = app.request(
        "POST",
        "/api/v1/brigade/patrols/",
        data={"mode": "car", "started_at": "2022-03-08T08:00:00+08:00"},
        headers=as_officer,
    )
    assert again.status == 201, again.text

    # then: the worker (the same process, reconnected) takes every waiting mark, those
    # of the outage included, and the figures end as a full recompute computes them
    wait_until(
        lambda: not KpiDirty.objects.exists() and patrols_figure("2022-W10") == 5,
        RECOVERY_TIMEOUT,
        f"the marks were recomputed; worker log:\n{worker.output()[-3000:]}",
    )
    assert worker.process is not None and worker.process.poll() is None
    assert patrols_figure("2022-W09") == 4
    assert patrols_figure("2022-W09", str(unit.pk)) == 4
    live = rollups()
    engine.recompute_all()
    assert live == rollups()
    kpis = app.request("GET", "/api/v1/dashboard/kpis/?week=2022-W10", headers=as_commander)
    assert kpis.json()["stale"] is None
    assert kpis.json()["metrics"]["brigade.patrols"]["numerator"] == 5
    # and the button works again
    assert (
        app.request("POST", "/api/v1/dashboard/recompute/", data={}, headers=as_commander).status
        == 202
    )
