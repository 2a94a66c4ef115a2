"""The fund's arithmetic: for any sequence of advances and recoveries (some refused),
paid − recovered = outstanding ≥ 0 on every advance, and the ledger's totals are the sums
of its rows to the cent; and two recoveries at once never pass the amount paid."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brigade.core.errors import TransitionNotAllowed
from brigade.core.versions import version_of
from incidents import services
from incidents.choices import AdvanceStatus
from incidents.ledger import build_ledger
from incidents.models import FundAdvance, Recovery
from tests.incidents.factories import AccidentFactory, paid_advance

EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIRST_DAY = dt.date(2022, 1, 3)

cents = st.integers(min_value=1, max_value=50_000_000).map(lambda c: Decimal(c) / 100)
step = st.one_of(
    st.tuples(st.just("advance"), cents, st.integers(0, 60), st.booleans()),
    st.tuples(st.just("recover"), cents, st.integers(0, 9), st.integers(0, 30)),
)


def _at(day_offset: int) -> dt.datetime:
    day = FIRST_DAY + dt.timedelta(days=day_offset)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.mark.django_db
@EXAMPLES
@given(steps=st.lists(step, max_size=25), period=st.tuples(st.integers(0, 90), st.integers(0, 90)))
def test_any_sequence_keeps_the_books_balanced(commander, clerk, officer, unit, steps, period):
    Recovery.objects.all().delete()
    FundAdvance.objects.all().delete()
    accident = AccidentFactory(unit=unit, occurred_at=_at(-10))
    advances: list[FundAdvance] = []
    for kind, amount, a, b in steps:
        if kind == "advance":
            advance = services.advance_request(
                accident=accident,
                by=officer,
                beneficiary="x",
                payee="y",
                purpose="rescue",
                amount=amount,
            )
            if b:  # approved and paid; else left as a request
                services.advance_approve(advance=advance, by=commander, version=version_of(advance))
                services.advance_pay(advance=advance, by=clerk, paid_at=_at(a))
            advances.append(advance)
        elif advances:
            advance = advances[a % len(advances)]
            advance.refresh_from_db()
            received = (advance.paid_at and timezone.localdate(advance.paid_at)) or FIRST_DAY
            # more than outstanding, or not paid: refused, nothing written
            with contextlib.suppress(ValidationError, TransitionNotAllowed):
                services.recovery_record(
                    advance=advance,
                    by=clerk,
                    payer="p",
                    amount=amount,
                    received_on=received + dt.timedelta(days=b),
                )

    for advance in FundAdvance.objects.all():
        recovered = sum((r.amount for r in advance.recoveries.all()), Decimal("0.00"))
        assert advance.amount_recovered == recovered
        assert advance.paid_amount - advance.amount_recovered == advance.outstanding
        assert advance.outstanding >= 0
        if advance.status != AdvanceStatus.PAID:
            assert recovered == 0

    first = FIRST_DAY + dt.timedelta(days=min(period))
    last = FIRST_DAY + dt.timedelta(days=max(period))
    ledger = build_ledger(commander, first, last)
    paid_in_period = [
        a
        for a in FundAdvance.objects.filter(status=AdvanceStatus.PAID)
        if first <= timezone.localdate(a.paid_at) <= last
    ]
    assert ledger.total_paid == sum((a.amount for a in paid_in_period), Decimal("0.00"))
    assert ledger.total_paid == sum((row.amount for row in ledger.advances), Decimal("0.00"))
    assert ledger.total_recovered == sum(
        (row.recovered_by_end for row in ledger.advances), Decimal("0.00")
    )
    assert ledger.total_outstanding == ledger.total_paid - ledger.total_recovered
    for row in ledger.advances:
        by_end = sum(
            (r.amount for r in row.recoveries.all() if r.received_on <= last), Decimal("0.00")
        )
        assert row.recovered_by_end == by_end
        assert row.outstanding_at_end == row.amount - by_end >= 0
    assert ledger.total_received == sum(
        (r.amount for r in Recovery.objects.filter(received_on__range=(first, last))),
        Decimal("0.00"),
    )


def _race(advance_pk: int, amounts: list[str], user) -> list[str]:  # type: ignore[no-untyped-def]
    """Each amount recovered from its own thread (own connection), all at once."""
    outcomes: list[str] = []
    barrier = threading.Barrier(len(amounts))

    def recover(amount: str) -> None:
        try:
            advance = FundAdvance.objects.get(pk=advance_pk)
            barrier.wait()
            services.recovery_record(advance=advance, by=user, payer="p", amount=amount)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        except Exception as exc:  # SQLite answers a second writer with "database is locked"
            outcomes.append(f"error: {exc}")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=recover, args=(a,)) for a in amounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_recoveries_cannot_pass_the_amount_paid(unit, clerk):
    # given an advance of 1,000 with room for one of two recoveries of 600
    advance = paid_advance("1000.00", accident__unit=unit)

    outcomes = _race(advance.pk, ["600.00", "600.00"], clerk)

    assert sorted(outcomes) == ["ok", "refused"]
    advance.refresh_from_db()
    assert advance.amount_recovered == Decimal("600.00")
    assert Recovery.objects.filter(advance=advance).count() == 1


@pytest.mark.django_db(transaction=True)
def test_sequential_recoveries_on_sqlite_refuse_the_second(unit, clerk):
    advance = paid_advance("1000.00", accident__unit=unit)
    services.recovery_record(advance=advance, by=clerk, payer="p", amount="600.00")
    with pytest.raises(ValidationError):
        services.recovery_record(advance=advance, by=clerk, payer="p", amount="600.00")
    advance.refresh_from_db()
    assert advance.amount_recovered == Decimal("600.00")
    assert Recovery.objects.count() == 1


@pytest.mark.django_db
@EXAMPLES
@given(parts=st.lists(st.integers(min_value=1, max_value=10_000_000), min_size=1, max_size=12))
def test_an_advance_recovered_in_any_parts_ends_at_exactly_zero(unit, clerk, parts):
    # given an advance of exactly the sum of the parts (in fen)
    Recovery.objects.all().delete()
    FundAdvance.objects.all().delete()
    total = Decimal(sum(parts)) / 100
    advance = paid_advance(str(total), accident__unit=unit)

    for part in parts:
        services.recovery_record(advance=advance, by=clerk, payer="p", amount=Decimal(part) / 100)

    advance.refresh_from_db()
    assert advance.amount_recovered == total
    assert advance.outstanding == Decimal("0.00")
    with pytest.raises(ValidationError):
        services.recovery_record(advance=advance, by=clerk, payer="p", amount="0.01")
