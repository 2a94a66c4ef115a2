"""The black spots' metrics: identified, investigated, treated, and the accidents at the
treated spots before and after, through the KPI engine against the records."""

from __future__ import annotations

import datetime as dt

import h3
import pytest
import time_machine
from django.conf import settings

from brigade.core.dates import local_tz
from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRollup
from brigade.core.kpi.weeks import parse_week, week_key, week_start
from hazards.choices import HazardStatus
from hazards.models import Hazard
from incidents import black_spots
from incidents.models import BlackSpot
from tests.incidents.factories import accident_in_cell

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 6, 30, 12, 0, tzinfo=local_tz())
HOME = h3.latlng_to_cell(36.45, 115.98, settings.H3_RESOLUTION)


def figure(metric: str, week: str) -> KpiRollup | None:
    return KpiRollup.objects.filter(metric=metric, week=parse_week(week), scope="brigade").first()


def crash(unit, when: dt.datetime) -> None:
    accident_in_cell(unit, HOME, when)


def test_a_spot_found_investigated_treated_and_its_accidents_before_and_after(unit, commander):
    # given: on 2024-03-01, four accidents in the 30 days before: a black spot; a hazard
    # opened from it and verified on 2024-03-01
    verified = dt.datetime(2024, 3, 1, 10, 0, tzinfo=local_tz())
    with time_machine.travel(verified, tick=False):
        for days in (5, 10, 20, 30):
            crash(unit, verified - dt.timedelta(days=days))
        black_spots.recompute_all()
        [spot] = BlackSpot.objects.all()
        from incidents.services import black_spot_open_hazard

        opened = black_spot_open_hazard(spot=spot, by=commander)
        Hazard.objects.filter(pk=opened.id).update(
            status=HazardStatus.VERIFIED, verified_at=verified
        )
    # one accident after (of the 121 days since)
    crash(unit, verified + dt.timedelta(days=40))

    # when: the nightly runs (black spots, then the KPIs)
    with time_machine.travel(NOW, tick=False):
        black_spots.recompute_all()
        engine.recompute_all()

    # then: one spot identified and investigated (week of 2024-03-01), treated, 4 → 1
    spot.refresh_from_db()
    assert (spot.accidents_before, spot.accidents_after) == (4, 1)
    week = week_key(week_start(verified.date()))
    assert figure("incidents.black_spots_found", week).numerator == 1
    assert figure("incidents.black_spots_investigated", week).numerator == 1
    assert figure("incidents.black_spots_treated", week).numerator == 1
    change = figure("incidents.black_spot_accidents_after", week)
    assert (change.numerator, change.denominator) == (1, 4)
