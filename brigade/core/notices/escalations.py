"""Escalation (督办): an item overdue by ``NOTICE_ESCALATE_HOURS`` working hours (``hours``)
goes to its unit's commanders (level 1), then to the brigade's (level 2), with the item's
recent history. The escalation is recorded on the record: it is the ``Notice`` rows of kind
escalation for that item (``for_item``).

Escalations are not muted: supervision is not a reminder its reader may silence.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from brigade.core.notices import items
from brigade.core.notices.hours import hours_overdue
from brigade.core.notices.models import Notice, NoticeAction, NoticeKind
from brigade.core.notices.send import NoticeSpec, create_notices, new_only

HISTORY_LINES = 5


def thresholds() -> tuple[float, ...]:
    """Working hours overdue before each level (``"8,24"`` → level 1 at 8, level 2 at 24)."""
    raw = str(getattr(settings, "NOTICE_ESCALATE_HOURS", "8,24"))
    return tuple(float(p) for p in raw.replace(" ", "").split(",") if p)


def level_at(hours: float, limits: Sequence[float] | None = None) -> int:
    """The escalation level an item overdue by ``hours`` working hours has reached."""
    limits = thresholds() if limits is None else limits
    return sum(1 for limit in limits if hours >= limit)


def escalation_key(d: items.Due, level: int) -> str:
    return (
        f"escalation:{d.source.model_label}:{d.item_id}:{d.source.action}:"
        f"{d.due.isoformat()}:level{level}"
    )


def due_escalations(now: dt.datetime) -> list[tuple[items.Due, int, list[int]]]:
    """Each overdue item, level and its recipients at ``now``: every level reached so far
    (an item found late gets level 1 and 2 at once). A fixed number of queries."""
    day = timezone.localtime(now).date()
    limits = thresholds()
    overdue = [d for d in items.due_items(day, horizon=day) if d.overdue]
    if not overdue or not limits:
        return []
    level_of: dict[dt.date, int] = {}
    for d in overdue:
        if d.due not in level_of:
            level_of[d.due] = level_at(hours_overdue(d.due, now), limits)
    desk = items.Desk.load(day)
    out: list[tuple[items.Due, int, list[int]]] = []
    for d in overdue:
        for level in range(1, min(level_of[d.due], 2) + 1):
            users = desk.unit_commanders(d.unit_id) if level == 1 else desk.brigade_commanders_now()
            if users:
                out.append((d, level, users))
    return out


def _verb(history_type: str) -> str:
    return {"+": _("created"), "~": _("changed"), "-": _("deleted")}.get(history_type, "?")


def histories(found: Sequence[items.Due]) -> dict[tuple[str, int], list[str]]:
    """The last few history lines (who did what when) of each item, newest first: one
    query per model, from its django-simple-history table."""
    ids_by_model: dict[str, set[int]] = defaultdict(set)
    for d in found:
        ids_by_model[d.source.model].add(d.item_id)
    lines: dict[tuple[str, int], list[str]] = defaultdict(list)
    for model_name, ids in ids_by_model.items():
        model = apps.get_model(model_name)
        history = getattr(model, "history", None)
        if history is None:
            continue
        fields = ["id", "history_type", "history_date", "history_user__username"]
        has_status = any(f.name == "status" for f in model._meta.get_fields())
        if has_status:
            fields.append("status")
        label = model_name.lower()
        rows: QuerySet[Any, dict[str, Any]] = (
            history.filter(id__in=ids).order_by("id", "-history_date").values(*fields)
        )
        for row in rows:
            kept = lines[(label, row["id"])]
            if len(kept) >= HISTORY_LINES:
                continue
            at = timezone.localtime(row["history_date"]).strftime("%Y-%m-%d %H:%M")
            who = row["history_user__username"] or _("the system")
            text = f"{at} {who} {_verb(row['history_type'])}"
            if has_status and row.get("status"):
                text += f" ({row['status']})"
            kept.append(text)
    return lines


def _title(d: items.Due, level: int) -> str:
    action = NoticeAction(d.source.action).label
    if level >= 2:
        return _("Brigade supervision: %(title)s (%(action)s overdue)") % {
            "title": d.title,
            "action": action,
        }
    return _("Supervision: %(title)s (%(action)s overdue)") % {"title": d.title, "action": action}


def _body(d: items.Due, hours: float, history: list[str]) -> str:
    head = _("Due %(due)s, overdue by %(hours).1f working hours.") % {
        "due": d.due.isoformat(),
        "hours": hours,
    }
    if not history:
        return head
    return "\n".join([head, _("Recent history:"), *history])


def send_escalations(now: dt.datetime | None = None) -> list[Notice]:
    """Writes the escalations reached at ``now`` that were not written before, each with
    the item's recent history, and returns the new ones."""
    now = now or timezone.now()
    found = due_escalations(now)
    if not found:
        return []
    types = items.content_type_ids(d.source.model_label for d, _, _ in found)
    planned = [
        (
            NoticeSpec(
                user_id=user_id,
                kind=NoticeKind.ESCALATION,
                key=escalation_key(d, level),
                title=_title(d, level),
                action=d.source.action,
                item_type_id=types[d.source.model_label],
                item_id=d.item_id,
                unit_id=d.unit_id,
                due=d.due,
                level=level,
                url=d.source.url(d.item_id),
            ),
            d,
        )
        for d, level, users in found
        for user_id in users
    ]
    fresh = {(s.user_id, s.key) for s in new_only([s for s, _ in planned])}
    planned = [(s, d) for s, d in planned if (s.user_id, s.key) in fresh]
    if not planned:
        return []
    history = histories([d for _, d in planned])
    hours: dict[dt.date, float] = {}
    specs = []
    for spec, d in planned:
        if d.due not in hours:
            hours[d.due] = hours_overdue(d.due, now)
        body = _body(d, hours[d.due], history.get((d.source.model_label, d.item_id), []))
        specs.append(replace(spec, body=body))
    return create_notices(specs)


def for_item(obj: Model) -> QuerySet[Notice]:
    """The escalations recorded on a record, newest first, with their recipients: one
    query (the content type comes from Django's cache)."""
    item_type = ContentType.objects.get_for_model(obj)
    return (
        Notice.objects.filter(item_type=item_type, item_id=obj.pk, kind=NoticeKind.ESCALATION)
        .select_related("user")
        .order_by("-created_at", "level", "pk")
    )
