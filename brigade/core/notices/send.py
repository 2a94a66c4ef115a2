"""Writes notices: each person gets a notice once per reason, whatever the number of runs
or workers, because the database refuses a second row with the same (user, key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from brigade.core.fields import DOCUMENT_LENGTH
from brigade.core.notices import dispatch as dispatch_module
from brigade.core.notices.models import Notice
from brigade.core.text import clip

BATCH = 500


@dataclass(frozen=True)
class NoticeSpec:
    """A notice to write (the columns of ``Notice``; the content type by id)."""

    user_id: int
    kind: str
    key: str
    title: str
    action: str = ""
    item_type_id: int | None = None
    item_id: int | None = None
    unit_id: int | None = None
    due: dt.date | None = None
    level: int = 0
    body: str = ""
    url: str = ""

    def build(self, now: dt.datetime) -> Notice:
        return Notice(
            user_id=self.user_id,
            kind=self.kind,
            key=self.key[:200],
            title=self.title[:300],
            action=self.action,
            item_type_id=self.item_type_id,
            item_id=self.item_id,
            unit_id=self.unit_id,
            due=self.due,
            level=self.level,
            body=self.body,
            url=self.url[:500],
            created_at=now,
        )


def create_notices(specs: Iterable[NoticeSpec | Notice]) -> list[Notice]:
    """Inserts the notices that do not exist yet (same user and key: skipped) and returns
    only the new ones, which are then handed to the channels (``dispatch``).

    ``INSERT … ON CONFLICT (user_id, key) DO NOTHING RETURNING id`` (PostgreSQL and
    SQLite alike): two workers running the same beat entry at once write each notice
    once, and each learns exactly which rows it wrote (the other's insert waits for the
    first to commit, then does nothing).
    """
    now = timezone.now()
    notices = [s if isinstance(s, Notice) else s.build(now) for s in specs]
    if not notices:
        return []
    for notice in notices:  # a long history or digest: cut at the column's limit
        notice.body = clip(notice.body, DOCUMENT_LENGTH)
    ids: list[int] = []
    with transaction.atomic():
        for start in range(0, len(notices), BATCH):
            ids.extend(_insert_new(notices[start : start + BATCH]))
    created = list(Notice.objects.filter(pk__in=ids).order_by("pk")) if ids else []
    if created:
        dispatch_module.dispatch(created)
    return created


_COLUMNS = [f for f in Notice._meta.concrete_fields if not f.primary_key]


def _insert_new(batch: Sequence[Notice]) -> list[int]:
    table = connection.ops.quote_name(Notice._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in _COLUMNS)
    row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    params: list[Any] = []
    for notice in batch:
        params.extend(f.get_db_prep_save(f.pre_save(notice, True), connection) for f in _COLUMNS)
    sql = (
        f"INSERT INTO {table} ({names}) VALUES {', '.join([row] * len(batch))} "
        f"ON CONFLICT ({connection.ops.quote_name('user_id')}, "
        f"{connection.ops.quote_name('key')}) DO NOTHING RETURNING "
        f"{connection.ops.quote_name('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [r[0] for r in cursor.fetchall()]


def new_only(specs: Sequence[NoticeSpec]) -> list[NoticeSpec]:
    """The specs whose (user, key) has no notice yet: lets a caller skip costly work
    (an escalation's history) for notices that would be ignored anyway. One query per
    batch of keys."""
    keys = sorted({s.key for s in specs})
    existing: set[tuple[int, str]] = set()
    for start in range(0, len(keys), BATCH):
        existing.update(
            Notice.objects.filter(key__in=keys[start : start + BATCH]).values_list("user_id", "key")
        )
    return [s for s in specs if (s.user_id, s.key) not in existing]
