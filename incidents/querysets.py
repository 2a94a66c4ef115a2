"""Reads of the incidents app; ``visible_to(user)`` scopes every list to the user's unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from brigade.core.dates import local_tz
from brigade.core.querysets import ScopedQuerySet

ZERO = Decimal("0.00")
MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)
# How many days before the recovery deadline a warning shows.
RECOVERY_WARNING_DAYS = 14


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime | None]:
    """The start of local day ``first`` and of the day after ``last`` (None past 9999)."""
    zone = local_tz()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    if last >= dt.date.max:
        return start, None
    return start, dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


# A hit-and-run case is open until it is solved.
OPEN_CASE = Q(hit_and_run=True, solved_at__isnull=True)


class AccidentQuerySet(ScopedQuerySet):
    def hit_and_run(self) -> AccidentQuerySet:
        return self.filter(hit_and_run=True)

    def open_cases(self) -> AccidentQuerySet:
        """Hit-and-run cases not solved yet, oldest first."""
        return self.filter(OPEN_CASE).order_by("occurred_at", "pk")

    def open_case(self, is_open: bool = True) -> AccidentQuerySet:
        """Open hit-and-run cases (``is_open``), or every other accident."""
        return self.filter(OPEN_CASE) if is_open else self.exclude(OPEN_CASE)

    def unsolved(self) -> AccidentQuerySet:
        return self.filter(solved_at__isnull=True)

    def solved(self) -> AccidentQuerySet:
        return self.filter(solved_at__isnull=False)

    def for_list(self) -> AccidentQuerySet:
        return self.select_related("unit")

    def serious(self) -> AccidentQuerySet:
        """Accidents with injuries or deaths: what black spots count."""
        from incidents.choices import SERIOUS

        return self.filter(severity__in=SERIOUS)

    def occurred_between(self, first: dt.date, last: dt.date) -> AccidentQuerySet:
        """Occurred on ``first`` .. ``last`` (local days, both included), by the indexed
        time itself (a range of it, not its date)."""
        return self.occurred_in(*day_bounds(first, last))

    def occurred_in(self, start: dt.datetime, end: dt.datetime | None) -> AccidentQuerySet:
        """Occurred from ``start`` (included) to ``end`` (excluded; None: no end)."""
        rows = self.filter(occurred_at__gte=start)
        return rows if end is None else rows.filter(occurred_at__lt=end)


class AccidentPartyQuerySet(ScopedQuerySet):
    unit_path = "accident__unit_id"


class AccidentDocumentQuerySet(ScopedQuerySet):
    unit_path = "accident__unit_id"


class FundAdvanceQuerySet(ScopedQuerySet):
    unit_path = "accident__unit_id"

    def for_list(self) -> FundAdvanceQuerySet:
        return self.select_related(
            "accident", "accident__unit", "requested_by", "edited_by", "approved_by"
        )

    def awaiting_approval(self) -> FundAdvanceQuerySet:
        from incidents.choices import AdvanceStatus

        return self.filter(status=AdvanceStatus.REQUESTED)

    def with_balance(self) -> FundAdvanceQuerySet:
        """Paid advances with money still to recover."""
        from incidents.choices import AdvanceStatus

        return self.filter(status=AdvanceStatus.PAID, amount_recovered__lt=F("amount"))

    def recovery_warnings(self, today: dt.date) -> FundAdvanceQuerySet:
        """Paid advances with a balance whose recovery deadline is past or near."""
        horizon = today + dt.timedelta(days=RECOVERY_WARNING_DAYS)
        return self.with_balance().filter(recovery_due__isnull=False, recovery_due__lte=horizon)

    def paid_between(self, first: dt.date, last: dt.date) -> FundAdvanceQuerySet:
        from incidents.choices import AdvanceStatus

        return self.filter(
            status=AdvanceStatus.PAID, paid_at__date__gte=first, paid_at__date__lte=last
        )


class RecoveryQuerySet(ScopedQuerySet):
    unit_path = "advance__accident__unit_id"

    def for_list(self) -> RecoveryQuerySet:
        return self.select_related("advance", "advance__accident", "advance__accident__unit")

    def total(self) -> Decimal:
        return self.aggregate(total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY))[
            "total"
        ]


class BlackSpotQuerySet(ScopedQuerySet):
    def listed(self) -> BlackSpotQuerySet:
        """The black spots of the rolling window, ranked: most accidents first (the same
        order as the nightly ``rank``, also between two nightly runs)."""
        return self.filter(current=True).order_by(
            "-accidents", "-fatalities", "-injuries", "rank", "pk"
        )
