"""Accidents, their parties and documents, hit-and-run cases, and the road-accident social
relief fund (道路交通事故社会救助基金): advances and their recoveries (追偿)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brigade.core import geo
from brigade.core.dates import HappenedDateField, HappenedDateTimeField, PlannedDateField
from brigade.core.fields import (
    NOTE_LENGTH,
    IdentifierField,
    LimitedTextField,
    length_limit,
    user_ref,
)
from brigade.core.modelbase import HistoricalRecord, newest_first
from brigade.core.models import TimeStampedModel
from brigade.core.uploads import upload_path, validate_document
from brigade.duty.models import place_fk, unit_fk
from brigade.duty.places import locate
from incidents.choices import (
    SERIOUS,
    AdvancePurpose,
    AdvanceStatus,
    HandlingMode,
    Liability,
    MediationOutcome,
    PartyRole,
    RecoveryWarning,
    Severity,
    SolvedHow,
    SpotKind,
    VehicleKind,
)
from incidents.querysets import (
    RECOVERY_WARNING_DAYS,
    ZERO,
    AccidentDocumentQuerySet,
    AccidentPartyQuerySet,
    AccidentQuerySet,
    BlackSpotQuerySet,
    FundAdvanceQuerySet,
    RecoveryQuerySet,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.utils.functional import _StrOrPromise

CENT = Decimal("0.01")
# What an approval approves: never changed once the request is decided.
DECIDED_FIELDS = ("amount", "beneficiary", "payee", "purpose", "accident")


def _user_fk(
    related_name: str, verbose_name: _StrOrPromise
) -> models.ForeignKey[User | None, User | None]:
    # a user named on a case or a payment cannot be deleted
    return user_ref(verbose_name, related_name=related_name, on_delete=models.PROTECT)


def _amount_positive(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(amount__gt=0),
        name=name,
        violation_error_message=_("The amount must be more than zero."),
    )


class Accident(HistoricalRecord):
    """A road traffic accident the brigade handled; a hit-and-run stays open until solved."""

    occurred_at = HappenedDateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    road = models.CharField(_("road"), max_length=100)
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = geo.model_field("latitude")
    longitude = geo.model_field("longitude")
    gazetteer_place = place_fk("accidents")
    h3_cell = geo.cell_field()
    severity = models.CharField(
        pgettext_lazy("accident", "severity"),
        max_length=20,
        choices=Severity.choices,
        default=Severity.PROPERTY,
    )
    handling_mode = models.CharField(
        _("handling"), max_length=20, choices=HandlingMode.choices, default=HandlingMode.SIMPLE
    )
    unit = unit_fk("accidents")
    recorded_by = _user_fk("accidents_recorded", _("recorded by"))
    hit_and_run = models.BooleanField(_("hit-and-run"), default=False)
    solved_at = HappenedDateTimeField(_("solved at"), null=True, blank=True)
    solved_how = models.CharField(
        _("solved how"), max_length=20, choices=SolvedHow.choices, blank=True
    )
    solved_by = _user_fk("accidents_solved", _("solved by"))
    mediation = models.CharField(
        _("mediation"), max_length=20, choices=MediationOutcome.choices, blank=True
    )
    notes = LimitedTextField(_("notes"), blank=True, max_length=NOTE_LENGTH)

    objects = AccidentQuerySet.as_manager()

    class Meta:
        ordering = newest_first("occurred_at")
        verbose_name = _("accident")
        verbose_name_plural = _("accidents")
        constraints = [
            length_limit("notes", NOTE_LENGTH),
            models.CheckConstraint(
                condition=Q(solved_at__isnull=True) | Q(hit_and_run=True),
                name="accident_only_hit_and_run_solved",
                violation_error_message=_("Only a hit-and-run case can be solved."),
            ),
            models.CheckConstraint(
                condition=Q(solved_at__isnull=True) | Q(solved_at__gte=F("occurred_at")),
                name="accident_solved_after_occurred",
                violation_error_message=_("A case cannot be solved before the accident."),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "occurred_at"]),
            # the accidents with injuries or deaths of a few cells in a window: what a black
            # spot's update reads (only those, so a fifth of the entries and heap pages)
            models.Index(
                fields=["h3_cell", "occurred_at"],
                condition=Q(severity__in=SERIOUS),
                name="accident_serious_cell_idx",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        locate(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "h3_cell", "gazetteer_place"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        when = timezone.localtime(self.occurred_at)
        return f"{when:%Y-%m-%d %H:%M} {self.road}"

    @property
    def case_state(self) -> str:
        """The hit-and-run case's state: not a case, open, or solved."""
        if not self.hit_and_run:
            return "not_hit_and_run"
        return "solved" if self.solved_at else "open"

    def days_open(self, at: dt.datetime | None = None) -> int:
        """Days from the accident to its solution (or to ``at``/now while open)."""
        end = self.solved_at or at or timezone.now()
        return max((end - self.occurred_at).days, 0)


class AccidentParty(HistoricalRecord):
    """A person (and their vehicle) involved in an accident."""

    accident = models.ForeignKey(
        Accident, on_delete=models.CASCADE, related_name="parties", verbose_name=_("accident")
    )
    role = models.CharField(
        _("role"), max_length=20, choices=PartyRole.choices, default=PartyRole.DRIVER
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    plate = IdentifierField(_("plate"), max_length=20, blank=True, upper=True, drop_spaces=True)
    vehicle_kind = models.CharField(
        _("vehicle"), max_length=20, choices=VehicleKind.choices, blank=True
    )
    insurer = models.CharField(_("insurer"), max_length=100, blank=True)
    liability = models.CharField(
        _("liability"), max_length=20, choices=Liability.choices, blank=True
    )

    objects = AccidentPartyQuerySet.as_manager()

    class Meta:
        ordering = ["accident", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return " ".join(p for p in (self.get_role_display(), self.name, self.plate) if p)


class AccidentDocument(HistoricalRecord):
    """A document attached to an accident (scene photo, liability ruling, agreement)."""

    accident = models.ForeignKey(
        Accident, on_delete=models.CASCADE, related_name="documents", verbose_name=_("accident")
    )
    title = models.CharField(_("title"), max_length=100)
    file = models.FileField(
        _("file"), upload_to=upload_path("incidents/documents"), validators=[validate_document]
    )
    uploaded_by = _user_fk("accident_documents", _("uploaded by"))

    objects = AccidentDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["accident", "-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class FundAdvance(HistoricalRecord):
    """An advance from the relief fund (垫付) for one accident's victim: requested, approved
    by a commander other than the requester, paid; then recovered from whoever is liable.

    Four eyes (``incidents.services``, for the API, the pages and the admin alike): while
    the request is pending only its requester changes it, or a clerk on their behalf (kept
    in ``edited_by`` and the history's change reason); the approval names the version the
    approver read (a changed amount since: refused) and is never the requester's own; an
    approved or paid advance's amount, beneficiary, payee and purpose never change (the
    services refuse, and ``save`` refuses too, for any other path through the ORM).

    ``amount_recovered`` is kept by the recovery service with one conditional update, so
    it can never pass ``amount``, also under concurrent recoveries.
    """

    accident = models.ForeignKey(
        Accident, on_delete=models.PROTECT, related_name="advances", verbose_name=_("accident")
    )
    beneficiary = models.CharField(_("beneficiary"), max_length=100)
    payee = models.CharField(
        _("payee"), max_length=100, help_text=_("Who receives the money: a hospital, funeral home…")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=AdvancePurpose.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AdvanceStatus.choices,
        default=AdvanceStatus.REQUESTED,
        db_index=True,
    )
    requested_by = _user_fk("advances_requested", _("requested by"))
    edited_by = _user_fk("advances_edited", _("last changed by"))
    approved_by = _user_fk("advances_approved", _("approved by"))
    approved_at = HappenedDateTimeField(_("approved at"), null=True, blank=True)
    approved_by_second_approver = models.BooleanField(
        _("decided by the second approver"),
        default=False,
        help_text=_("Decided by the person the brigade names its second approver."),
    )
    rejected_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    paid_at = HappenedDateTimeField(_("paid at"), null=True, blank=True, db_index=True)
    recovery_due = PlannedDateField(_("recover by"), null=True, blank=True)
    amount_recovered = models.DecimalField(
        _("recovered (CNY)"), default=ZERO, max_digits=14, decimal_places=2
    )
    notes = LimitedTextField(_("notes"), blank=True, max_length=NOTE_LENGTH)

    objects = FundAdvanceQuerySet.as_manager()

    class Meta:
        ordering = newest_first("created_at")
        verbose_name = _("fund advance")
        verbose_name_plural = _("fund advances")
        constraints = [
            length_limit("notes", NOTE_LENGTH),
            _amount_positive("advance_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_recovered__gte=0) & Q(amount_recovered__lte=F("amount")),
                name="advance_recovered_within_amount",
                violation_error_message=_("More cannot be recovered than was advanced."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} · {self.get_purpose_display()} · ¥{self.amount:,.2f}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse to change what a decided advance was decided on (any path: the admin, a
        script), before anything is written."""
        fields = kwargs.get("update_fields")
        watched = [n for n in DECIDED_FIELDS if fields is None or n in fields]
        if self.pk is not None and watched:
            columns = {n: getattr(self._meta.get_field(n), "attname", n) for n in watched}
            stored = (
                type(self)
                ._default_manager.filter(pk=self.pk)
                .exclude(status=AdvanceStatus.REQUESTED)
                .values(*columns.values())
                .first()
            )
            changed = [n for n, c in columns.items() if stored and stored[c] != getattr(self, c)]
            if changed:
                raise ValidationError(
                    {name: _("A decided advance keeps what it was decided on.") for name in changed}
                )
        super().save(*args, **kwargs)

    @property
    def paid_amount(self) -> Decimal:
        return self.amount if self.status == AdvanceStatus.PAID else ZERO

    @property
    def outstanding(self) -> Decimal:
        """What is still to recover: paid − recovered (never negative)."""
        return self.paid_amount - self.amount_recovered

    def recovery_warning(self, today: dt.date | None = None) -> str:
        """Due soon (within the warning days) or overdue, while money is outstanding."""
        if self.outstanding <= 0 or self.recovery_due is None:
            return RecoveryWarning.NONE
        today = today or timezone.localdate()
        if self.recovery_due < today:
            return RecoveryWarning.OVERDUE
        if self.recovery_due <= today + dt.timedelta(days=RECOVERY_WARNING_DAYS):
            return RecoveryWarning.DUE_SOON
        return RecoveryWarning.NONE


class Recovery(HistoricalRecord):
    """A partial repayment of an advance (追偿) by the liable party or their insurer."""

    advance = models.ForeignKey(
        FundAdvance, on_delete=models.PROTECT, related_name="recoveries", verbose_name=_("advance")
    )
    payer = models.CharField(_("payer"), max_length=100)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    received_on = HappenedDateField(
        pgettext_lazy("recovery", "received on"), default=timezone.localdate, db_index=True
    )
    recorded_by = _user_fk("recoveries_recorded", _("recorded by"))
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    objects = RecoveryQuerySet.as_manager()

    class Meta:
        ordering = newest_first("received_on")
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        constraints = [
            _amount_positive("recovery_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payer} ¥{self.amount:,.2f} {self.received_on}"


class BlackSpot(TimeStampedModel):
    """A black spot (事故多发点段) of one unit: where its injury-or-fatal accidents of a
    window met the thresholds (settings ``BLACK_SPOT_*``), computed by
    ``incidents.black_spots`` (nightly and on change), never edited by hand.

    A cell spot counts the accidents of its centre cell and the six around it; no two
    cell spots of a unit share a cell (the higher-ranked one takes the cluster). A spot
    that stops meeting the thresholds is kept, ``current`` off and not listed: the period
    it was first identified in (``created_at``) keeps counting it, and a hazard opened
    from it keeps its figures. Found again, it is current again, the same row.
    """

    unit = unit_fk("black_spots")
    kind = models.CharField(_("kind"), max_length=10, choices=SpotKind.choices)
    h3_cell = models.CharField(_("centre cell"), max_length=16, blank=True, db_index=True)
    place = models.ForeignKey(
        "brigade.Place",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="black_spots",
        verbose_name=_("place"),
    )
    # the cells counted: the centre and its ring (a cell spot), none for a place
    cells = models.JSONField(_("cells"), default=list, blank=True)
    window_from = models.DateField(_("window from"))
    window_to = models.DateField(_("window to"))
    accidents = models.PositiveIntegerField(_("accidents"), default=0)
    injuries = models.PositiveIntegerField(_("accidents with injuries"), default=0)
    fatalities = models.PositiveIntegerField(_("fatal accidents"), default=0)
    # not indexed: a thousand spots are ordered without one, and the nightly run rewrites
    # the ranks below every new spot (in place, when no index holds the rank)
    rank = models.PositiveIntegerField(_("rank"), default=0)
    name = models.CharField(_("place name"), max_length=200, blank=True)
    latitude = geo.model_field("latitude")
    longitude = geo.model_field("longitude")
    main_kinds = models.JSONField(_("main vehicle kinds"), default=list, blank=True)
    main_hours = models.JSONField(_("main hours"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    # what its name, main kinds and hours were computed from (its accidents: how many, which,
    # their latest change; and the gazetteer): the nightly recompute describes a spot again
    # only when this changed (``incidents.black_spots.compute``)
    fingerprint = models.CharField(
        _("fingerprint"), max_length=40, blank=True, default="", db_default="", editable=False
    )
    current = models.BooleanField(
        _("meets the thresholds"),
        default=True,
        help_text=_(
            "Off: no longer a black spot in the rolling window; kept for the periods it was "
            "identified in and for the hazard opened from it."
        ),
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="black_spots",
        verbose_name=_("hazard investigation"),
    )
    hazard_opened_at = models.DateTimeField(_("hazard opened at"), null=True, blank=True)
    # once its hazard is verified: the spot's accidents in equal windows before and after
    # the verification (``hazards.effect``), kept up to date by the nightly recompute
    accidents_before = models.PositiveIntegerField(_("accidents before"), null=True, blank=True)
    accidents_after = models.PositiveIntegerField(_("accidents after"), null=True, blank=True)
    # the accidents the investigation was opened on (a snapshot: the window moves on)
    investigated_accidents = models.ManyToManyField(
        Accident, blank=True, related_name="black_spots", verbose_name=_("accidents investigated")
    )

    objects = BlackSpotQuerySet.as_manager()

    class Meta:
        ordering = ["-current", "rank", "pk"]
        verbose_name = _("black spot")
        verbose_name_plural = _("black spots")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "h3_cell"],
                condition=Q(kind=SpotKind.CELL),
                name="blackspot_one_per_unit_cell",
            ),
            models.UniqueConstraint(
                fields=["unit", "place"],
                condition=Q(kind=SpotKind.PLACE),
                name="blackspot_one_per_unit_place",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.name or self.h3_cell}"


class BlackSpotMark(models.Model):
    """A cell (of a unit) whose accidents changed: its spots are updated after the commit
    (``incidents.tasks.black_spots_update_task``), then the mark is deleted."""

    unit_id = models.PositiveBigIntegerField()
    h3_cell = models.CharField(max_length=16, blank=True)
    place_id = models.PositiveBigIntegerField(null=True, blank=True)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("black spot change")
        verbose_name_plural = _("black spot changes")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.h3_cell or self.place_id}"
