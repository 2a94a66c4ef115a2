"""Tables of the notices: one message to one person (``Notice``), its sendings on a
channel (``Delivery``), and each person's choices (``NoticePreference``, ``NoticeMute``).

They name a record by its content type and id and a unit by its id: the core knows no
domain table.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brigade.core.fields import DOCUMENT_LENGTH, NOTE_LENGTH, LimitedTextField, length_limit


class NoticeKind(models.TextChoices):
    """Why a notice was sent."""

    REMINDER = "reminder", _("Reminder")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Escalation")
    DIGEST = "digest", _("Daily digest")
    SUPERVISION = "supervision", _("Supervision")


class NoticeAction(models.TextChoices):
    """What the person is asked to do with the item."""

    SIGN = "sign", _("Sign")
    REPLY = "reply", _("Reply")
    CLOSE = "close", _("Close")
    RECTIFY = "rectify", _("Rectify")
    VERIFY = "verify", _("Verify")
    APPROVE = "approve", _("Approve")
    RECOVER = "recover", _("Recover")
    OTHER = "other", _("Other")


class Notice(models.Model):
    """One message to one person, at most once per reason (``key``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    action = models.CharField(_("action"), max_length=20, choices=NoticeAction.choices, blank=True)
    item_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("record type"),
    )
    item_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    # the item's unit (units are the duty domain's: named by id)
    unit_id = models.BigIntegerField(_("unit"), null=True, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    # escalation: 1 to the unit's commanders, 2 to the brigade's
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    title = models.CharField(_("title"), max_length=300)
    # a rendering of the item (its history, a digest): cut at the limit, the link has the rest
    body = LimitedTextField(_("body"), blank=True, max_length=DOCUMENT_LENGTH)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # the reason, unique per person: "reminder:petitions.ticket:12:sign:2022-06-13:lead1"
    key = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notice_once_per_reason"),
            length_limit("body", DOCUMENT_LENGTH),
        ]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notice_user_unread"),
            models.Index(fields=["item_type", "item_id", "kind"], name="notice_item_kind"),
        ]

    def __str__(self) -> str:
        return self.title


class DeliveryChannel(models.TextChoices):
    """Where a notice goes besides the app."""

    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Group robot")


class DeliveryStatus(models.TextChoices):
    """How a sending went."""

    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One sending of a notice (or of a unit's group digest) on one channel, and its result."""

    notice = models.ForeignKey(
        Notice,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notice"),
    )
    unit_id = models.BigIntegerField(_("unit"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=DeliveryChannel.choices)
    # an e-mail address or a URL
    target = models.CharField(_("to"), max_length=500)
    # "notice:123" or "digest:2022-06-13:unit:3"
    key = models.CharField(_("reason"), max_length=200)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # what is sent, as sent: the e-mail's text and HTML, or the robot's JSON body
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = LimitedTextField(_("last error"), blank=True, max_length=NOTE_LENGTH)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["channel", "target", "key"], name="delivery_once"),
            length_limit("last_error", NOTE_LENGTH),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.target}"


class NoticePreference(models.Model):
    """A person's channels and kinds of notice; no row means the defaults (all on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_preference",
        verbose_name=_("user"),
    )
    by_email = models.BooleanField(_("by e-mail"), default=True)
    by_webhook = models.BooleanField(_("by the group robot"), default=True)
    reminders = models.BooleanField(_("reminders before a deadline"), default=True)
    digest = models.BooleanField(_("daily digest"), default=True)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")

    def __str__(self) -> str:
        return str(self.user)


class NoticeMute(models.Model):
    """A person silenced a kind of action (``action`` set) or one item (``item_*`` set)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_mutes",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=20, choices=NoticeAction.choices, blank=True)
    item_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("record type"),
    )
    item_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("muted notice")
        verbose_name_plural = _("muted notices")

    def __str__(self) -> str:
        return self.action or f"{self.item_type_id}:{self.item_id}"


__all__ = [
    "Delivery",
    "DeliveryChannel",
    "DeliveryStatus",
    "Notice",
    "NoticeAction",
    "NoticeKind",
    "NoticeMute",
    "NoticePreference",
]
