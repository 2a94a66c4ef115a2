"""The relief fund's due items: advances awaiting a commander's approval (due the day they
are requested: rescue money does not wait), and recoveries (追偿) whose deadline is past or
within the fund's warning days (``RECOVERY_WARNING_DAYS``), for the unit's clerks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    CharField,
    F,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brigade.core.notices.models import NoticeAction
from brigade.core.notices.registry import Source, due_rows, notice_sources
from brigade.core.roles import COMMAND_CHAIN


def _title() -> Concat:
    return Concat(
        Value(gettext("Fund advance") + " "),
        F("beneficiary"),
        Value(" #"),
        Cast("pk", CharField()),
        output_field=CharField(),
    )


def to_approve(day: dt.date, until: dt.date) -> QuerySet[Any, dict[str, Any]]:
    """Advances awaiting approval, due the (local) day they were requested: one query."""
    from incidents.models import FundAdvance

    return due_rows(
        FundAdvance.objects.awaiting_approval()
        .annotate(requested_on=TruncDate("created_at"))
        .filter(requested_on__lte=until),
        day,
        due="requested_on",
        unit="accident__unit",
        title=_title(),
    )


def to_recover(day: dt.date, until: dt.date) -> QuerySet[Any, dict[str, Any]]:
    """Paid advances with a balance whose recovery deadline is past or near (by ``until``
    or within the warning days of ``day``, whichever is later): one query."""
    from incidents.models import FundAdvance
    from incidents.querysets import RECOVERY_WARNING_DAYS

    horizon = max(until, day + dt.timedelta(days=RECOVERY_WARNING_DAYS))
    return due_rows(
        FundAdvance.objects.with_balance().filter(
            recovery_due__isnull=False, recovery_due__lte=horizon
        ),
        day,
        due="recovery_due",
        unit="accident__unit",
        title=_title(),
    )


def register_notices() -> None:
    notice_sources.register(
        Source(
            action=NoticeAction.APPROVE,
            label=_("Fund advances to approve"),
            model="incidents.FundAdvance",
            query=to_approve,
            url_name="incidents:fundadvance_detail",
            desk=COMMAND_CHAIN,
        ),
        Source(
            action=NoticeAction.RECOVER,
            label=_("Fund recoveries due"),
            model="incidents.FundAdvance",
            query=to_recover,
            url_name="incidents:fundadvance_detail",
        ),
    )
