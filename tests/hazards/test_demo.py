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
    half_year = Hazard.objects.filter(found_at__date__lte=dt.date(2022, 6, 30))
    assert half_year.exclude(status=HazardStatus.VERIFIED).count() == 2
    # (and, outside the half year, the two hazards that need someone today: demo.seed_due_now)
    assert (
        Hazard.objects.filter(description__in=[demo.OVERDUE_NOW, demo.AWAITING_CHECK_NOW]).count()
        == 2
    )
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


def test_every_demo_hazard_lies_in_liaocheng_on_its_road(settings):
    """The report is Liaocheng's: the demo's points and the map's default centre are
    there, not in Chongqing, and the key vehicles carry Liaocheng's plates (鲁P)."""
    from brigade.duty.demo.places import LIAOCHENG_BOX, ROADS, in_liaocheng

    settings.DEMO_PASSWORD = "demo-pass-1"
    context = _context()
    brigade_demo.seed_users(context)
    demo.seed(context)
    # the report's fifteen, then the two that need someone today (demo.seed_due_now)
    hazards = list(Hazard.objects.all())
    assert len(hazards) == 15 + 2
    assert all(h.latitude is not None and h.longitude is not None for h in hazards)
    for hazard in hazards:
        assert in_liaocheng(hazard.latitude, hazard.longitude), (hazard.road, hazard.latitude)
        # on its road's stretch (a box around its two ends)
        (lat1, lng1), (lat2, lng2) = ROADS[hazard.road]
        assert min(lat1, lat2) - 1e-6 <= float(hazard.latitude) <= max(lat1, lat2) + 1e-6
        assert min(lng1, lng2) - 1e-6 <= float(hazard.longitude) <= max(lng1, lng2) + 1e-6
    south, west, north, east = LIAOCHENG_BOX
    assert 36.3 < south < north < 36.6 and 115.8 < west < east < 116.2  # Liaocheng, not 29.5 N
    assert in_liaocheng(*settings.MAP_CENTER)
    from django.conf import settings as defaults  # the value without environment

    assert abs(defaults.MAP_CENTER[0] - 36.45) < 0.05
    assert abs(defaults.MAP_CENTER[1] - 115.98) < 0.05
    plates = list(KeyVehicle.objects.values_list("plate", flat=True))
    assert len(plates) == 10 and all(plate.startswith("鲁P") for plate in plates)


def test_a_second_run_moves_old_demo_points_to_liaocheng(settings):
    settings.DEMO_PASSWORD = "demo-pass-1"
    context = _context()
    brigade_demo.seed_users(context)
    demo.seed(context)
    # a database seeded before the move: the report's hazards in Chongqing
    Hazard.objects.filter(found_at__date__lte=dt.date(2022, 6, 30)).update(
        latitude=Decimal("29.5712"), longitude=Decimal("106.5421")
    )
    demo.seed(context)
    assert Hazard.objects.count() == 15 + 2  # the report's, and the two due today
    assert not Hazard.objects.filter(latitude__lt=36).exists()
