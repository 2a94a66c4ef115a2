"""The incidents metrics through the KPI engine, against counts made by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRollup
from brigade.core.kpi.weeks import parse_week
from incidents.choices import AdvanceStatus, HandlingMode, Severity
from tests.incidents.factories import AccidentFactory, FundAdvanceFactory, RecoveryFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def figure(metric: str, week: str, scope: object = "brigade") -> KpiRollup | None:
    scope = scope if scope == "brigade" else str(scope.pk)  # type: ignore[attr-defined]
    return KpiRollup.objects.filter(metric=metric, week=parse_week(week), scope=scope).first()


def test_accidents_by_severity_and_handling_and_the_quick_settlement_share(unit, other_unit):
    # given: four property-only accidents (three settled quickly), an injury, a fatal one
    for day, mode in ((3, "quick"), (4, "quick"), (5, "simple"), (6, "quick")):
        AccidentFactory(unit=unit, occurred_at=local(2022, 3, day, 9), handling_mode=mode)
    AccidentFactory(
        unit=unit,
        occurred_at=local(2022, 3, 8, 9),
        severity=Severity.INJURY,
        handling_mode=HandlingMode.GENERAL,
    )
    AccidentFactory(
        unit=other_unit,
        occurred_at=local(2022, 3, 9, 9),
        severity=Severity.FATAL,
        handling_mode=HandlingMode.GENERAL,
    )
    AccidentFactory(unit=unit, occurred_at=local(2021, 12, 1, 9), handling_mode="quick")  # 2021

    engine.recompute_all()

    week = "2022-W10"  # 7-13 March
    assert figure("incidents.accidents", week).numerator == 6
    assert figure("incidents.accidents_by_severity.property", week).numerator == 4
    assert figure("incidents.accidents_by_severity.fatal", week, other_unit).numerator == 1
    assert figure("incidents.accidents_by_handling.quick", week).numerator == 3
    assert figure("incidents.accidents_by_handling.general", week, unit).numerator == 1
    share = figure("incidents.quick_settlement_share", week)
    assert (share.numerator, share.denominator) == (3, 4)
    assert share.value == Decimal("0.75")


def test_hit_and_run_solve_rate_credits_the_year_of_the_accident():
    # given: three cases in 2022, two solved (one only in 2023), one case of 2021 solved in 2022
    AccidentFactory(
        hit_and_run=True, occurred_at=local(2022, 1, 5, 22), solved_at=local(2022, 1, 9, 10)
    )
    AccidentFactory(
        hit_and_run=True, occurred_at=local(2022, 2, 1, 22), solved_at=local(2023, 1, 4, 10)
    )
    AccidentFactory(hit_and_run=True, occurred_at=local(2022, 2, 10, 22))
    AccidentFactory(
        hit_and_run=True, occurred_at=local(2021, 12, 20, 22), solved_at=local(2022, 1, 6, 9)
    )

    engine.recompute_all()

    # then: mid-2022 one of three 2022 cases is solved; the 2021 case counts for 2021 only
    rate = figure("incidents.hit_and_run_solve_rate", "2022-W24")
    assert (rate.numerator, rate.denominator) == (1, 3)
    assert figure("incidents.hit_and_run_cases", "2022-W24").numerator == 3
    end_2021 = figure("incidents.hit_and_run_solve_rate", "2021-W51")
    assert (end_2021.numerator, end_2021.denominator) == (0, 1)


def test_fund_advanced_recovered_and_their_ratio_to_the_cent(unit):
    paid = [
        FundAdvanceFactory(
            accident__unit=unit,
            amount=Decimal(amount),
            status=AdvanceStatus.PAID,
            paid_at=local(2022, 5, day, 10),
        )
        for amount, day in (("100000.10", 3), ("58717.00", 10), ("400000.00", 31))
    ]
    FundAdvanceFactory(accident__unit=unit, amount=Decimal("9999.00"))  # a request only
    FundAdvanceFactory(
        accident__unit=unit,
        amount=Decimal("5.00"),
        status=AdvanceStatus.PAID,
        paid_at=local(2022, 6, 20, 10),
    )
    RecoveryFactory(advance=paid[0], amount=Decimal("55871.71"), received_on=dt.date(2022, 5, 20))

    engine.recompute_all()

    week = "2022-W22"  # 30 May - 5 June
    assert figure("incidents.fund_advanced_cny", week).numerator == Decimal("558717.10")
    assert figure("incidents.fund_advanced_cny", week, unit).numerator == Decimal("558717.10")
    assert figure("incidents.fund_recovered_cny", week).numerator == Decimal("55871.71")
    rate = figure("incidents.fund_recovery_rate", week)
    assert rate.denominator == Decimal("558717.10")
    assert rate.value == Decimal("0.1000")
    assert figure("incidents.fund_advanced_cny", "2022-W25").numerator == Decimal("558722.10")
