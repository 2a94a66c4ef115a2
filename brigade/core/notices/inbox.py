"""A person's own notices, as the bell, the notices page and the API read and change them:
their list (unread first, then newest), the unread count, marking read, muting and
choosing channels. Nobody reads or marks another person's notice: every function takes
the person and reads only their rows, so another's notice is simply not found (404)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from brigade.core.notices.models import Notice, NoticeMute, NoticePreference


def notices_of(user: Any) -> QuerySet[Notice]:
    """The person's notices, unread first, then the newest (the index on user, read_at,
    created_at serves it)."""
    unread_first = Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Notice.objects.filter(user=user)
        .select_related("item_type")
        .order_by(unread_first, "-created_at", "-pk")
    )


def unread_count(user: Any) -> int:
    """The number on the bell: one query."""
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(notice: Notice) -> Notice:
    """Mark one of the person's notices read; already read, it keeps its first time."""
    if notice.read_at is None:
        now = timezone.now()
        updated = Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=now)
        if updated:
            notice.read_at = now
        else:  # read meanwhile (another tab): keep the time that won
            notice.refresh_from_db(fields=["read_at"])
    return notice


def mark_all_read(user: Any) -> int:
    """Mark every unread notice of the person read; the number marked."""
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def preference_of(user: Any) -> NoticePreference:
    """The person's choices; without a row, the defaults (not saved)."""
    found = NoticePreference.objects.filter(user=user).first()
    return found if found is not None else NoticePreference(user=user)


def save_preference(user: Any, **choices: bool) -> NoticePreference:
    preference, _ = NoticePreference.objects.update_or_create(user=user, defaults=choices)
    return preference


@transaction.atomic
def mute_item(notice: Notice) -> NoticeMute | None:
    """Mute the record a notice is about, for its person (once: a second mute is the
    first). None when the notice is about no record."""
    if notice.item_type_id is None or notice.item_id is None:
        return None
    mute, _ = NoticeMute.objects.get_or_create(
        user_id=notice.user_id, item_type_id=notice.item_type_id, item_id=notice.item_id
    )
    return mute


@transaction.atomic
def mute_kind(notice: Notice) -> NoticeMute | None:
    """Mute the kind of work a notice asks for (every "sign" reminder), for its person.
    None when the notice asks for no action."""
    if not notice.action:
        return None
    mute, _ = NoticeMute.objects.get_or_create(
        user_id=notice.user_id, action=notice.action, item_type=None, item_id=None
    )
    return mute


def mutes_of(user: Any) -> QuerySet[NoticeMute]:
    return (
        NoticeMute.objects.filter(user=user)
        .select_related("item_type")
        .order_by("-created_at", "-pk")
    )


def unmute(mute: NoticeMute) -> None:
    mute.delete()
