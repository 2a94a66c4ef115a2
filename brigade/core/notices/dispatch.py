"""From new notices to their deliveries: which channels each goes out on, and the tasks.

Per notice, by its person's preference (``NoticePreference``, defaults when absent):
e-mail when the project sends e-mail (``EMAIL_URL``) and the person has an address;
an escalation also goes to its unit's group robot, once per unit and reason whoever of
the unit's commanders it was addressed to. The rows are inserted with the database's
uniqueness (``delivery_once``: channel, target, key), so dispatching one notice twice
sends it once, and each new row's task is enqueued when the transaction commits.
A fixed number of queries, whatever the number of notices.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from brigade.core.notices import channels
from brigade.core.notices.models import (
    Delivery,
    DeliveryChannel,
    Notice,
    NoticeKind,
    NoticePreference,
)

logger = logging.getLogger(__name__)

# enqueued by name (brigade/core/notices/channel_tasks.py defines it)
DELIVER_TASK = "brigade.tasks.deliver_task"


@dataclass(frozen=True)
class Mail:
    """An e-mail as sent: subject (without the brigade's prefix), text and HTML."""

    subject: str
    text: str
    html: str

    def payload(self) -> dict[str, str]:
        return {"text": self.text, "html": self.html}


@dataclass(frozen=True)
class Preference:
    """A person's choices (the defaults where they made none)."""

    by_email: bool = True
    by_webhook: bool = True
    reminders: bool = True
    digest: bool = True


DEFAULT_PREFERENCE = Preference()


def preferences(user_ids: Sequence[int] | set[int]) -> dict[int, Preference]:
    """user id → their choices, defaults for those who made none (one query)."""
    found = {
        row["user_id"]: Preference(
            by_email=row["by_email"],
            by_webhook=row["by_webhook"],
            reminders=row["reminders"],
            digest=row["digest"],
        )
        for row in NoticePreference.objects.filter(user_id__in=user_ids).values(
            "user_id", "by_email", "by_webhook", "reminders", "digest"
        )
    }
    return {pk: found.get(pk, DEFAULT_PREFERENCE) for pk in user_ids}


def addresses(user_ids: Sequence[int] | set[int]) -> dict[int, str]:
    """user id → e-mail address, for the active users who have one (one query)."""
    return {
        pk: email.strip()
        for pk, email in get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    }


def absolute(url: str) -> str:
    """A link as it works from a mailbox or a chat: the site's address in front."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}/{url.lstrip('/')}"


def notice_mail(notice: Notice) -> Mail:
    """The e-mail of a reminder, an overdue item or an escalation (templates/notices/email)."""
    context = {"notice": notice, "link": absolute(notice.url), "brigade": settings.BRIGADE_NAME}
    with translation.override(settings.LANGUAGE_CODE):
        return Mail(
            subject=notice.title,
            text=render_to_string("notices/email/notice.txt", context),
            html=render_to_string("notices/email/notice.html", context),
        )


def notice_markdown(notice: Notice) -> tuple[str, str]:
    """An escalation as the unit's robot shows it: title and markdown."""
    context = {"notice": notice, "link": absolute(notice.url), "brigade": settings.BRIGADE_NAME}
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string("notices/robot/notice.md", context).strip()
    return notice.title, text


_prepared: ContextVar[Mapping[tuple[int, str], Mail] | None] = ContextVar(
    "prepared_mails", default=None
)


@contextmanager
def prepared_mails(mails: Mapping[tuple[int, str], Mail]) -> Iterator[None]:
    """Within the block, a notice whose (user id, key) is in ``mails`` is sent as that
    mail instead of the standard one: the digest brings its own, rendered with the
    person's items, through the same ``create_notices`` → ``dispatch`` path."""
    token = _prepared.set(mails)
    try:
        yield
    finally:
        _prepared.reset(token)


def dispatch(notices: Sequence[Notice]) -> list[int]:
    """Create the deliveries of new ``notices`` and enqueue one task per delivery on
    commit; returns the new deliveries' ids."""
    notices = [n for n in notices if n.pk is not None]
    if not notices:
        return []
    user_ids = {n.user_id for n in notices}
    prefs = preferences(user_ids)
    emails = addresses(user_ids) if channels.email_enabled() else {}
    escalated_units = {
        n.unit_id for n in notices if n.kind == NoticeKind.ESCALATION and n.unit_id is not None
    }
    robots = channels.units.webhooks(escalated_units)
    prepared = _prepared.get() or {}
    stamp = timezone.now()
    rows: list[Delivery] = []
    for notice in notices:
        pref = prefs[notice.user_id]
        address = emails.get(notice.user_id)
        if pref.by_email and address:
            mail = prepared.get((notice.user_id, notice.key)) or notice_mail(notice)
            rows.append(
                Delivery(
                    notice=notice,
                    unit_id=notice.unit_id,
                    channel=DeliveryChannel.EMAIL,
                    target=address,
                    key=f"notice:{notice.pk}",
                    subject=channels.subject_line(mail.subject),
                    payload=mail.payload(),
                    created_at=stamp,
                )
            )
        robot = robots.get(notice.unit_id) if notice.unit_id is not None else None
        if notice.kind == NoticeKind.ESCALATION and pref.by_webhook and robot:
            title, text = notice_markdown(notice)
            rows.append(
                Delivery(
                    notice=notice,
                    unit_id=notice.unit_id,
                    channel=DeliveryChannel.WEBHOOK,
                    target=robot,
                    # the reason, not the person: the group hears it once
                    key=f"group:{notice.key}"[:200],
                    subject=title[:300],
                    payload=channels.webhook_body(title, text),
                    created_at=stamp,
                )
            )
    return create_deliveries(rows, stamp)


def create_deliveries(rows: Sequence[Delivery], stamp: dt.datetime) -> list[int]:
    """Insert ``rows`` (all made with ``created_at=stamp``), those already there ignored,
    and enqueue each new one's task on commit; the new rows' ids."""
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    # ignore_conflicts leaves the new rows without their ids: read back those of this call
    new_ids = list(
        Delivery.objects.filter(key__in={r.key for r in rows}, created_at=stamp)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in new_ids:
        transaction.on_commit(partial(enqueue, pk))
    return new_ids


def enqueue(delivery_id: int) -> None:
    """Hand one delivery to a worker; a broker that is down leaves it to the beat sweep."""
    try:
        current_app.tasks[DELIVER_TASK].delay(delivery_id)
    except Exception:  # the row stays pending: the sweep sends it later
        logger.warning(
            "Delivery %s not enqueued; the sweep will send it.", delivery_id, exc_info=True
        )
