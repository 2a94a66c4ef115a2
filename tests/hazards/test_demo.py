"""The hazards demo reproduces FIGURES.md rows 6-8 through the KPI engine, and a second
run writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.db.models import Sum

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRollup
from brigade.core.kpi.weeks import parse_week
from brigade.duty import demo as brigade_demo
from hazards import demo
from hazards.choices import HazardStatus, KeyVehicleStatus
from hazards.models import FacilityWork, Hazard, HazardCheck, KeyVehicle

pytestmark = pytest.mark.django_db

JUNE_13 = "2022-W24"  # the week of 13 June, "截至6月13日"


def _context() -> brigade_demo.DemoContext:
    context = brigade_demo.DemoContext(stdout=StringIO())
    context.units = brigade_demo.seed_units()
    context.officers = brigade_demo.seed_officers(context.units)
    return context


def figure(metric: str, week: str = JUNE_13) -> tuple:
    row = KpiRollup.objects.get(metric=metric, week=parse_week(week), scope="brigade")
    return row.numerator, row.denominator


def test_demo_reproduces_rows_6_to_8(settings):
    settings.DEMO_PASSWORD = "demo-pass-1"
    context = _context()
    brigade_demo.seed_users(context)
    demo.seed(context)
    engine.recompute_all()
    # row 6: 13 found, 13 rectified, 100% as of 13 June
    assert figure("hazards.found") == (13, None)
    assert figure("hazards.verified") == (13, None)
    assert figure("hazards.rectification_rate") == (13, 13)
    found_by = Hazard.objects.filter(found_at__date__lte=dt.date(2022, 6, 13))
    assert found_by.count() == 13
    assert found_by.filter(verified_at__date__lte=dt.date(2022, 6, 13)).count() == 13
    # spread over units, elements and sources, one check each
    assert found_by.values("unit").distinct().count() == 3
    assert found_by.values("element").distinct().count() == 6
    assert found_by.values("source").distinct().count() == 4
    assert HazardCheck.objects.count() == 13
    # and work still open later in June, for the queue and the map
    assert Hazard.objects.exclude(status=HazardStatus.VERIFIED).count() == 2
    # row 7: every key vehicle cleared, with its evidence
    assert not KeyVehicle.objects.exclude(status=KeyVehicleStatus.CLEARED).exists()
    numerator, denominator = figure("hazards.key_vehicle_clearance_rate", "2022-W26")
    assert numerator == denominator == KeyVehicle.objects.count() > 0
    # row 8: 15 signals, 18 signs and poles, 6 school fronts, 260 parking bays
    assert figure("hazards.facility_works.signal")[0] == Decimal(15)
    assert figure("hazards.facility_works.sign_pole")[0] == Decimal(18)
    assert figure("hazards.facility_works.school_front")[0] == Decimal(6)
    assert figure("hazards.facility_works.parking_bay")[0] == Decimal(260)
    assert FacilityWork.objects.aggregate(total=Sum("quantity"))["total"] == 299


def test_second_run_writes_nothing(settings):
    settings.DEMO_PASSWORD = "demo-pass-1"
    context = _context()
    demo.seed(context)
    counts = (
        Hazard.objects.count(),
        Hazard.history.count(),
        KeyVehicle.history.count(),
        FacilityWork.history.count(),
        HazardCheck.objects.count(),
    )
    demo.seed(_context())
    assert counts == (
        Hazard.objects.count(),
        Hazard.history.count(),
        KeyVehicle.history.count(),
        FacilityWork.history.count(),
        HazardCheck.objects.count(),
    )
