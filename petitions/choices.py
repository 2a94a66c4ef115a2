"""Enumerations of the petitions app: never bare strings in code or data."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketStatus(models.TextChoices):
    """received → signed (签收) → handling → replied (反馈) → closed (办结); or returned (退单)."""

    RECEIVED = "received", _("Received")
    SIGNED = "signed", _("Signed")
    # in context: another catalog's "Handling" is a manner of handling (处理方式)
    HANDLING = "handling", pgettext_lazy("ticket status", "Handling")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")


# The states of a ticket still on someone's desk (the clerk's queue).
OPEN_STATUSES = (
    TicketStatus.RECEIVED,
    TicketStatus.SIGNED,
    TicketStatus.HANDLING,
    TicketStatus.REPLIED,
)


class TicketChannel(models.TextChoices):
    HOTLINE = "hotline", _("12345 hotline call")
    WEB = "web", _("Website")
    APP = "app", _("Mobile app")
    WECHAT = "wechat", _("WeChat")
    LETTER = "letter", _("Letter")
    # entered by a client program through the Open311 GeoReport v2 endpoint
    OPEN311 = "open311", _("Open311 API")
    OTHER = "other", _("Other")


class CallbackResult(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    UNREACHABLE = "unreachable", _("Unreachable")


SATISFIED_RESULTS = (CallbackResult.SATISFIED, CallbackResult.BASICALLY_SATISFIED)


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DeadlineState(models.TextChoices):
    """How a ticket stands against its next deadline (computed, never stored)."""

    OVERDUE = "overdue", _("Overdue")
    DUE_TODAY = "due_today", _("Due today")
    DUE_SOON = "due_soon", _("Due soon")
    ON_TIME = "on_time", _("On time")


class ConsultationChannel(models.TextChoices):
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")


class ProposalKind(models.TextChoices):
    NPC = "npc", _("People's Congress deputy's suggestion")
    CPPCC = "cppcc", _("CPPCC member's proposal")


class ProposerGrade(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")


class ReplyMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person (visit)")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")


class PlatformActionKind(models.TextChoices):
    """What the brigade did on a ticket that the 12345 platform must be told of, in the
    platform's own words."""

    SIGN = "sign", pgettext_lazy("platform action", "Sign")
    REPLY = "reply", pgettext_lazy("platform action", "Reply")
    CLOSE = "close", pgettext_lazy("platform action", "Close")
    UNDO_CLOSE = "undo_close", pgettext_lazy("platform action", "Close withdrawn")
    RETURN = "return", pgettext_lazy("platform action", "Return")
    EXTENSION = "extension", pgettext_lazy("platform action", "Extension")
    CALLBACK = "callback", pgettext_lazy("platform action", "Callback")
    REOPEN = "reopen", pgettext_lazy("platform action", "Reopen")


class SupervisionKind(models.TextChoices):
    """The platform's pressing of a ticket: 督办 (formal supervision) or 催办 (a reminder)."""

    SUPERVISE = "supervise", pgettext_lazy("supervision", "Supervision")
    URGE = "urge", pgettext_lazy("supervision", "Reminder")
