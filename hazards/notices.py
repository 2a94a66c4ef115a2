"""The hazards' due items: rectifications due by their deadline, and rectifications
awaiting a commander's check.

A hazard is assigned to a responsible party by name (often outside the brigade: a road
company, a school), not to a login, so its unit's commanders hold the rectification; a
check is a commander's, due the day the rectification is recorded.
"""

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
from hazards.choices import HazardStatus

# a rectification is under way once the hazard has a responsible party and a deadline
RECTIFYING = (HazardStatus.ASSIGNED, HazardStatus.RECTIFYING)


def _title() -> Concat:
    return Concat(
        Value(gettext("Hazard") + " "),
        F("road"),
        Value(" #"),
        Cast("pk", CharField()),
        output_field=CharField(),
    )


def to_rectify(day: dt.date, until: dt.date) -> QuerySet[Any, dict[str, Any]]:
    """Hazards being rectified whose deadline is by ``until``: one query."""
    from hazards.models import Hazard

    return due_rows(
        Hazard.objects.filter(status__in=RECTIFYING, deadline__lte=until),
        day,
        due="deadline",
        title=_title(),
    )


def to_verify(day: dt.date, until: dt.date) -> QuerySet[Any, dict[str, Any]]:
    """Rectified hazards awaiting a commander's check, due the (local) day the
    rectification was recorded: one query."""
    from hazards.models import Hazard

    return due_rows(
        Hazard.objects.filter(status=HazardStatus.RECTIFIED, rectified_at__isnull=False)
        .annotate(checked_by=TruncDate("rectified_at"))
        .filter(checked_by__lte=until),
        day,
        due="checked_by",
        title=_title(),
    )


def register_notices() -> None:
    notice_sources.register(
        Source(
            action=NoticeAction.RECTIFY,
            label=_("Hazards to rectify"),
            model="hazards.Hazard",
            query=to_rectify,
            url_name="hazards:hazard_detail",
            desk=COMMAND_CHAIN,
        ),
        Source(
            action=NoticeAction.VERIFY,
            label=_("Rectifications to check"),
            model="hazards.Hazard",
            query=to_verify,
            url_name="hazards:hazard_detail",
            desk=COMMAND_CHAIN,
        ),
    )
