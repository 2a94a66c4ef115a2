"""The 12345 hotline: ticket categories and their deadline rules, tickets with their
replies, callbacks and extension requests, consultations and legislators' proposals
(who saw a citizen's phone number whole is in the core's log: ``Ticket.phone_views``)."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from brigade.core.dates import HappenedDateField, HappenedDateTimeField, PlannedDateField
from brigade.core.fields import (
    DOCUMENT_LENGTH,
    NOTE_LENGTH,
    TEXT_LENGTH,
    IdentifierField,
    LimitedTextField,
    length_limit,
    one_per,
    optional_fk,
    user_ref,
)
from brigade.core.modelbase import CodedRecord, HistoricalRecord, newest_first
from brigade.core.models import RevealLogQuerySet, TimeStampedModel
from brigade.core.privacy import views_of
from brigade.core.querysets import BrigadeWideQuerySet
from brigade.duty.models import Officer, Unit, unit_fk
from petitions.choices import (
    OPEN_STATUSES,
    CallbackResult,
    ConsultationChannel,
    ExtensionStatus,
    PlatformActionKind,
    ProposalKind,
    ProposerGrade,
    ReplyMode,
    SupervisionKind,
    TicketChannel,
    TicketStatus,
)
from petitions.extra_fields import validate_declaration
from petitions.querysets import (
    CallbackQuerySet,
    ConsultationQuerySet,
    ExtensionQuerySet,
    PlatformActionQuerySet,
    PlatformExportQuerySet,
    ProposalQuerySet,
    ReplyQuerySet,
    TicketQuerySet,
    TicketSupervisionQuerySet,
)

_WORKDAYS = [MinValueValidator(0), MaxValueValidator(60)]


class TicketCategory(CodedRecord):
    """A kind of 12345 ticket with its deadline rule in working days and reply templates."""

    sign_days = models.PositiveSmallIntegerField(
        _("sign within (working days)"), default=1, validators=_WORKDAYS
    )
    reply_days = models.PositiveSmallIntegerField(
        _("reply within (working days)"), default=5, validators=_WORKDAYS
    )
    close_days = models.PositiveSmallIntegerField(
        _("close within (working days)"), default=10, validators=_WORKDAYS
    )
    reply_templates = models.JSONField(
        _("reply templates"),
        default=list,
        blank=True,
        help_text=_("Texts a clerk can start a reply from, one per entry."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    extra_fields = models.JSONField(
        _("extra fields"),
        default=list,
        blank=True,
        validators=[validate_declaration],
        help_text=_(
            "What a client filing this kind of ticket must also say, as a JSON list: "
            '[{"code": "plate", "description": "车牌号", "datatype": "string", '
            '"required": true}]. Published as the Open311 service definition.'
        ),
    )

    objects = BrigadeWideQuerySet.as_manager()

    class Meta(CodedRecord.Meta):
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(sign_days__lte=models.F("reply_days"))
                & Q(reply_days__lte=models.F("close_days")),
                name="ticketcategory_deadlines_in_order",
                violation_error_message=_(
                    "Deadlines must run in order: sign, then reply, then close."
                ),
            ),
        ]


class Ticket(TimeStampedModel):
    """A 12345 hotline ticket (承办单) as the platform handed it to the brigade."""

    number = IdentifierField(_("platform number"), max_length=40, unique=True)
    channel = models.CharField(
        _("channel"), max_length=20, choices=TicketChannel.choices, default=TicketChannel.HOTLINE
    )
    received_at = HappenedDateTimeField(_("received at"), db_index=True)
    citizen_name = models.CharField(_("citizen's name"), max_length=50, blank=True)
    citizen_phone = models.CharField(_("citizen's phone"), max_length=30, blank=True)
    category = models.ForeignKey(
        TicketCategory,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("category"),
    )
    content = LimitedTextField(_("content"), max_length=TEXT_LENGTH)
    location = models.CharField(_("location"), max_length=200, blank=True)
    # WGS-84, when the caller gave a point (an Open311 client usually does)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    unit = unit_fk("tickets")
    handler = optional_fk(Officer, _("handler"), related_name="tickets", on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.RECEIVED
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    # Deadlines, computed at receipt from the category's rule (close_due moves with an
    # approved extension); next_due is the one the current state works towards, which is
    # what the queue orders by (empty once closed or returned).
    sign_due = PlannedDateField(_("sign by"))
    reply_due = PlannedDateField(_("reply by"))
    close_due = PlannedDateField(_("close by"))
    next_due = PlannedDateField(_("next deadline"), null=True, blank=True)
    signed_at = HappenedDateTimeField(_("signed at"), null=True, blank=True)
    signed_by = user_ref(_("signed by"))
    replied_at = HappenedDateTimeField(_("replied at"), null=True, blank=True)
    reply = LimitedTextField(_("reply to the citizen"), blank=True, max_length=TEXT_LENGTH)
    closed_at = HappenedDateTimeField(_("closed at"), null=True, blank=True)
    closed_by = user_ref(_("closed by"))
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    returned_at = HappenedDateTimeField(_("returned at"), null=True, blank=True)
    return_reason = LimitedTextField(_("reason for return"), blank=True, max_length=NOTE_LENGTH)
    reopened_at = HappenedDateTimeField(_("reopened at"), null=True, blank=True)
    # The round whose callback is recorded: a second callback for one round is refused.
    callback_round = models.PositiveSmallIntegerField(_("called back for round"), default=0)
    # What the 12345 platform says of the ticket (petitions/services/platform.py): its own
    # callback's result beside ours, whether the two disagree, its latest supervision.
    platform_result = models.CharField(
        _("platform's callback result"),
        max_length=30,
        choices=CallbackResult.choices,
        blank=True,
        # rows written by SQL (the benchmarks' loaders) need not know these columns
        db_default="",
    )
    platform_result_at = HappenedDateTimeField(_("platform's callback at"), null=True, blank=True)
    callback_mismatch = models.BooleanField(
        _("callbacks disagree"),
        default=False,
        db_default=False,
        help_text=_("The platform's callback and the brigade's own give different verdicts."),
    )
    supervised_at = HappenedDateTimeField(_("supervised at"), null=True, blank=True)
    supervision_due = PlannedDateField(_("supervision deadline"), null=True, blank=True)
    created_by = user_ref(_("created by"))
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = newest_first("received_at")
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            length_limit("content", TEXT_LENGTH),
            length_limit("reply", TEXT_LENGTH),
            length_limit("return_reason", NOTE_LENGTH),
            models.CheckConstraint(condition=Q(round__gte=1), name="ticket_round_positive"),
        ]
        indexes = [
            # the clerk's queue: open tickets by urgency, whole brigade or one unit
            models.Index(
                fields=["next_due", "id"],
                condition=Q(next_due__isnull=False),
                name="ticket_queue",
            ),
            models.Index(
                fields=["unit", "next_due", "id"],
                condition=Q(next_due__isnull=False),
                name="ticket_queue_unit",
            ),
            # counts per state of the open tickets (the queue's header), index-only
            models.Index(
                fields=["unit", "status"],
                condition=Q(next_due__isnull=False),
                name="ticket_open_unit_status",
            ),
            models.Index(
                fields=["status"],
                condition=Q(next_due__isnull=False),
                name="ticket_open_status",
            ),
            # the metrics' week ranges per unit
            models.Index(fields=["unit", "received_at"], name="ticket_unit_received"),
            models.Index(fields=["closed_at"], name="ticket_closed"),
            models.Index(fields=["replied_at"], name="ticket_replied"),
            models.Index(fields=["reopened_at"], name="ticket_reopened"),
            models.Index(fields=["citizen_phone"], name="ticket_phone"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def phone_views(self) -> RevealLogQuerySet:
        """Who saw the citizen's phone number whole, or found the ticket by it."""
        return views_of(self)

    def due_for(self, status: str) -> dt.date | None:
        """The deadline a ticket in ``status`` works towards."""
        dues: dict[str, dt.date] = {
            TicketStatus.RECEIVED: self.sign_due,
            TicketStatus.SIGNED: self.reply_due,
            TicketStatus.HANDLING: self.reply_due,
            TicketStatus.REPLIED: self.close_due,
        }
        return dues.get(status)

    def deadline_state(self, today: dt.date) -> str | None:
        from petitions.deadlines import deadline_state

        return deadline_state(self.next_due, today)

    def workdays_left(self, today: dt.date) -> int | None:
        from petitions.deadlines import workdays_left

        return None if self.next_due is None else workdays_left(today, self.next_due)

    def is_overdue(self, today: dt.date) -> bool:
        return self.next_due is not None and self.next_due < today


class TicketReply(HistoricalRecord):
    """The reply (反馈) given to the citizen in one round of a ticket."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="replies", verbose_name=_("ticket")
    )
    round = models.PositiveSmallIntegerField(_("round"))
    text = LimitedTextField(_("reply"), max_length=TEXT_LENGTH)
    replied_at = HappenedDateTimeField(_("replied at"))
    replied_by = user_ref(_("replied by"))

    objects = ReplyQuerySet.as_manager()

    class Meta:
        ordering = ["ticket", "round"]
        verbose_name = _("ticket reply")
        verbose_name_plural = _("ticket replies")
        constraints = [
            length_limit("text", TEXT_LENGTH),
            one_per(
                ["ticket", "round"],
                "ticketreply_one_per_round",
                _("This round has already been replied to."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} #{self.round}"


class TicketCallback(HistoricalRecord):
    """The callback (回访) to the citizen after a round was closed: were they satisfied?"""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="callbacks", verbose_name=_("ticket")
    )
    # the ticket's unit, copied so that the satisfaction metric reads one table
    unit = unit_fk("+")
    round = models.PositiveSmallIntegerField(_("round"))
    result = models.CharField(_("result"), max_length=30, choices=CallbackResult.choices)
    by = user_ref(_("called back by"))
    at = HappenedDateTimeField(_("called back at"), db_index=True)
    notes = LimitedTextField(_("notes"), blank=True, max_length=NOTE_LENGTH)

    objects = CallbackQuerySet.as_manager()

    class Meta:
        ordering = ["ticket", "round"]
        verbose_name = _("ticket callback")
        verbose_name_plural = _("ticket callbacks")
        constraints = [
            length_limit("notes", NOTE_LENGTH),
            one_per(
                ["ticket", "round"],
                "ticketcallback_one_per_round",
                _("This round has already been called back."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "at"], name="callback_unit_at")]

    def __str__(self) -> str:
        return f"{self.ticket} #{self.round}: {self.get_result_display()}"


class TicketExtension(HistoricalRecord):
    """A request to extend a ticket's closing deadline (延期), approved by a commander other
    than the requester (or by the brigade's second approver)."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("ticket")
    )
    new_due = PlannedDateField(_("new closing deadline"))
    old_due = PlannedDateField(_("closing deadline before"))
    reason = LimitedTextField(_("reason"), max_length=NOTE_LENGTH)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    requested_by = user_ref(_("requested by"))
    # never the requester (four eyes)
    decided_by = user_ref(_("decided by"))
    decided_at = HappenedDateTimeField(_("decided at"), null=True, blank=True)
    decided_by_second_approver = models.BooleanField(
        _("decided by the second approver"),
        default=False,
        help_text=_("Decided by the person the brigade names its second approver."),
    )

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            length_limit("reason", NOTE_LENGTH),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="ticketextension_one_pending",
                violation_error_message=_(
                    "This ticket already has an extension awaiting approval."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} → {self.new_due}"


class Consultation(HistoricalRecord):
    """A question from the public answered by phone or in person (quick log)."""

    channel = models.CharField(_("channel"), max_length=20, choices=ConsultationChannel.choices)
    topic = models.CharField(pgettext_lazy("consultation", "topic"), max_length=200)
    answer = LimitedTextField(_("answer"), blank=True, max_length=TEXT_LENGTH)
    answered_by = optional_fk(
        Officer, _("answered by"), related_name="consultations", on_delete=models.PROTECT
    )
    at = HappenedDateTimeField(_("answered at"), db_index=True)
    unit = unit_fk("consultations")

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = newest_first("at")
        verbose_name = _("consultation")
        verbose_name_plural = pgettext_lazy("records", "consultations")
        indexes = [models.Index(fields=["unit", "at"], name="consultation_unit_at")]
        constraints = [
            length_limit("answer", TEXT_LENGTH),
        ]

    def __str__(self) -> str:
        return self.topic


class Proposal(HistoricalRecord):
    """A People's Congress suggestion or CPPCC proposal (人大建议/政协提案) to answer."""

    # What the desk enters (on the page and through the API); the answer comes later.
    ENTERED_FIELDS = (
        "kind",
        "proposer",
        "grade",
        "title",
        "content",
        "received_on",
        "due_on",
        "unit",
        "handler",
    )

    kind = models.CharField(_("kind"), max_length=20, choices=ProposalKind.choices)
    proposer = models.CharField(_("proposer"), max_length=100)
    grade = models.CharField(_("proposer's grade"), max_length=20, choices=ProposerGrade.choices)
    title = models.CharField(_("title"), max_length=200)
    content = LimitedTextField(_("content"), blank=True, max_length=DOCUMENT_LENGTH)
    received_on = HappenedDateField(_("received on"))
    due_on = PlannedDateField(_("answer by"), null=True, blank=True)
    reply_mode = models.CharField(
        _("reply mode"), max_length=20, choices=ReplyMode.choices, blank=True
    )
    reply = LimitedTextField(_("reply"), blank=True, max_length=DOCUMENT_LENGTH)
    replied_at = HappenedDateTimeField(_("replied at"), null=True, blank=True, db_index=True)
    unit = unit_fk("proposals")
    handler = optional_fk(Officer, _("handler"), related_name="proposals", on_delete=models.PROTECT)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = newest_first("received_on")
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            length_limit("content", DOCUMENT_LENGTH),
            length_limit("reply", DOCUMENT_LENGTH),
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True) | ~Q(reply_mode=""),
                name="proposal_reply_has_mode",
                violation_error_message=_("An answered proposal needs its reply mode."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlatformExport(TimeStampedModel):
    """One export of the brigade's actions for the 12345 platform: who made it, when, for
    which unit (none: the whole brigade) and the actions it took (``PlatformAction.export``;
    the file is written again from them on each download)."""

    by = user_ref(_("exported by"))
    unit = optional_fk(Unit, _("unit"), related_name="+", on_delete=models.PROTECT)
    # the actions recorded up to this moment and not yet exported were taken
    until = models.DateTimeField(_("actions up to"))
    # the first and last action (by their order of recording) in the export
    first_action = models.PositiveBigIntegerField(_("first action"), null=True, blank=True)
    last_action = models.PositiveBigIntegerField(_("last action"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)

    objects = PlatformExportQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("export for the 12345 platform")
        verbose_name_plural = _("exports for the 12345 platform")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.rows})"


class PlatformAction(models.Model):
    """One thing the brigade did on a ticket that the 12345 platform must be told of,
    written by the service that did it; an export takes those not yet exported.

    ``at`` is when it happened (a callback may be recorded later, back-dated); the id is
    the order of recording. What was exported is what the export took (``export``), so an
    action recorded after an export, whatever its ``at``, goes in the next one."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="platform_actions", verbose_name=_("ticket")
    )
    # the ticket's unit when it happened: who exports it
    unit = unit_fk("+")
    kind = models.CharField(_("action"), max_length=20, choices=PlatformActionKind.choices)
    at = models.DateTimeField(_("done at"))
    text = LimitedTextField(_("text"), blank=True, max_length=TEXT_LENGTH)
    new_due = models.DateField(_("new closing deadline"), null=True, blank=True)
    by = user_ref(_("done by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    export = models.ForeignKey(
        PlatformExport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("export"),
    )

    objects = PlatformActionQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("action for the 12345 platform")
        verbose_name_plural = _("actions for the 12345 platform")
        constraints = [length_limit("text", TEXT_LENGTH)]
        indexes = [
            # what the next export takes: the actions not yet exported, per unit
            models.Index(
                fields=["unit", "id"], condition=Q(export__isnull=True), name="platformaction_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class TicketSupervision(HistoricalRecord):
    """A supervision notice (督办) or reminder (催办) of the 12345 platform on a ticket."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="supervisions", verbose_name=_("ticket")
    )
    unit = unit_fk("+")
    kind = models.CharField(
        pgettext_lazy("supervision", "kind"), max_length=20, choices=SupervisionKind.choices
    )
    supervised_at = HappenedDateTimeField(_("supervised at"))
    due = PlannedDateField(_("supervision deadline"), null=True, blank=True)
    text = LimitedTextField(_("text"), blank=True, max_length=NOTE_LENGTH)
    imported_by = user_ref(_("imported by"))

    objects = TicketSupervisionQuerySet.as_manager()

    class Meta:
        ordering = ["-supervised_at", "-id"]
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        constraints = [
            length_limit("text", NOTE_LENGTH),
            one_per(
                ["ticket", "kind", "supervised_at"],
                "ticketsupervision_once",
                _("This supervision has already been recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} {self.get_kind_display()}"
