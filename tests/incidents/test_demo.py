"""The incidents demo data: the report's rows 9-11, and a second run writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.db.models import Sum
from django.test import override_settings

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRollup
from brigade.core.kpi.weeks import parse_week
from brigade.duty import demo as brigade_demo
from incidents import demo
from incidents.choices import (
    AdvancePurpose,
    AdvanceStatus,
    HandlingMode,
    MediationOutcome,
    Severity,
)
from incidents.ledger import build_ledger
from incidents.models import Accident, FundAdvance, Recovery

pytestmark = pytest.mark.django_db


def seed_twice_counts() -> tuple[dict[str, int], dict[str, int]]:
    context = brigade_demo.DemoContext(stdout=StringIO())
    with override_settings(DEMO_PASSWORD="demo-pass-1"):
        context.units = brigade_demo.seed_units()
        context.officers = brigade_demo.seed_officers(context.units)
        brigade_demo.seed_users(context)
    demo.seed(context)
    first = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    demo.seed(context)
    second = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    return first, second


@pytest.fixture
def seeded():
    first, second = seed_twice_counts()
    return first, second


def test_demo_reproduces_rows_9_to_11_and_is_idempotent(seeded, admin_user):
    first, second = seeded
    # a second run writes nothing
    assert first == second

    half_year = Accident.objects.filter(
        occurred_at__date__range=(dt.date(2022, 1, 1), dt.date(2022, 6, 30))
    )
    months = {a.occurred_at.month for a in half_year}
    assert months == {1, 2, 3, 4, 5, 6}
    # row 9: every hit-and-run case solved
    cases = half_year.filter(hit_and_run=True)
    assert cases.count() >= 8
    assert not cases.filter(solved_at__isnull=True).exists()
    # row 10: quick settlements of minor accidents, and mediation of disputes
    assert (
        half_year.filter(handling_mode=HandlingMode.QUICK, severity=Severity.PROPERTY).count() > 100
    )
    assert half_year.filter(mediation=MediationOutcome.AGREED).exists()
    # row 11: 558,717 CNY advanced by the end of May, in several advances of both purposes
    by_may = FundAdvance.objects.filter(
        status=AdvanceStatus.PAID, paid_at__date__lte=dt.date(2022, 5, 31)
    )
    assert by_may.aggregate(total=Sum("amount"))["total"] == Decimal("558717.00")
    assert by_may.count() >= 8
    assert set(by_may.values_list("purpose", flat=True)) == {
        AdvancePurpose.RESCUE,
        AdvancePurpose.FUNERAL,
    }
    assert len(set(by_may.values_list("amount", flat=True))) == by_may.count()
    assert Recovery.objects.exists()
    for advance in FundAdvance.objects.all():
        assert advance.amount_recovered == sum(
            (r.amount for r in advance.recoveries.all()), Decimal(0)
        )
    # and the ledger and the KPI engine say the same
    ledger = build_ledger(admin_user, dt.date(2022, 1, 1), dt.date(2022, 5, 31))
    assert ledger.total_paid == Decimal("558717.00")
    engine.recompute_all()
    rollup = KpiRollup.objects.get(
        metric="incidents.fund_advanced_cny", week=parse_week("2022-W22"), scope="brigade"
    )
    assert rollup.numerator == Decimal("558717.00")
    solve = KpiRollup.objects.get(
        metric="incidents.hit_and_run_solve_rate", week=parse_week("2022-W26"), scope="brigade"
    )
    assert solve.value == 1
    assert solve.denominator == cases.count()


def test_every_demo_accident_has_a_position_in_liaocheng(seeded):
    from brigade.duty.demo.places import ROADS, in_liaocheng

    accidents = list(Accident.objects.all())
    assert accidents
    assert not [a for a in accidents if a.latitude is None or a.longitude is None]
    assert all(in_liaocheng(a.latitude, a.longitude) for a in accidents)
    assert {a.road for a in accidents} <= set(ROADS)
    # spread along the roads, not piled on one point per road
    assert len({(a.latitude, a.longitude) for a in accidents}) > len(accidents) * 0.9
    # the parties' plates are Liaocheng's
    from incidents.models import AccidentParty

    plates = [p for p in AccidentParty.objects.values_list("plate", flat=True) if p]
    assert plates and all(plate.startswith("鲁P") for plate in plates)


def test_a_second_run_gives_old_demo_accidents_their_position(seeded):
    Accident.objects.update(latitude=None, longitude=None)
    _first, _second = seed_twice_counts()
    assert not Accident.objects.filter(latitude__isnull=True).exists()
