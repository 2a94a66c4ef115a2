"""Test data for the incidents app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from incidents.choices import AdvancePurpose, AdvanceStatus, HandlingMode, PartyRole, Severity
from incidents.models import Accident, AccidentParty, FundAdvance, Recovery
from tests.brigade.factories import UnitFactory


class AccidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accident

    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))
    road = factory.Sequence(lambda n: f"东昌东路{n}号")
    place = "路口"
    severity = Severity.PROPERTY
    handling_mode = HandlingMode.SIMPLE
    unit = factory.SubFactory(UnitFactory)


class AccidentPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccidentParty

    accident = factory.SubFactory(AccidentFactory)
    role = PartyRole.DRIVER
    name = factory.Sequence(lambda n: f"当事人{n}")
    plate = factory.Sequence(lambda n: f"鲁P{10000 + n}")
    insurer = "人保财险"


class FundAdvanceFactory(factory.django.DjangoModelFactory):
    """A request; pass status=PAID (with paid_at) for one already paid."""

    class Meta:
        model = FundAdvance

    accident = factory.SubFactory(AccidentFactory, severity=Severity.INJURY)
    beneficiary = factory.Sequence(lambda n: f"伤者{n}")
    payee = "市人民医院"
    purpose = AdvancePurpose.RESCUE
    amount = Decimal("10000.00")
    status = AdvanceStatus.REQUESTED


class RecoveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recovery

    advance = factory.SubFactory(FundAdvanceFactory)
    payer = "肇事方"
    amount = Decimal("100.00")
    received_on = factory.LazyFunction(timezone.localdate)


def paid_advance(amount: str = "10000.00", paid_at: dt.datetime | None = None, **kwargs):
    """An advance already paid out (paid two days ago unless said)."""
    return FundAdvanceFactory(
        amount=Decimal(amount),
        status=AdvanceStatus.PAID,
        paid_at=paid_at or timezone.now() - dt.timedelta(days=2),
        **kwargs,
    )


def accident_in_cell(
    unit, cell: str, when: dt.datetime, severity: str = Severity.INJURY, **extra
) -> Accident:
    """An accident at the centre of map cell ``cell`` (its cell is set on save): what the
    black-spot tests place their accidents with."""
    import h3

    lat, lng = h3.cell_to_latlng(cell)
    return AccidentFactory(
        unit=unit,
        latitude=round(lat, 6),
        longitude=round(lng, 6),
        occurred_at=when,
        severity=severity,
        **extra,
    )
