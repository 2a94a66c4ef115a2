"""Serializers of the hazards API: fields listed explicitly, server-set fields read-only
(status, unit, every transition's time and author)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brigade.core import dates, geo
from brigade.core.api.fields import (
    TIMESTAMPS,
    ChoicesField,
    DayField,
    FreeTextField,
    ModelRulesSerializer,
    NotesField,
    RelatedRef,
    TimestampField,
    label_of,
)
from brigade.duty.api.serializers import place_ref
from brigade.duty.models import PatrolLog, Unit
from hazards import choices
from hazards.effect import effect
from hazards.models import FacilityWork, Hazard, HazardCheck, HazardPhoto, KeyVehicle
from hazards.services.hazards import REPORTED_FIELDS
from incidents.models import Accident
from petitions.models import Ticket


class HazardPhotoSerializer(serializers.ModelSerializer):
    stage = ChoicesField(choices.PhotoStage, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = HazardPhoto
        fields = ("id", "stage", "url", "created_at")
        read_only_fields = fields

    def get_url(self, photo: HazardPhoto) -> str:
        return reverse("hazards:hazardphoto_file", args=[photo.pk])


class HazardCheckSerializer(serializers.ModelSerializer):
    result = ChoicesField(choices.CheckResult, read_only=True)
    checked_by = serializers.CharField(source="checked_by.username", read_only=True, default=None)

    class Meta:
        model = HazardCheck
        fields = ("id", "result", "reason", "checked_by", "checked_at")
        read_only_fields = fields


def _source_id() -> serializers.PrimaryKeyRelatedField:
    """The id of a linked record (a source, an original), read-only, null when none."""
    return serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)


# Set by the services as a hazard moves through its states: read-only here.
WORKFLOW_FIELDS = (
    "responsible_party",
    "deadline",
    "measures",
    "assigned_at",
    "rectified_at",
    "rectified_on_time",
    "rectified_by",
    "verified_at",
    "verified_by",
    "verified_by_second_approver",
    "closed_at",
    "rejection_reason",
)


class HazardEffectSerializer(serializers.Serializer):
    """The effect of a verified rectification (hazards/effect.py)."""

    window_days = serializers.IntegerField()
    verified_on = serializers.DateField()
    before_from = serializers.DateField(allow_null=True)
    before_to = serializers.DateField(allow_null=True)
    after_from = serializers.DateField(allow_null=True)
    after_to = serializers.DateField(allow_null=True)
    before = serializers.IntegerField(allow_null=True)
    after = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(allow_null=True)
    change_pct = serializers.FloatField(allow_null=True)
    before_records_api = serializers.CharField(allow_null=True)
    after_records_api = serializers.CharField(allow_null=True)


class HazardSerializer(ModelRulesSerializer):
    """A hazard as lists and details show it; writes change its description only."""

    unit = RelatedRef(read_only=True)
    element = ChoicesField(choices.Element)
    source = ChoicesField(choices.HazardSource, read_only=True)  # type: ignore[assignment]
    severity = ChoicesField(choices.Severity)
    status = ChoicesField(choices.HazardStatus, read_only=True)
    reported_by = RelatedRef(read_only=True, display=("name", "badge_no"))
    # null when the hazard came from elsewhere (or is not a duplicate)
    patrol = _source_id()
    accident = _source_id()
    ticket = _source_id()
    duplicate_of = _source_id()
    is_overdue = serializers.BooleanField(read_only=True)  # Hazard.is_overdue()
    photos = HazardPhotoSerializer(many=True, read_only=True)
    checks = HazardCheckSerializer(many=True, read_only=True)
    # who did the work and who checked it (never the same person)
    rectified_by = serializers.CharField(
        source="rectified_by.username", read_only=True, default=None, allow_null=True
    )
    verified_by = serializers.CharField(
        source="verified_by.username", read_only=True, default=None, allow_null=True
    )
    effect = serializers.SerializerMethodField(
        help_text="A verified hazard's read only (null in lists): the accidents with injuries "
        "or deaths around it in equal windows before and after its verification."
    )

    class Meta:
        model = Hazard
        fields = (
            "id",
            "unit",
            *REPORTED_FIELDS,
            "gazetteer_place",
            "status",
            "found_at",
            "reported_by",
            "patrol",
            "accident",
            "ticket",
            *WORKFLOW_FIELDS,
            "duplicate_of",
            "is_overdue",
            "photos",
            "checks",
            "effect",
            *TIMESTAMPS,
        )
        # the place is picked on the report; a corrected point takes the place nearest to it
        read_only_fields = ("found_at", "gazetteer_place", *WORKFLOW_FIELDS, *TIMESTAMPS)

    @extend_schema_field(HazardEffectSerializer(allow_null=True))
    def get_effect(self, hazard: Hazard) -> dict[str, Any] | None:
        # two counts: on the one hazard's read only, never per row of a list
        if not self.context.get("with_effect"):
            return None
        return effect(hazard)


class HazardReportSerializer(serializers.Serializer):
    """Input of a report; the reporter is the requesting user's officer profile."""

    unit = RelatedRef(
        queryset=Unit.objects.all(),
        required=False,
        help_text=_("The unit; your own unit if left out."),
    )
    element = ChoicesField(choices.Element)
    source = ChoicesField(choices.HazardSource, required=False)  # type: ignore[assignment]
    severity = ChoicesField(choices.Severity, required=False)
    road = serializers.CharField(max_length=100)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = FreeTextField()
    latitude = geo.serializer_field("latitude")
    longitude = geo.serializer_field("longitude")
    gazetteer_place = place_ref()
    found_at = TimestampField(required=False, label=label_of(Hazard, "found_at"))
    patrol = RelatedRef(
        queryset=PatrolLog.objects.all(), required=False, allow_null=True, display=("id",)
    )
    accident = RelatedRef(
        queryset=Accident.objects.all(), required=False, allow_null=True, display=("road",)
    )
    ticket = RelatedRef(
        queryset=Ticket.objects.all(), required=False, allow_null=True, display=("number",)
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False)


class HazardAssignSerializer(serializers.Serializer):
    responsible_party = serializers.CharField(max_length=200)
    deadline = DayField(
        window=dates.PLANNED,
        label=label_of(Hazard, "deadline"),
        required=False,
        allow_null=True,
        help_text=_("By default, set by the severity."),
    )


class HazardRectifySerializer(serializers.Serializer):
    measures = FreeTextField()
    photos = serializers.ListField(child=serializers.FileField(), required=False)


class HazardPhotosSerializer(serializers.Serializer):
    stage = ChoicesField(choices.PhotoStage)
    photos = serializers.ListField(child=serializers.FileField())


class HazardVerifySerializer(serializers.Serializer):
    note = NotesField(required=False, allow_blank=True)


class HazardReasonSerializer(serializers.Serializer):
    reason = NotesField()


class HazardDuplicateSerializer(serializers.Serializer):
    original = RelatedRef(queryset=Hazard.objects.all(), display=("road",))


# Set by the services as a vehicle is flagged, cleared and reopened: read-only here.
CLEARANCE_FIELDS = (
    "flagged_at",
    "cleared_at",
    "inspection_date",
    "scrapping_certificate",
    "clearance_note",
    "reopened_count",
)


class KeyVehicleSerializer(ModelRulesSerializer):
    unit = RelatedRef(queryset=Unit.objects.all())
    kind = ChoicesField(choices.VehicleKind, required=False)
    reason = ChoicesField(choices.KeyVehicleReason)
    status = ChoicesField(choices.KeyVehicleStatus, read_only=True)

    class Meta:
        model = KeyVehicle
        fields = (
            "id",
            "unit",
            "plate",
            "kind",
            "owner",
            "reason",
            "status",
            *CLEARANCE_FIELDS,
            *TIMESTAMPS,
        )
        read_only_fields = (*CLEARANCE_FIELDS, *TIMESTAMPS)


class KeyVehicleClearSerializer(serializers.Serializer):
    inspection_date = DayField(
        required=False, allow_null=True, label=label_of(KeyVehicle, "inspection_date")
    )
    scrapping_certificate = serializers.CharField(max_length=50, required=False, allow_blank=True)
    note = NotesField(required=False, allow_blank=True)


class KeyVehicleImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    unit = RelatedRef(
        queryset=Unit.objects.all(),
        required=False,
        help_text=_("The unit whose register this is; your own unit if left out."),
    )


class FacilityWorkSerializer(ModelRulesSerializer):
    unit = RelatedRef(queryset=Unit.objects.all())
    kind = ChoicesField(choices.FacilityKind)
    hazard = RelatedRef(
        queryset=Hazard.objects.all(), required=False, allow_null=True, display=("road",)
    )

    class Meta:
        model = FacilityWork
        fields = (
            "id",
            "unit",
            "kind",
            "quantity",
            "place",
            "done_on",
            "hazard",
            "notes",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS
