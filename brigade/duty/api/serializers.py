"""Serializers of the duty API (units, officers, posts, shifts, patrols, training): fields
listed explicitly, server-set fields read-only, on the core's field types
(``brigade.core.api.fields``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from brigade.core.api.fields import (
    TIMESTAMPS,
    ChoicesField,
    HoursField,
    ModelRulesSerializer,
    NotesField,
    RelatedRef,
    TimestampField,
    label_of,
)
from brigade.core.timecheck import PhoneTimeValidator
from brigade.duty import choices, models
from brigade.duty.models import PATROL_RECORD_FIELDS

# --- Reference data -----------------------------------------------------------------------


def place_ref() -> serializers.PrimaryKeyRelatedField:
    """A record's place in the gazetteer (an accident's, a hazard's), by id: an active place,
    optional; the one picked is kept, and gives its point when no point is given."""
    return serializers.PrimaryKeyRelatedField(
        queryset=models.Place.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_(
            "The road or intersection of the brigade's register (id): the one picked, or the "
            "nearest to the point; its point is taken when no point is given."
        ),
    )


class UnitSerializer(ModelRulesSerializer):
    kind = ChoicesField(choices.UnitKind, required=False)

    class Meta:
        model = models.Unit
        fields = ("id", "code", "name", "name_en", "kind", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class PlaceSerializer(ModelRulesSerializer):
    """A road, segment or intersection of the brigade's gazetteer (kept in the admin)."""

    kind = ChoicesField(choices.PlaceKind)
    unit = RelatedRef(queryset=models.Unit.objects.all(), required=False, allow_null=True)

    class Meta:
        model = models.Place
        fields = (
            "id",
            "name",
            "name_en",
            "kind",
            "latitude",
            "longitude",
            "line",
            "unit",
            "is_active",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


class OfficerSerializer(ModelRulesSerializer):
    unit = RelatedRef(queryset=models.Unit.objects.all())
    kind = ChoicesField(choices.OfficerKind, required=False)
    username = serializers.CharField(source="user.username", read_only=True, allow_null=True)

    class Meta:
        model = models.Officer
        fields = (
            "id",
            "badge_no",
            "name",
            "kind",
            "unit",
            "motorcycle_certified",
            "phone",
            "is_active",
            "username",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


class DutyPostSerializer(ModelRulesSerializer):
    unit = RelatedRef(queryset=models.Unit.objects.all())
    kind = ChoicesField(choices.PostKind)

    class Meta:
        model = models.DutyPost
        fields = (
            "id",
            "name",
            "name_en",
            "unit",
            "kind",
            "location",
            "latitude",
            "longitude",
            "start_time",
            "end_time",
            "weekdays",
            "is_active",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


class CampaignSerializer(ModelRulesSerializer):
    class Meta:
        model = models.Campaign
        fields = (
            "id",
            "name",
            "name_en",
            "description",
            "focus",
            "starts_on",
            "ends_on",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


class RoadWorksZoneSerializer(ModelRulesSerializer):
    unit = RelatedRef(queryset=models.Unit.objects.all())

    class Meta:
        model = models.RoadWorksZone
        fields = (
            "id",
            "name",
            "name_en",
            "road",
            "description",
            "unit",
            "starts_on",
            "ends_on",
            "extra_officers",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


class SchoolBreakSerializer(ModelRulesSerializer):
    class Meta:
        model = models.SchoolBreak
        fields = ("id", "name", "name_en", "starts_on", "ends_on", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


# --- Shifts -------------------------------------------------------------------------------


class ShiftSerializer(serializers.ModelSerializer):
    """One officer on one post for one time window; the unit is the post's."""

    officer = RelatedRef(queryset=models.Officer.objects.all(), display=("name", "badge_no"))
    post = RelatedRef(queryset=models.DutyPost.objects.all())
    unit = RelatedRef(read_only=True)

    class Meta:
        model = models.Shift
        fields = ("id", "officer", "post", "unit", "starts_at", "ends_at", "duty", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


# --- Patrols ------------------------------------------------------------------------------


class PatrolTallySerializer(serializers.Serializer):
    """One violation count: a row of a patrol's tallies, and the +/- of the tally action."""

    kind = ChoicesField(choices.ViolationKind)
    # A field, not Field.label: DRF's metaclass takes declared fields off the class.
    label = serializers.CharField(source="get_kind_display", read_only=True)  # type: ignore[assignment]
    count = serializers.IntegerField(read_only=True)
    delta = serializers.IntegerField(
        write_only=True,
        min_value=-1000,
        max_value=1000,
        help_text=_("How many to add; negative to correct a mistaken tap."),
    )
    at = TimestampField(
        required=False,
        write_only=True,
        label=_("tapped at"),
        validators=[PhoneTimeValidator(_("tapped at"))],
        help_text=_(
            "When the tap was made on the phone (a queued tap sent later); now if left out. "
            "Not before the patrol's start: the count is credited to the patrol's week."
        ),
    )


class PatrolSerializer(serializers.ModelSerializer):
    """A patrol or spell of post duty, with its violation counts."""

    # Expects the annotations and prefetch of models.PatrolLog.objects.for_list().

    officer = RelatedRef(read_only=True, display=("name", "badge_no"))
    unit = RelatedRef(read_only=True)
    mode = ChoicesField(choices.PatrolMode, read_only=True)
    post = RelatedRef(read_only=True, allow_null=True)
    zone = RelatedRef(read_only=True, allow_null=True)
    campaign = RelatedRef(read_only=True, allow_null=True)
    weather = ChoicesField(choices.Weather, allow_blank=True, read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    duration_hours = HoursField()
    tallies = PatrolTallySerializer(many=True, read_only=True)
    violations_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = models.PatrolLog
        fields = (
            "id",
            "officer",
            "unit",
            *PATROL_RECORD_FIELDS,
            "is_open",
            "duration_hours",
            "tallies",
            "violations_total",
            *TIMESTAMPS,
        )
        read_only_fields = fields


class PatrolStartSerializer(serializers.Serializer):
    """Input of a start; the officer is always the requesting user's own profile."""

    mode = ChoicesField(choices.PatrolMode)
    post = RelatedRef(queryset=models.DutyPost.objects.all(), required=False, allow_null=True)
    zone = RelatedRef(queryset=models.RoadWorksZone.objects.all(), required=False, allow_null=True)
    campaign = RelatedRef(queryset=models.Campaign.objects.all(), required=False, allow_null=True)
    weather = ChoicesField(choices.Weather, required=False, allow_blank=True)
    notes = NotesField(required=False, allow_blank=True)
    started_at = TimestampField(
        required=False,
        label=label_of(models.PatrolLog, "started_at"),
        validators=[PhoneTimeValidator(label_of(models.PatrolLog, "started_at"))],
        help_text=_("When the patrol began; now if left out."),
    )
    shift = RelatedRef(
        queryset=models.Shift.objects.all(),
        display=("duty",),
        required=False,
        allow_null=True,
        help_text=_(
            "One of your shifts on the day of the start: the patrol is duty at its post and "
            "checks in there at the start."
        ),
    )


class PatrolEndSerializer(serializers.Serializer):
    ended_at = TimestampField(
        required=False,
        label=label_of(models.PatrolLog, "ended_at"),
        validators=[PhoneTimeValidator(label_of(models.PatrolLog, "ended_at"))],
        help_text=_("When the patrol ended; now if left out."),
    )
    notes = NotesField(required=False, allow_blank=True)


class PatrolCheckInSerializer(serializers.Serializer):
    post = RelatedRef(
        queryset=models.DutyPost.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The post checked in at; the patrol's own post if left out."),
    )
    at = TimestampField(
        required=False,
        label=label_of(models.PatrolLog, "checked_in_at"),
        validators=[PhoneTimeValidator(label_of(models.PatrolLog, "checked_in_at"))],
        help_text=_("Arrival time; now if left out."),
    )


class PatrolDetailsSerializer(serializers.Serializer):
    """What may be changed on a patrol directly: the rest goes through its actions."""

    weather = ChoicesField(choices.Weather, allow_blank=True)
    notes = NotesField(allow_blank=True)


class PatrolTalliesSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(max_value=100000),
        help_text=_("Violation kind → absolute count."),
    )


# --- Training -----------------------------------------------------------------------------


class TrainingAttendanceSerializer(serializers.ModelSerializer):
    """One attendance as nested in a training session."""

    officer = RelatedRef(read_only=True, display=("name", "badge_no"))
    result = ChoicesField(choices.AssessmentResult, read_only=True)

    class Meta:
        model = models.Attendance
        fields = ("id", "officer", "attended", "result", "score")
        read_only_fields = fields


class TrainingSessionSerializer(ModelRulesSerializer):
    """A training session with its attendance counts."""

    # attended/passed/failed are annotations of the viewset's queryset.

    unit = RelatedRef(queryset=models.Unit.objects.all())
    kind = ChoicesField(choices.TrainingKind)
    attended = serializers.IntegerField(read_only=True, help_text=_("Officers who attended."))
    passed = serializers.IntegerField(read_only=True, help_text=_("Assessed and passed."))
    failed = serializers.IntegerField(read_only=True, help_text=_("Assessed and failed."))

    class Meta:
        model = models.TrainingSession
        fields: tuple[str, ...] = (
            "id",
            "unit",
            "kind",
            "title",
            "held_on",
            "location",
            "notes",
            "attended",
            "passed",
            "failed",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


class TrainingSessionDetailSerializer(TrainingSessionSerializer):
    attendances = TrainingAttendanceSerializer(many=True, read_only=True)

    class Meta(TrainingSessionSerializer.Meta):
        fields = (*TrainingSessionSerializer.Meta.fields, "attendances")


class AttendanceSerializer(serializers.ModelSerializer):
    """One officer at one training session; recording it again corrects it."""

    session = RelatedRef(queryset=models.TrainingSession.objects.all(), display=("title",))
    officer = RelatedRef(queryset=models.Officer.objects.all(), display=("name", "badge_no"))
    result = ChoicesField(choices.AssessmentResult, required=False)

    class Meta:
        model = models.Attendance
        fields = ("id", "session", "officer", "attended", "result", "score", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS
        # A second record of the same officer at the same session corrects the first.
        validators: list[Any] = []


class AttendanceChangeSerializer(AttendanceSerializer):
    """A correction of one attendance: who and which session stay as they are."""

    session = RelatedRef(read_only=True, display=("title",))
    officer = RelatedRef(read_only=True, display=("name", "badge_no"))
