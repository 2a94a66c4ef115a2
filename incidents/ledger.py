"""The relief-fund ledger for a period: a read model of its own (several tables, one
period), kept out of the querysets because it is a report, not a list of one model.

Rows are the advances paid in the period; each shows the amount paid, what has been
recovered of it by the period's last day, and what is outstanding then. A second part lists
the recoveries received in the period (of any advance). Every total is the sum of the rows
it stands under, in Decimal, to the cent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from incidents.models import FundAdvance, Recovery
from incidents.querysets import MONEY, ZERO, FundAdvanceQuerySet


@dataclass
class Ledger:
    first: dt.date
    last: dt.date
    advances: list[FundAdvance] = field(default_factory=list)
    recoveries: list[Recovery] = field(default_factory=list)

    @property
    def total_paid(self) -> Decimal:
        return sum((a.amount for a in self.advances), ZERO)

    @property
    def total_recovered(self) -> Decimal:
        """Recovered by the period's end, of the advances paid in it."""
        return sum((a.recovered_by_end for a in self.advances), ZERO)  # type: ignore[attr-defined]

    @property
    def total_outstanding(self) -> Decimal:
        return sum((a.outstanding_at_end for a in self.advances), ZERO)  # type: ignore[attr-defined]

    @property
    def total_received(self) -> Decimal:
        """Recoveries received in the period, of any advance."""
        return sum((r.amount for r in self.recoveries), ZERO)

    def totals(self) -> dict[str, Decimal]:
        return {
            "paid": self.total_paid,
            "recovered": self.total_recovered,
            "outstanding": self.total_outstanding,
            "received_in_period": self.total_received,
        }


def ledger_advances(
    advances: FundAdvanceQuerySet, first: dt.date, last: dt.date
) -> FundAdvanceQuerySet:
    """Advances paid in [first, last], annotated with what was recovered by ``last``."""
    recovered = (
        Recovery.objects.filter(advance=OuterRef("pk"), received_on__lte=last)
        .order_by()
        .values("advance")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        advances.paid_between(first, last)
        .select_related("accident", "accident__unit")
        .annotate(recovered_by_end=Coalesce(Subquery(recovered, output_field=MONEY), Value(ZERO)))
        .order_by("paid_at", "pk")
    )


def build_ledger(user: object, first: dt.date, last: dt.date) -> Ledger:
    """The ledger of the advances and recoveries ``user`` may see (two queries)."""
    rows = list(ledger_advances(FundAdvance.objects.visible_to(user), first, last))
    for row in rows:
        row.recovered_by_end = Decimal(row.recovered_by_end).quantize(Decimal("0.01"))
        row.outstanding_at_end = row.amount - row.recovered_by_end
    # Only what a recovery row shows (and its advance's name): building thousands of
    # full advance, accident and unit instances took most of a large ledger's time.
    recoveries = list(
        Recovery.objects.visible_to(user)
        .filter(received_on__gte=first, received_on__lte=last)
        .select_related("advance")
        .only(
            "payer",
            "amount",
            "received_on",
            "advance__beneficiary",
            "advance__purpose",
            "advance__amount",
        )
        .order_by("received_on", "pk")
    )
    return Ledger(first=first, last=last, advances=rows, recoveries=recoveries)
