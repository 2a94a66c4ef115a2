"""Services of the incidents app: accidents, hit-and-run cases, advances and recoveries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from brigade.core.errors import TransitionNotAllowed
from brigade.core.versions import version_of
from incidents import services
from incidents.choices import AdvanceStatus, HandlingMode, RecoveryWarning, Severity, SolvedHow
from incidents.models import Accident, FundAdvance, Recovery
from tests.incidents.factories import AccidentFactory, FundAdvanceFactory, paid_advance

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def test_quick_settlement_records_a_property_only_accident_with_both_parties(unit, officer):
    accident = services.quick_settlement(
        unit=unit,
        by=officer,
        road="花园路",
        parties=[
            {"plate": "鲁P12345", "insurer": "人保财险"},
            {"plate": "鲁P67890", "insurer": "平安产险"},
        ],
    )
    accident.refresh_from_db()
    assert accident.handling_mode == HandlingMode.QUICK
    assert accident.severity == Severity.PROPERTY
    assert accident.recorded_by == officer
    assert abs(accident.occurred_at - timezone.now()) < dt.timedelta(minutes=1)
    assert sorted(accident.parties.values_list("plate", flat=True)) == ["鲁P12345", "鲁P67890"]


def test_quick_settlement_needs_two_plates(unit, officer):
    with pytest.raises(ValidationError) as err:
        services.quick_settlement(
            unit=unit, by=officer, road="花园路", parties=[{"plate": "鲁P1"}, {}]
        )
    assert "parties" in err.value.message_dict
    assert Accident.objects.count() == 0


def test_injury_accident_cannot_be_settled_quickly(unit, officer):
    with pytest.raises(ValidationError) as err:
        services.accident_record(
            unit=unit,
            by=officer,
            road="兴华路",
            severity=Severity.INJURY,
            handling_mode=HandlingMode.QUICK,
        )
    assert "handling_mode" in err.value.message_dict


def test_accident_in_the_future_is_refused(unit, officer):
    with pytest.raises(ValidationError) as err:
        services.accident_record(
            unit=unit, by=officer, road="兴华路", occurred_at=timezone.now() + dt.timedelta(hours=2)
        )
    assert "occurred_at" in err.value.message_dict


def test_solve_a_hit_and_run_case(unit, officer):
    accident = AccidentFactory(unit=unit, hit_and_run=True, severity=Severity.INJURY)
    solved_at = timezone.now() - dt.timedelta(days=1)

    services.accident_solve(
        accident=accident, by=officer, solved_at=solved_at, solved_how=SolvedHow.SURVEILLANCE
    )

    accident.refresh_from_db()
    assert accident.case_state == "solved"
    assert accident.solved_at == solved_at
    assert accident.solved_by == officer
    assert accident.days_open() == 2
    assert accident.history.count() == 2  # created, solved


def test_solving_an_accident_that_is_not_a_hit_and_run_is_refused(unit, officer):
    accident = AccidentFactory(unit=unit, hit_and_run=False)
    with pytest.raises(TransitionNotAllowed) as err:
        services.accident_solve(accident=accident, by=officer, solved_how=SolvedHow.WITNESS)
    assert err.value.state == "not_hit_and_run"
    assert Accident.objects.get(pk=accident.pk).solved_at is None


def test_a_solved_case_cannot_be_solved_again(unit, officer):
    accident = AccidentFactory(unit=unit, hit_and_run=True)
    services.accident_solve(accident=accident, by=officer, solved_how=SolvedHow.WITNESS)
    with pytest.raises(TransitionNotAllowed) as err:
        services.accident_solve(accident=accident, by=officer, solved_how=SolvedHow.OTHER)
    assert err.value.state == "solved"


def test_open_cases_are_listed_oldest_first(unit):
    now = timezone.now()
    young = AccidentFactory(unit=unit, hit_and_run=True, occurred_at=now - dt.timedelta(days=2))
    old = AccidentFactory(unit=unit, hit_and_run=True, occurred_at=now - dt.timedelta(days=20))
    AccidentFactory(unit=unit, hit_and_run=True, solved_at=now, occurred_at=now - dt.timedelta(1))
    AccidentFactory(unit=unit, hit_and_run=False)
    assert list(Accident.objects.open_cases()) == [old, young]
    assert old.days_open() == 20


# --- the fund -----------------------------------------------------------------------------


def test_an_advance_goes_requested_approved_paid(unit, officer, commander):
    accident = AccidentFactory(unit=unit, severity=Severity.INJURY)
    advance = services.advance_request(
        accident=accident,
        by=officer,
        beneficiary="张三",
        payee="市人民医院",
        purpose="rescue",
        amount="12345.67",
    )
    assert advance.status == AdvanceStatus.REQUESTED
    assert advance.outstanding == Decimal("0.00")  # nothing paid yet

    services.advance_approve(advance=advance, by=commander, version=version_of(advance))
    due = timezone.localdate() + dt.timedelta(days=90)
    services.advance_pay(advance=advance, by=commander, recovery_due=due)

    advance.refresh_from_db()
    assert advance.status == AdvanceStatus.PAID
    assert advance.approved_by == commander
    assert advance.paid_amount == Decimal("12345.67")
    assert advance.outstanding == Decimal("12345.67")
    assert advance.recovery_due == due
    assert advance.history.count() == 3


@pytest.mark.parametrize("amount", ["0", "-5", "10.001", "abc", "NaN"])
def test_an_advance_amount_must_be_positive_yuan_and_fen(unit, officer, amount):
    with pytest.raises(ValidationError) as err:
        services.advance_request(
            accident=AccidentFactory(unit=unit),
            by=officer,
            beneficiary="张三",
            payee="医院",
            purpose="rescue",
            amount=amount,
        )
    assert "amount" in err.value.message_dict
    assert FundAdvance.objects.count() == 0


def test_nobody_approves_their_own_request(unit, commander):
    advance = FundAdvanceFactory(accident__unit=unit, requested_by=commander)
    with pytest.raises(PermissionDenied, match="须由其他领导审批"):
        services.advance_approve(advance=advance, by=commander, version=version_of(advance))
    assert FundAdvance.objects.get(pk=advance.pk).status == AdvanceStatus.REQUESTED


def test_an_unapproved_advance_cannot_be_paid(unit, commander):
    advance = FundAdvanceFactory(accident__unit=unit)
    with pytest.raises(TransitionNotAllowed) as err:
        services.advance_pay(advance=advance, by=commander)
    assert err.value.state == AdvanceStatus.REQUESTED
    assert FundAdvance.objects.get(pk=advance.pk).paid_at is None


def test_a_rejected_advance_cannot_be_approved_or_paid(unit, officer, commander):
    advance = FundAdvanceFactory(accident__unit=unit, requested_by=officer)
    services.advance_reject(advance=advance, by=commander, reason="不符合垫付条件")
    with pytest.raises(TransitionNotAllowed) as err:
        services.advance_approve(advance=advance, by=commander, version=version_of(advance))
    assert err.value.state == AdvanceStatus.REJECTED
    with pytest.raises(TransitionNotAllowed):
        services.advance_pay(advance=advance, by=commander)


def test_an_approved_request_keeps_its_amount(unit, clerk):
    advance = FundAdvanceFactory(accident__unit=unit, status=AdvanceStatus.APPROVED)
    with pytest.raises(TransitionNotAllowed):
        services.advance_update(advance=advance, by=clerk, amount="99999.00")
    services.advance_update(advance=advance, by=clerk, notes="补充材料")
    advance.refresh_from_db()
    assert advance.amount == Decimal("10000.00")
    assert advance.notes == "补充材料"


def test_recoveries_add_up_and_never_pass_the_amount_paid(unit, clerk):
    advance = paid_advance("1000.00", accident__unit=unit)

    services.recovery_record(advance=advance, by=clerk, payer="肇事方", amount="600.00")
    services.recovery_record(advance=advance, by=clerk, payer="保险公司", amount="399.99")
    with pytest.raises(ValidationError) as err:
        services.recovery_record(advance=advance, by=clerk, payer="肇事方", amount="0.02")

    assert "¥0.01" in err.value.message_dict["amount"][0]
    advance.refresh_from_db()
    assert advance.amount_recovered == Decimal("999.99")
    assert advance.outstanding == Decimal("0.01")
    assert Recovery.objects.filter(advance=advance).count() == 2


def test_recovery_of_an_unpaid_advance_is_refused(unit, clerk):
    advance = FundAdvanceFactory(accident__unit=unit, status=AdvanceStatus.APPROVED)
    with pytest.raises(TransitionNotAllowed) as err:
        services.recovery_record(advance=advance, by=clerk, payer="x", amount="1")
    assert err.value.state == AdvanceStatus.APPROVED
    assert Recovery.objects.count() == 0


def test_recovery_before_the_payment_is_refused(unit, clerk):
    advance = paid_advance("1000.00", accident__unit=unit)
    with pytest.raises(ValidationError) as err:
        services.recovery_record(
            advance=advance,
            by=clerk,
            payer="x",
            amount="1",
            received_on=timezone.localdate() - dt.timedelta(days=30),
        )
    assert "received_on" in err.value.message_dict


def test_recovery_deadline_warnings():
    today = dt.date(2022, 6, 1)
    advance = FundAdvance(
        amount=Decimal("100.00"), status=AdvanceStatus.PAID, recovery_due=dt.date(2022, 6, 10)
    )
    assert advance.recovery_warning(today) == RecoveryWarning.DUE_SOON
    assert advance.recovery_warning(dt.date(2022, 6, 11)) == RecoveryWarning.OVERDUE
    assert advance.recovery_warning(dt.date(2022, 5, 1)) == RecoveryWarning.NONE
    advance.amount_recovered = Decimal("100.00")  # all recovered: nothing to warn about
    assert advance.recovery_warning(dt.date(2022, 6, 11)) == RecoveryWarning.NONE


def test_warnings_queryset_lists_only_advances_with_a_balance_near_or_past_due(unit):
    today = timezone.localdate()
    overdue = paid_advance(accident__unit=unit, recovery_due=today - dt.timedelta(days=1))
    soon = paid_advance(accident__unit=unit, recovery_due=today + dt.timedelta(days=3))
    paid_advance(accident__unit=unit, recovery_due=today + dt.timedelta(days=60))
    paid_advance(
        "50.00",
        accident__unit=unit,
        recovery_due=today - dt.timedelta(days=1),
        amount_recovered=Decimal("50.00"),
    )
    assert set(FundAdvance.objects.recovery_warnings(today)) == {overdue, soon}


def test_recovering_the_whole_amount_in_fen_parts_leaves_exactly_nothing(unit, clerk):
    # 0.10 + 0.20 is not 0.30 in floating point: the books are kept in Decimal
    advance = paid_advance("0.30", accident__unit=unit)
    services.recovery_record(advance=advance, by=clerk, payer="肇事方", amount="0.10")
    services.recovery_record(advance=advance, by=clerk, payer="保险公司", amount="0.20")
    advance.refresh_from_db()
    assert advance.amount_recovered == Decimal("0.30")
    assert advance.outstanding == Decimal("0.00")
