"""Sending one delivery (a notice, or a unit's group digest, on one channel), once.

A delivery is claimed before it is sent: its row is taken with ``select_for_update
(skip_locked=True)`` in a short transaction and leased (``next_attempt_at`` moved past the
longest send), so a second worker given the same delivery (a beat sweep, a retry, a
redelivered task) skips it; the lease is not a lock held while the channel answers, so a
hanging server delays nobody else. The outcome is recorded on the row: sent (``sent_at``),
or the error and when to try again, or failed for good after ``NOTICE_RETRY_MAX`` attempts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from brigade.core.fields import NOTE_LENGTH
from brigade.core.notices import channels
from brigade.core.notices.models import Delivery, DeliveryChannel, DeliveryStatus
from brigade.core.text import clip

# the first retry waits this long, each next one twice as long, at most BACKOFF_MAX
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
# the oldest pending deliveries the beat sweep hands out per run
SWEEP_BATCH = 500
# a new delivery's own task normally runs within seconds; the sweep leaves it that long
SWEEP_GRACE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Outcome:
    """What became of a delivery: ``status`` sent / failed / pending (``retry_in``
    seconds from now), or ``skipped`` (not due, done already, or another worker's)."""

    status: str
    retry_in: float | None = None
    error: str = ""


SKIPPED = Outcome("skipped")


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed send: 30 s, 1 min, 2 min... at most 1 h."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def lease() -> dt.timedelta:
    """Longer than any send may take (both timeouts bound it), with room to record it."""
    longest = max(float(settings.EMAIL_TIMEOUT), float(settings.NOTICE_WEBHOOK_TIMEOUT))
    return dt.timedelta(seconds=4 * longest + 60)


def _claim(delivery_id: int, now: dt.datetime) -> Delivery | None:
    """The delivery, leased to this caller, if it is pending, due and not being sent."""
    with transaction.atomic():
        row = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if row is None:
            return None
        row.attempts += 1
        row.next_attempt_at = now + lease()
        row.save(update_fields=["attempts", "next_attempt_at"])
        return row


def send(row: Delivery) -> None:
    """Send the delivery's stored message on its channel (``ChannelError`` on failure)."""
    if row.channel == DeliveryChannel.EMAIL:
        if not channels.email_enabled():
            raise channels.ChannelError("e-mail is not configured (EMAIL_URL)")
        message = row.payload or {}
        channels.send_email(
            to=row.target,
            subject=row.subject,
            text=message.get("text", ""),
            html=message.get("html", ""),
        )
    elif row.channel == DeliveryChannel.WEBHOOK:
        channels.post_webhook(row.target, row.payload or {})
    else:
        raise channels.ChannelError(f"unknown channel {row.channel!r}")


def deliver(delivery_id: int) -> Outcome:
    """Send one delivery if it is due and nobody else is sending it; record the result."""
    row = _claim(delivery_id, timezone.now())
    if row is None:
        return SKIPPED
    try:
        send(row)
    except (channels.ChannelError, ValueError) as error:
        return _failed(row, str(error) or repr(error))
    Delivery.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return Outcome(DeliveryStatus.SENT)


def _failed(row: Delivery, error: str) -> Outcome:
    now = timezone.now()
    error = clip(error, NOTE_LENGTH)  # a server's whole error page is not kept
    if row.attempts >= settings.NOTICE_RETRY_MAX:
        Delivery.objects.filter(pk=row.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=error
        )
        return Outcome(DeliveryStatus.FAILED, error=error)
    wait = backoff(row.attempts)
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=now + wait, last_error=error)
    return Outcome(DeliveryStatus.PENDING, retry_in=wait.total_seconds(), error=error)


def due_ids(now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Pending deliveries whose next attempt is due (the broker may have lost their task)."""
    now = now or timezone.now()
    never_tried = Q(next_attempt_at__isnull=True, created_at__lte=now - SWEEP_GRACE)
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(never_tried | Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
