"""Hazards found on the road and in enterprises, driven to a verified fix; the key-vehicle
register; facility works (signals, signs, markings, parking bays, school fronts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brigade.core import geo
from brigade.core.dates import HappenedDateField, HappenedDateTimeField, PlannedDateField
from brigade.core.fields import (
    NOTE_LENGTH,
    TEXT_LENGTH,
    IdentifierField,
    LimitedTextField,
    length_limit,
    optional_fk,
    user_ref,
)
from brigade.core.modelbase import HistoricalRecord, newest_first
from brigade.core.uploads import upload_path, validate_image
from brigade.duty.models import Officer, PatrolLog, place_fk, unit_fk
from brigade.duty.places import locate
from hazards.choices import (
    OPEN_STATUSES,
    CheckResult,
    Element,
    FacilityKind,
    HazardSource,
    HazardStatus,
    KeyVehicleReason,
    KeyVehicleStatus,
    PhotoStage,
    Severity,
    VehicleKind,
)
from hazards.querysets import (
    CheckQuerySet,
    FacilityWorkQuerySet,
    HazardQuerySet,
    KeyVehicleQuerySet,
    PhotoQuerySet,
    ScopedQuerySet,
)


class Hazard(HistoricalRecord):
    """A road-safety hazard, from its report to a verified rectification (or its rejection)."""

    unit = unit_fk("hazards")
    element = models.CharField(_("element"), max_length=20, choices=Element.choices)
    source = models.CharField(
        _("source"), max_length=20, choices=HazardSource.choices, default=HazardSource.PATROL
    )
    severity = models.CharField(
        _("severity"), max_length=20, choices=Severity.choices, default=Severity.MEDIUM
    )
    road = models.CharField(_("road"), max_length=100)
    location = models.CharField(_("location"), max_length=200, blank=True)
    description = LimitedTextField(pgettext_lazy("hazard", "description"), max_length=TEXT_LENGTH)
    latitude = geo.model_field("latitude")
    longitude = geo.model_field("longitude")
    gazetteer_place = place_fk("hazards")
    h3_cell = geo.cell_field()
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=HazardStatus.choices,
        default=HazardStatus.REPORTED,
        db_index=True,
    )
    found_at = HappenedDateTimeField(_("found at"), default=timezone.now, db_index=True)
    reported_by = optional_fk(
        Officer, _("reported by"), related_name="hazards_reported", on_delete=models.PROTECT
    )
    patrol = optional_fk(PatrolLog, _("patrol"), related_name="hazards")
    accident = optional_fk("incidents.Accident", _("accident"), related_name="hazards")
    ticket = optional_fk("petitions.Ticket", _("ticket"), related_name="hazards")
    responsible_party = models.CharField(_("responsible party"), max_length=200, blank=True)
    deadline = PlannedDateField(_("deadline"), null=True, blank=True, db_index=True)
    measures = LimitedTextField(_("measures"), blank=True, max_length=TEXT_LENGTH)
    assigned_at = HappenedDateTimeField(_("assigned at"), null=True, blank=True)
    rectified_at = HappenedDateTimeField(_("rectified at"), null=True, blank=True)
    rectified_on_time = models.BooleanField(_("rectified on time"), null=True, blank=True)
    # who recorded the rectification: never the one who verifies it (four eyes)
    rectified_by = user_ref(_("rectified by"))
    verified_at = HappenedDateTimeField(_("verified at"), null=True, blank=True, db_index=True)
    verified_by = user_ref(_("verified by"))
    verified_by_second_approver = models.BooleanField(
        _("checked by the second approver"),
        default=False,
        help_text=_("Checked by the person the brigade names its second approver."),
    )
    closed_at = HappenedDateTimeField(_("closed at"), null=True, blank=True)
    rejection_reason = LimitedTextField(
        _("reason for rejection"), blank=True, max_length=NOTE_LENGTH
    )
    duplicate_of = optional_fk(
        "self", _("duplicate of"), related_name="duplicates", on_delete=models.PROTECT
    )

    objects = HazardQuerySet.as_manager()

    class Meta:
        ordering = newest_first("found_at")
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        constraints = [
            length_limit("description", TEXT_LENGTH),
            length_limit("measures", TEXT_LENGTH),
            length_limit("rejection_reason", NOTE_LENGTH),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=models.F("pk")),
                name="hazard_not_duplicate_of_itself",
                violation_error_message=_("A hazard cannot be a duplicate of itself."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "found_at"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        locate(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "h3_cell", "gazetteer_place"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"#{self.pk} {self.road} {self.get_element_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, at: dt.date | None = None) -> bool:
        at = at or timezone.localdate()
        return self.is_open and self.deadline is not None and self.deadline < at


class HazardPhoto(HistoricalRecord):
    """A photo of a hazard before or after its rectification; served only through a view
    that checks the user may see the hazard."""

    hazard = models.ForeignKey(
        Hazard, on_delete=models.CASCADE, related_name="photos", verbose_name=_("hazard")
    )
    stage = models.CharField(_("stage"), max_length=10, choices=PhotoStage.choices)
    file = models.FileField(
        _("photo"), upload_to=upload_path("hazards/photos"), validators=[validate_image]
    )
    uploaded_by = user_ref(_("uploaded by"))

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["hazard", "stage", "pk"]
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_stage_display()}"


class HazardCheck(HistoricalRecord):
    """A commander's check of a rectification: passed (verified) or failed with a reason."""

    hazard = models.ForeignKey(
        Hazard, on_delete=models.CASCADE, related_name="checks", verbose_name=_("hazard")
    )
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices)
    reason = LimitedTextField(_("reason"), blank=True, max_length=NOTE_LENGTH)
    checked_by = user_ref(_("checked by"))
    checked_at = HappenedDateTimeField(_("checked at"), default=timezone.now)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["hazard", "checked_at", "pk"]
        verbose_name = _("rectification check")
        verbose_name_plural = _("rectification checks")
        constraints = [
            length_limit("reason", NOTE_LENGTH),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_result_display()}"


class KeyVehicleImport(HistoricalRecord):
    """One import of the key-vehicle register: who, when, into which unit, what it did."""

    unit = unit_fk("key_vehicle_imports")
    imported_by = user_ref(_("imported by"))
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    reopened = models.PositiveIntegerField(_("reopened"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = newest_first("created_at")
        verbose_name = _("key-vehicle import")
        verbose_name_plural = _("key-vehicle imports")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.file_name}"


class KeyVehicle(HistoricalRecord):
    """A vehicle flagged for overdue inspection, scrapping or unhandled violations; cleared
    (清零) only with evidence."""

    unit = unit_fk("key_vehicles")
    plate = IdentifierField(_("plate"), max_length=20, unique=True, upper=True, drop_spaces=True)
    kind = models.CharField(
        _("vehicle kind"), max_length=20, choices=VehicleKind.choices, default=VehicleKind.OTHER
    )
    owner = models.CharField(_("owner enterprise"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=30, choices=KeyVehicleReason.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=KeyVehicleStatus.choices,
        default=KeyVehicleStatus.FLAGGED,
        db_index=True,
    )
    flagged_at = HappenedDateTimeField(_("flagged at"), default=timezone.now, db_index=True)
    cleared_at = HappenedDateTimeField(_("cleared at"), null=True, blank=True, db_index=True)
    cleared_by = user_ref(_("cleared by"))
    inspection_date = HappenedDateField(_("inspection date"), null=True, blank=True)
    scrapping_certificate = models.CharField(
        _("scrapping certificate no."), max_length=50, blank=True
    )
    clearance_note = LimitedTextField(_("clearance note"), blank=True, max_length=NOTE_LENGTH)
    reopened_count = models.PositiveIntegerField(_("times reopened"), default=0)
    last_import = optional_fk(KeyVehicleImport, _("last import"), related_name="vehicles")

    objects = KeyVehicleQuerySet.as_manager()

    class Meta:
        ordering = ["status", "plate"]
        verbose_name = _("key vehicle")
        verbose_name_plural = _("key vehicles")
        constraints = [
            length_limit("clearance_note", NOTE_LENGTH),
        ]

    def __str__(self) -> str:
        return self.plate


class FacilityWork(HistoricalRecord):
    """Work done on road facilities: how many signals, signs, bays... and where."""

    unit = unit_fk("facility_works")
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    place = models.CharField(_("place"), max_length=200)
    done_on = HappenedDateField(_("done on"), db_index=True)
    hazard = optional_fk(Hazard, _("hazard"), related_name="facility_works")
    notes = LimitedTextField(_("notes"), blank=True, max_length=NOTE_LENGTH)
    recorded_by = user_ref(_("recorded by"))

    objects = FacilityWorkQuerySet.as_manager()

    class Meta:
        ordering = newest_first("done_on")
        verbose_name = _("facility work")
        verbose_name_plural = _("facility works")
        constraints = [
            length_limit("notes", NOTE_LENGTH),
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="facilitywork_quantity_positive",
                violation_error_message=_("The quantity must be at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.done_on} {self.get_kind_display()} ×{self.quantity}"
