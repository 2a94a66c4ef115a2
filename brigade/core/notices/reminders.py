"""Reminders before a deadline: at each lead of ``NOTICE_REMINDER_LEADS`` (working days
before the deadline; 0 is the morning of the day itself) the holder of each item is told
once. The key names the item, the action, the deadline and the lead, so a moved deadline
reminds again and a second run (or a second worker) sends nothing new.

A deadline that falls on a day off is reminded on the last working day before it (lead
0) and the lead days before that: nobody is reminded on a day off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brigade.core.calendar import is_workday
from brigade.core.notices import items
from brigade.core.notices.hours import leads, reminder_day, window_end
from brigade.core.notices.models import Notice, NoticeAction, NoticeKind, NoticePreference
from brigade.core.notices.send import NoticeSpec, create_notices


def reminder_key(row: items.ItemRow, lead: int) -> str:
    return f"reminder:{row.model}:{row.item_id}:{row.action}:{row.due.isoformat()}:lead{lead}"


def due_reminders(day: dt.date) -> list[tuple[items.ItemRow, int]]:
    """The (item, lead) pairs to remind of on ``day``: every item a lead of which falls on
    ``day``, for its holder, mutes and the preference ``reminders`` applied. Nothing on a
    day off."""
    if not is_workday(day):
        return []
    found = [
        d for d in items.due_items(day, horizon=window_end(day)) if d.due >= day and not d.overdue
    ]
    pairs: list[tuple[items.Due, int]] = []
    for d in found:
        for lead in leads():
            if reminder_day(d.due, lead) == day:
                pairs.append((d, lead))
    if not pairs:
        return []
    lead_of = {(d.source.key, d.item_id): lead for d, lead in pairs}
    rows = items.unmuted(items.resolve([d for d, _ in pairs], day))
    users = {r.user_id for r in rows}
    silent = set(
        NoticePreference.objects.filter(user_id__in=users, reminders=False).values_list(
            "user_id", flat=True
        )
    )
    return [(r, lead_of[(r.source_key, r.item_id)]) for r in rows if r.user_id not in silent]


def specs(pairs: Sequence[tuple[items.ItemRow, int]]) -> list[NoticeSpec]:
    types = items.content_type_ids(r.model for r, _ in pairs)
    return [
        NoticeSpec(
            user_id=r.user_id,
            kind=NoticeKind.REMINDER,
            key=reminder_key(r, lead),
            title=r.title,
            body=_body(r, lead),
            action=r.action,
            item_type_id=types[r.model],
            item_id=r.item_id,
            unit_id=r.unit_id,
            due=r.due,
            url=r.url,
        )
        for r, lead in pairs
    ]


def _body(row: items.ItemRow, lead: int) -> str:
    action = NoticeAction(row.action).label if row.action in NoticeAction.values else row.action
    if lead == 0:
        return _("%(action)s: due today (%(due)s).") % {"action": action, "due": row.due}
    return ngettext(
        "%(action)s: due in %(lead)d working day (%(due)s).",
        "%(action)s: due in %(lead)d working days (%(due)s).",
        lead,
    ) % {"action": action, "lead": lead, "due": row.due}


def reminders_open(now: dt.datetime) -> bool:
    """Whether the day's reminders may go out at ``now``: a working day, from the digest's
    hour on."""
    local = timezone.localtime(now)
    start = dt.time(settings.NOTICE_DIGEST_HOUR, settings.NOTICE_DIGEST_MINUTE)
    return is_workday(local.date()) and local.time() >= start


def send_reminders(now: dt.datetime | None = None) -> list[Notice]:
    """Writes the reminders due today (from the digest's hour on a working day) and
    returns the new ones; a second run writes nothing."""
    now = now or timezone.now()
    if not reminders_open(now):
        return []
    return create_notices(specs(due_reminders(timezone.localtime(now).date())))
