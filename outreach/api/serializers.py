"""Serializers of the outreach API: fields listed explicitly, server-set fields read-only
(the unit a record belongs to, who recorded it, timestamps, campaign progress)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brigade.core.api.fields import (
    TIMESTAMPS,
    ChoicesField,
    DayField,
    ModelRulesSerializer,
    RelatedRef,
    label_of,
)
from brigade.duty.models import DutyPost, Officer, Unit
from outreach import models
from outreach.choices import AssistanceKind, CommendationKind, GoalKind, VenueKind

OFFICER_DISPLAY = ("name", "badge_no")


# The largest count a PositiveIntegerField holds on every database: a larger one is a 400,
# not PostgreSQL's "integer out of range" as a 500.
MAX_COUNT = 2_147_483_647


def _count(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_COUNT, **kwargs)


class OutreachCampaignSerializer(ModelRulesSerializer):
    unit = RelatedRef(queryset=Unit.objects.all())
    goal_kind = ChoicesField(GoalKind)
    goal_target = serializers.IntegerField(min_value=1, max_value=MAX_COUNT)
    progress = serializers.IntegerField(read_only=True)
    event_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = models.OutreachCampaign
        fields = (
            "id",
            "name",
            "name_en",
            "partner",
            "description",
            "unit",
            "starts_on",
            "ends_on",
            "goal_kind",
            "goal_target",
            "progress",
            "event_count",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


class EventPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = models.EventPhoto
        fields = ("id", "caption", "url", "created_at")
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, photo: models.EventPhoto) -> str:
        return reverse("outreach:eventphoto_file", args=[photo.pk])


class EventPhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField()
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class _WithOfficersSerializer(serializers.ModelSerializer):
    """A record of officers who were there: its unit (set by the server), the officers,
    and who recorded it."""

    unit = RelatedRef(read_only=True)
    officers = RelatedRef(
        many=True, queryset=Officer.objects.all(), display=OFFICER_DISPLAY, required=False
    )
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, allow_null=True
    )


class PublicityEventSerializer(_WithOfficersSerializer):
    venue_kind = ChoicesField(VenueKind)
    audience = _count()
    consultations = _count(required=False, default=0)
    materials = _count(required=False, default=0)
    campaign = RelatedRef(
        queryset=models.OutreachCampaign.objects.all(),
        allow_null=True,
        required=False,
        default=None,
    )
    confirm_large_audience = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Required (true) when the audience is over 100,000.",
    )
    photos = EventPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = models.PublicityEvent
        fields = (
            "id",
            "held_on",
            "venue_kind",
            "venue_name",
            "topic",
            "unit",
            "officers",
            "audience",
            "consultations",
            "materials",
            "campaign",
            "notes",
            "confirm_large_audience",
            "recorded_by",
            "photos",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


class AssistanceEventSerializer(_WithOfficersSerializer):
    kind = ChoicesField(AssistanceKind)

    class Meta:
        model = models.AssistanceEvent
        fields = (
            "id",
            "kind",
            "occurred_at",
            "location",
            "description",
            "outcome",
            "unit",
            "officers",
            "recorded_by",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


# What a commendation's writer gives (the unit follows the officer or is the one thanked).
COMMENDATION_FIELDS = (
    "kind",
    "giver",
    "wording",
    "reason",
    "received_on",
    "officer",
    "recipient_unit",
)


class CommendationSerializer(serializers.ModelSerializer):
    kind = ChoicesField(CommendationKind, required=False, default=CommendationKind.BANNER)
    officer = RelatedRef(
        queryset=Officer.objects.all(),
        display=OFFICER_DISPLAY,
        allow_null=True,
        required=False,
        default=None,
    )
    recipient_unit = RelatedRef(
        queryset=Unit.objects.all(), allow_null=True, required=False, default=None
    )
    unit = RelatedRef(read_only=True)
    photo = serializers.FileField(write_only=True, required=False, allow_null=True)
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = models.Commendation
        fields = (
            "id",
            *COMMENDATION_FIELDS,
            "unit",
            "photo",
            "photo_url",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS

    @extend_schema_field(OpenApiTypes.URI)
    def get_photo_url(self, commendation: models.Commendation) -> str | None:
        if not commendation.photo:
            return None
        return reverse("outreach:commendation_photo", args=[commendation.pk])


class LoveStationSerializer(ModelRulesSerializer):
    unit = RelatedRef(queryset=Unit.objects.all())
    post = RelatedRef(queryset=DutyPost.objects.all(), allow_null=True, required=False)
    visits_today = serializers.IntegerField(read_only=True, source="visits_on_day")
    visits_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = models.LoveStation
        fields = (
            "id",
            "name",
            "name_en",
            "location",
            "post",
            "opening_hours",
            "services",
            "unit",
            "opened_on",
            "is_active",
            "visits_today",
            "visits_total",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


class StationTallySerializer(serializers.Serializer):
    """A tap (``delta`` +1/−1) on a day's visits, or the day's count set outright."""

    day = DayField(required=False, label=label_of(models.StationVisitDay, "day"))
    delta = serializers.ChoiceField(choices=[1, -1], required=False)
    visits = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("delta" in attrs) == ("visits" in attrs):
            raise serializers.ValidationError(
                {"delta": [_("Send either a tap (delta +1 or -1) or the day's visits.")]}
            )
        if "visits" in attrs and "day" not in attrs:
            raise serializers.ValidationError({"day": [_("Say which day the visits are of.")]})
        return attrs


class StationTallyResultSerializer(serializers.Serializer):
    day = serializers.DateField()
    visits = serializers.IntegerField()
