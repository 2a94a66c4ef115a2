"""``manage.py rollup_kpis``: the operator's full recompute, with a progress bar."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from brigade.core.kpi.models import KpiFlow, KpiRollup
from brigade.core.kpi.weeks import parse_week
from tests.brigade.factories import (
    OfficerFactory,
    PatrolLogFactory,
    UnitFactory,
    ViolationTallyFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def rollup_kpis(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("rollup_kpis", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def patrol(unit, month: int, day: int, helmets: int = 0):
    start = dt.datetime(2022, month, day, 8, tzinfo=SHANGHAI)
    log = PatrolLogFactory(
        officer=OfficerFactory(unit=unit),
        unit=unit,
        started_at=start,
        ended_at=start + dt.timedelta(hours=3),
    )
    if helmets:
        ViolationTallyFactory(patrol=log, kind="no_helmet", count=helmets)
    return log


def figure(metric: str, week: str, scope: str = "brigade") -> KpiRollup:
    return KpiRollup.objects.get(metric=metric, week=parse_week(week), scope=scope)


@pytest.fixture
def patrols(db):
    unit, other = UnitFactory(), UnitFactory()
    patrol(unit, 3, 1, helmets=2)  # 2022-W09
    patrol(unit, 3, 9, helmets=1)  # 2022-W10
    patrol(other, 3, 10)  # 2022-W10
    return unit, other


def test_it_writes_every_week_and_scope_and_says_what_it_did(patrols):
    unit, other = patrols

    out, err = rollup_kpis()

    # then: the figures a commander reads
    assert figure("brigade.patrols", "2022-W10").numerator == 3
    assert figure("brigade.patrols", "2022-W10", str(unit.pk)).numerator == 2
    assert figure("brigade.patrols", "2022-W10", str(other.pk)).numerator == 1
    assert figure("brigade.patrol_hours", "2022-W09", str(unit.pk)).numerator == 3
    assert figure("brigade.violations_corrected", "2022-W10").numerator == 3
    assert figure("brigade.violations.no_helmet", "2022-W52", str(unit.pk)).numerator == 0
    # and: a summary of rows, weeks, scopes and time on stdout, the bar on stderr
    rows = KpiRollup.objects.count()
    weeks = KpiRollup.objects.values("week").distinct().count()
    assert f"{rows} rollup rows" in out
    assert f"{KpiFlow.objects.count()} weekly flows" in out
    assert f"{weeks} weeks, 3 scopes" in out
    assert " s." in out
    assert "KPI rollup" in err and "100%" in err


def test_since_leaves_earlier_weeks_flows_alone(patrols):
    unit, _other = patrols
    rollup_kpis()
    KpiFlow.objects.update(computed_at=LONG_AGO)
    patrol(unit, 3, 2, helmets=5)  # a late entry in 2022-W09

    out, _err = rollup_kpis("--since", "2022-W10")

    # then: week 9's flows were not recomputed (the late entry waits for its own week)
    assert not KpiFlow.objects.filter(week__lt=parse_week("2022-W10")).exclude(computed_at=LONG_AGO)
    assert KpiFlow.objects.filter(week=parse_week("2022-W10")).exclude(computed_at=LONG_AGO)
    assert figure("brigade.violations_corrected", "2022-W09").numerator == 2
    assert "from 2022-W10" in out

    # and: without --since the late entry is counted
    rollup_kpis()
    assert figure("brigade.violations_corrected", "2022-W09").numerator == 7
    assert figure("brigade.violations_corrected", "2022-W10").numerator == 8


@pytest.mark.parametrize("since", ["2022-10", "2022W10", "W10", "last week"])
def test_a_bad_since_week_is_refused_with_the_expected_form(db, since):
    with pytest.raises(CommandError, match="2022-W24") as refused:
        rollup_kpis("--since", since)

    assert "--since" in str(refused.value)
    assert not KpiRollup.objects.exists()


@pytest.mark.parametrize(
    ("since", "message"), [("2022-W53", "2022 has no week 53"), ("2022-W00", "2022 has no week 0")]
)
def test_a_week_the_year_lacks_is_named(db, since, message):
    with pytest.raises(CommandError, match=message):
        rollup_kpis("--since", since)


def test_quiet_runs_without_a_bar(patrols):
    out, err = rollup_kpis("--verbosity", "0")

    assert err == ""
    assert "rollup rows" in out
