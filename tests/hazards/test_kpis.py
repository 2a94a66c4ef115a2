"""The hazards metrics through the KPI engine, against hand counts: found, verified, the
rectification rate (year to date), overdue hazards (a stock at each week's end), on-time
rectification, key-vehicle clearance, facility works by kind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRollup
from brigade.core.kpi.weeks import parse_week
from hazards import services
from hazards.choices import FacilityKind, HazardStatus, KeyVehicleStatus
from tests.hazards.factories import FacilityWorkFactory, HazardFactory, KeyVehicleFactory

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def figure(metric: str, week: str, scope: object = "brigade") -> tuple:
    scope = scope if scope == "brigade" else str(scope.pk)  # type: ignore[attr-defined]
    row = KpiRollup.objects.filter(metric=metric, week=parse_week(week), scope=scope).first()
    if row is None:
        return (Decimal(0), None)
    return (row.numerator, row.denominator)


def verified(unit, found, deadline, rectified, closed, on_time=True):  # type: ignore[no-untyped-def]
    return HazardFactory(
        unit=unit,
        found_at=found,
        deadline=deadline,
        status=HazardStatus.VERIFIED,
        rectified_at=rectified,
        rectified_on_time=on_time,
        verified_at=closed,
        closed_at=closed,
    )


@pytest.fixture
def hazards(unit, other_unit):  # type: ignore[no-untyped-def]
    """Five hazards of 2022 and one of 2021, by hand:

    - a: unit, found 1 Mar, deadline 10 Mar, verified 20 Mar (late)
    - b: unit, found 2 Mar, deadline 15 Mar, still open
    - c: other unit, found 3 Mar, deadline 15 Mar, verified 14 Mar (on time)
    - d: unit, found 4 Mar, rejected 5 Mar (not a hazard: left out)
    - e: unit, found 20 Dec 2021, deadline 5 Jan 2022, verified 8 Mar 2022 (late)
    """
    return {
        "a": verified(
            unit,
            local(2022, 3, 1, 9),
            dt.date(2022, 3, 10),
            local(2022, 3, 18, 9),
            local(2022, 3, 20, 10),
            on_time=False,
        ),
        "b": HazardFactory(
            unit=unit,
            found_at=local(2022, 3, 2, 9),
            deadline=dt.date(2022, 3, 15),
            status=HazardStatus.RECTIFYING,
        ),
        "c": verified(
            other_unit,
            local(2022, 3, 3, 9),
            dt.date(2022, 3, 15),
            local(2022, 3, 12, 9),
            local(2022, 3, 14, 9),
        ),
        "d": HazardFactory(
            unit=unit,
            found_at=local(2022, 3, 4, 9),
            status=HazardStatus.REJECTED,
            closed_at=local(2022, 3, 5, 9),
        ),
        "e": verified(
            unit,
            local(2021, 12, 20, 9),
            dt.date(2022, 1, 5),
            local(2022, 3, 7, 9),
            local(2022, 3, 8, 9),
            on_time=False,
        ),
    }


def test_found_verified_and_rectification_rate(hazards, unit, other_unit):
    engine.recompute_all()
    # week 9 (28 Feb – 6 Mar): a, b, c found (d rejected); nothing verified yet
    assert figure("hazards.found", "2022-W09") == (3, None)
    assert figure("hazards.rectification_rate", "2022-W09") == (0, 3)
    # week 10 (7–13 Mar): e verified, but it was found in 2021: not this year's find
    assert figure("hazards.verified", "2022-W10") == (0, None)
    # week 11 (14–20 Mar): c and a verified
    assert figure("hazards.verified", "2022-W11") == (2, None)
    assert figure("hazards.rectification_rate", "2022-W11") == (2, 3)
    assert figure("hazards.rectification_rate", "2022-W11", unit) == (1, 2)
    assert figure("hazards.rectification_rate", "2022-W11", other_unit) == (1, 1)
    # 2021's week 51: e found
    assert figure("hazards.found", "2021-W51") == (1, None)


def test_overdue_is_a_stock_at_each_weeks_end(hazards, unit):
    engine.recompute_all()
    # e: overdue from 6 Jan until verified on 8 Mar
    assert figure("hazards.overdue", "2022-W01") == (1, None)
    assert figure("hazards.overdue", "2022-W09") == (1, None)
    # week 10: e closed (8 Mar); a past its deadline from 11 Mar
    assert figure("hazards.overdue", "2022-W10") == (1, None)
    # week 11: a closed on its Sunday; b past its deadline from 16 Mar; c closed in time
    assert figure("hazards.overdue", "2022-W11") == (1, None)
    assert figure("hazards.overdue", "2022-W11", unit) == (1, None)
    # and b stays overdue in the weeks after
    assert figure("hazards.overdue", "2022-W20") == (1, None)


def test_overdue_follows_a_later_verification_incrementally(hazards, commander):
    from brigade.core.kpi.weeks import current_week, week_key

    engine.recompute_all()
    b = hazards["b"]
    b.status = HazardStatus.RECTIFIED
    b.save()
    services.hazard_verify(hazard=b, by=commander)
    # only the weeks the change touched are recomputed, and they come out as a full run
    engine.recompute_dirty()
    incremental = set(
        KpiRollup.objects.filter(metric__startswith="hazards.").values_list(
            "metric", "week", "scope", "numerator", "denominator"
        )
    )
    assert figure("hazards.overdue", week_key(current_week())) == (0, None)
    assert figure("hazards.overdue", "2022-W20") == (1, None)
    engine.recompute_all()
    full = set(
        KpiRollup.objects.filter(metric__startswith="hazards.").values_list(
            "metric", "week", "scope", "numerator", "denominator"
        )
    )
    assert incremental == full


def test_on_time_rectification_rate(hazards):
    engine.recompute_all()
    # verified of this year's finds by week 11: a (late) and c (on time)
    assert figure("hazards.on_time_rectification_rate", "2022-W11") == (1, 2)


def test_key_vehicle_clearance_rate(unit, commander):
    vehicles = [KeyVehicleFactory(unit=unit, flagged_at=local(2022, 2, 7, 9)) for _ in range(3)]
    KeyVehicleFactory(
        unit=unit,
        flagged_at=local(2022, 2, 8, 9),
        status=KeyVehicleStatus.CLEARED,
        cleared_at=local(2022, 3, 9, 9),
        inspection_date=dt.date(2022, 3, 9),
    )
    KeyVehicleFactory(
        unit=unit,
        flagged_at=local(2022, 2, 9, 9),
        status=KeyVehicleStatus.CLEARED,
        cleared_at=local(2022, 3, 16, 9),
        inspection_date=dt.date(2022, 3, 16),
    )
    engine.recompute_all()
    assert figure("hazards.key_vehicle_clearance_rate", "2022-W06") == (0, 5)
    assert figure("hazards.key_vehicle_clearance_rate", "2022-W10") == (1, 5)
    assert figure("hazards.key_vehicle_clearance_rate", "2022-W11") == (2, 5)
    assert len(vehicles) == 3


def test_facility_works_by_kind(unit, other_unit):
    FacilityWorkFactory(
        unit=unit, kind=FacilityKind.SIGNAL, quantity=5, done_on=dt.date(2022, 3, 1)
    )
    FacilityWorkFactory(
        unit=other_unit, kind=FacilityKind.SIGNAL, quantity=2, done_on=dt.date(2022, 3, 9)
    )
    FacilityWorkFactory(
        unit=unit, kind=FacilityKind.PARKING_BAY, quantity=120, done_on=dt.date(2022, 3, 2)
    )
    engine.recompute_all()
    assert figure("hazards.facility_works.signal", "2022-W09") == (5, None)
    assert figure("hazards.facility_works.signal", "2022-W10") == (7, None)
    assert figure("hazards.facility_works.signal", "2022-W10", unit) == (5, None)
    assert figure("hazards.facility_works.parking_bay", "2022-W10") == (120, None)


def test_a_legacy_deadline_on_the_last_day_of_the_calendar_still_saves_and_computes(unit):
    # a row from before the date window: deadline 9999-12-31, written straight to the table
    hazard = HazardFactory(unit=unit, found_at=local(2022, 3, 1, 9))
    type(hazard).objects.filter(pk=hazard.pk).update(deadline=dt.date.max)
    hazard.refresh_from_db()
    hazard.description = "moved kerb"
    hazard.save()  # the change tracking marks its weeks: no day after 9999-12-31 to mark
    engine.recompute_all()
    assert figure("hazards.overdue", "2022-W10")[0] == 0
