"""Notices made directly, as the reminders and escalations would leave them (``make_notice``)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from brigade.core.notices.models import Notice, NoticeAction, NoticeKind

_keys = itertools.count(1)


def make_notice(
    user: Any, *, about: Any = None, ago: dt.timedelta | None = None, **fields: Any
) -> Notice:
    """A notice for ``user`` (``about``: the record it is about), created ``ago`` before now."""
    n = next(_keys)
    values: dict[str, Any] = {
        "kind": NoticeKind.REMINDER,
        "action": NoticeAction.SIGN,
        "title": f"工单待签收 {n}",
        "key": f"test:{n}",
        "created_at": timezone.now() - (ago or dt.timedelta(0)),
    }
    if about is not None:
        values["item_type"] = ContentType.objects.get_for_model(about)
        values["item_id"] = about.pk
    values.update(fields)
    return Notice.objects.create(user=user, **values)
