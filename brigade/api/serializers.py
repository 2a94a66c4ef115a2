"""Serializers of the brigade API: fields listed explicitly, server-set fields read-only.

Two field types carry the conventions of every app's API:

- ``RelatedRef``: a foreign key is sent as an id and returned as ``{id, name, ...}``;
  the id must name a record the requesting user may see, so an unknown or out-of-scope
  id is the same 400 field error ("Invalid pk ... object does not exist"), never a leak.
- ``ChoicesField``: a choice field tied to its ``TextChoices`` class, documented as one
  named enum (``PatrolModeEnum``) however many serializers use it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brigade import dates
from brigade.api.exceptions import validation_messages
from brigade.choices import (
    AssessmentResult,
    OfficerKind,
    PatrolMode,
    PostKind,
    TrainingKind,
    UnitKind,
    ViolationKind,
    Weather,
)
from brigade.models import (
    Attendance,
    Campaign,
    DutyPost,
    Officer,
    PatrolLog,
    RoadWorksZone,
    SchoolBreak,
    Shift,
    TrainingSession,
    Unit,
)

TIMESTAMPS = ("created_at", "updated_at")

# --- Field types --------------------------------------------------------------------------


class RelatedRef(serializers.PrimaryKeyRelatedField):
    """In: the id of a record visible to the requesting user. Out: ``{id, <display>}``."""

    def __init__(self, display: Iterable[str] = ("name",), **kwargs: Any) -> None:
        self.display = tuple(display)
        super().__init__(**kwargs)

    def use_pk_only_optimization(self) -> bool:
        return False

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        queryset: Any = super().get_queryset()
        return queryset.visible_to(getattr(request, "user", None))

    def to_representation(self, value: Any) -> dict[str, Any]:
        return {"id": value.pk, **{name: getattr(value, name) for name in self.display}}


def model_field(field: serializers.Field) -> Any:
    """The model field a serializer field reads (``source`` on its serializer's model), or
    None: what the schema needs to know whether a read-only value can be null or blank."""
    meta = getattr(getattr(field, "parent", None), "Meta", None)
    model = getattr(meta, "model", None)
    source = getattr(field, "source", None) or getattr(field, "field_name", None)
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except Exception:
        return None


def can_be_null(field: serializers.Field) -> bool:
    found = model_field(field)
    return bool(field.allow_null or (field.read_only and found is not None and found.null))


class RelatedRefExtension(OpenApiSerializerFieldExtension):
    target_class = RelatedRef
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        display = self.target.display
        properties = {"id": build_basic_type(OpenApiTypes.INT)}
        properties.update({name: build_basic_type(OpenApiTypes.STR) for name in display})
        schema = build_object_type(properties=properties, required=["id", *display])
        if can_be_null(self.target):  # a nullable foreign key shown read-only
            schema["nullable"] = True
        return schema


class ChoicesField(serializers.ChoiceField):
    """A choice field that knows its ``TextChoices`` class (for the OpenAPI enum name)."""

    def __init__(self, choices_class: type[models.TextChoices], **kwargs: Any) -> None:
        self.choices_class = choices_class
        super().__init__(choices=choices_class.choices, **kwargs)


def _text_choices(base: type = models.TextChoices) -> Iterator[type]:
    for sub in base.__subclasses__():
        yield sub
        yield from _text_choices(sub)


def enum_prefix(choices: type[models.TextChoices]) -> str:
    """The class's name, led by its app's when another app has a class of that name
    (hazards' and incidents' ``Severity``): one schema component per distinct enum."""
    name = choices.__name__
    if any(c.__name__ == name and c is not choices for c in _text_choices()):
        return choices.__module__.split(".")[0].title() + name
    return name


class ChoicesFieldExtension(OpenApiSerializerFieldExtension):
    target_class = ChoicesField
    match_subclasses = True

    def _blank(self) -> bool:
        found = model_field(self.target) if self.target.read_only else None
        return bool(self.target.allow_blank or (found is not None and found.blank))

    def get_name(self) -> str:
        blank = "OrBlank" if self._blank() else ""
        return f"{enum_prefix(self.target.choices_class)}{blank}Enum"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        choices = self.target.choices_class
        values = list(choices.values) + ([""] if self._blank() else [])
        described = "\n".join(f"* `{value}` - {label}" for value, label in choices.choices)
        return {"type": "string", "enum": values, "description": described}


class _WindowMixin:
    """A date in the brigade's window (brigade.dates), refused with the field's name and
    the range it accepts. ``window=None`` leaves the window to the model field's own
    validators (the model serializers' fields)."""

    label: Any
    validators: list[Any]

    def __init__(self, *, window: str | None = dates.HAPPENED, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.window = window

    def bind(self, field_name: str, parent: Any) -> None:
        named = self.label is not None
        super().bind(field_name, parent)  # type: ignore[misc]
        if not named:
            # not the field's name made into English words ("New due"): the model
            # field's verbose name, translated, on a model serializer
            found = model_field(self)  # type: ignore[arg-type]
            if found is not None:
                self.label = found.verbose_name
        if self.window is not None:
            self.validators.append(dates.DateWindowValidator(self.window, self.label))


def label_of(model: type[models.Model], name: str) -> Any:
    """A model field's verbose name (translated lazily): the label of a plain
    serializer's field that carries it, so that a refusal names it in the reader's
    language."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), name
    return field.verbose_name


class TimestampField(_WindowMixin, serializers.DateTimeField):
    """A date and time that happened (or ``window=dates.PLANNED``), within the window."""


class DayField(_WindowMixin, serializers.DateField):
    """A date that happened (or ``window=dates.PLANNED``: a deadline), within the window."""


class ModelTimestampField(TimestampField):
    """A model field's date and time: its window comes with the model's validators."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(window=None, **kwargs)


# Every model serializer's date-time fields are ModelTimestampFields.
serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = ModelTimestampField


@extend_schema_field(OpenApiTypes.FLOAT)
class HoursField(serializers.ReadOnlyField):
    """A duration in hours, two decimals."""

    def to_representation(self, value: Any) -> float:
        return round(value, 2)


# --- Base ---------------------------------------------------------------------------------


class ModelRulesSerializer(serializers.ModelSerializer):
    """A plain CRUD serializer that also checks the model's own ``Meta.constraints``.

    DRF does not run check constraints; without this, an end before a start would reach
    the database and fail as a 500 instead of answering 400.
    """

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model: Any = self.Meta.model
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        try:
            candidate.validate_constraints()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(validation_messages(exc)) from exc
        return attrs


# --- Reference data -----------------------------------------------------------------------


class UnitSerializer(ModelRulesSerializer):
    kind = ChoicesField(UnitKind, required=False)

    class Meta:
        model = Unit
        fields = ("id", "code", "name", "kind", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class OfficerSerializer(ModelRulesSerializer):
    unit = RelatedRef(queryset=Unit.objects.all())
    kind = ChoicesField(OfficerKind, required=False)
    username = serializers.CharField(source="user.username", read_only=True, allow_null=True)

    class Meta:
        model = Officer
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
    unit = RelatedRef(queryset=Unit.objects.all())
    kind = ChoicesField(PostKind)

    class Meta:
        model = DutyPost
        fields = (
            "id",
            "name",
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
        model = Campaign
        fields = ("id", "name", "description", "focus", "starts_on", "ends_on", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class RoadWorksZoneSerializer(ModelRulesSerializer):
    unit = RelatedRef(queryset=Unit.objects.all())

    class Meta:
        model = RoadWorksZone
        fields = (
            "id",
            "name",
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
        model = SchoolBreak
        fields = ("id", "name", "starts_on", "ends_on", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


# --- Shifts -------------------------------------------------------------------------------


class ShiftSerializer(serializers.ModelSerializer):
    """One officer on one post for one time window; the unit is the post's."""

    officer = RelatedRef(queryset=Officer.objects.all(), display=("name", "badge_no"))
    post = RelatedRef(queryset=DutyPost.objects.all())
    unit = RelatedRef(read_only=True)

    class Meta:
        model = Shift
        fields = ("id", "officer", "post", "unit", "starts_at", "ends_at", "duty", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


# --- Patrols ------------------------------------------------------------------------------


class PatrolTallySerializer(serializers.Serializer):
    """One violation count: a row of a patrol's tallies, and the +/- of the tally action."""

    kind = ChoicesField(ViolationKind)
    # A field, not Field.label: DRF's metaclass takes declared fields off the class.
    label = serializers.CharField(source="get_kind_display", read_only=True)  # type: ignore[assignment]
    count = serializers.IntegerField(read_only=True)
    delta = serializers.IntegerField(
        write_only=True,
        min_value=-1000,
        max_value=1000,
        help_text=_("How many to add; negative to correct a mistaken tap."),
    )


class PatrolSerializer(serializers.ModelSerializer):
    """A patrol or spell of post duty, with its violation counts."""

    # Expects the annotations and prefetch of PatrolLog.objects.for_list().

    officer = RelatedRef(read_only=True, display=("name", "badge_no"))
    unit = RelatedRef(read_only=True)
    mode = ChoicesField(PatrolMode, read_only=True)
    post = RelatedRef(read_only=True, allow_null=True)
    zone = RelatedRef(read_only=True, allow_null=True)
    campaign = RelatedRef(read_only=True, allow_null=True)
    weather = ChoicesField(Weather, allow_blank=True, read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    duration_hours = HoursField()
    tallies = PatrolTallySerializer(many=True, read_only=True)
    violations_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = PatrolLog
        fields = (
            "id",
            "officer",
            "unit",
            "mode",
            "post",
            "zone",
            "campaign",
            "started_at",
            "ended_at",
            "checked_in_at",
            "weather",
            "notes",
            "is_open",
            "duration_hours",
            "tallies",
            "violations_total",
            *TIMESTAMPS,
        )
        read_only_fields = fields


class PatrolStartSerializer(serializers.Serializer):
    """Input of a start; the officer is always the requesting user's own profile."""

    mode = ChoicesField(PatrolMode)
    post = RelatedRef(queryset=DutyPost.objects.all(), required=False, allow_null=True)
    zone = RelatedRef(queryset=RoadWorksZone.objects.all(), required=False, allow_null=True)
    campaign = RelatedRef(queryset=Campaign.objects.all(), required=False, allow_null=True)
    weather = ChoicesField(Weather, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    started_at = TimestampField(
        required=False,
        label=label_of(PatrolLog, "started_at"),
        help_text=_("When the patrol began; now if left out."),
    )
    shift = RelatedRef(
        queryset=Shift.objects.all(),
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
        label=label_of(PatrolLog, "ended_at"),
        help_text=_("When the patrol ended; now if left out."),
    )
    notes = serializers.CharField(required=False, allow_blank=True)


class PatrolCheckInSerializer(serializers.Serializer):
    post = RelatedRef(
        queryset=DutyPost.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The post checked in at; the patrol's own post if left out."),
    )
    at = TimestampField(
        required=False,
        label=label_of(PatrolLog, "checked_in_at"),
        help_text=_("Arrival time; now if left out."),
    )


class PatrolDetailsSerializer(serializers.Serializer):
    """What may be changed on a patrol directly: the rest goes through its actions."""

    weather = ChoicesField(Weather, allow_blank=True)
    notes = serializers.CharField(allow_blank=True)


class PatrolTalliesSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(max_value=100000),
        help_text=_("Violation kind → absolute count."),
    )


# --- Training -----------------------------------------------------------------------------


class TrainingAttendanceSerializer(serializers.ModelSerializer):
    """One attendance as nested in a training session."""

    officer = RelatedRef(read_only=True, display=("name", "badge_no"))
    result = ChoicesField(AssessmentResult, read_only=True)

    class Meta:
        model = Attendance
        fields = ("id", "officer", "attended", "result", "score")
        read_only_fields = fields


class TrainingSessionSerializer(ModelRulesSerializer):
    """A training session with its attendance counts."""

    # attended/passed/failed are annotations of the viewset's queryset.

    unit = RelatedRef(queryset=Unit.objects.all())
    kind = ChoicesField(TrainingKind)
    attended = serializers.IntegerField(read_only=True, help_text=_("Officers who attended."))
    passed = serializers.IntegerField(read_only=True, help_text=_("Assessed and passed."))
    failed = serializers.IntegerField(read_only=True, help_text=_("Assessed and failed."))

    class Meta:
        model = TrainingSession
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

    session = RelatedRef(queryset=TrainingSession.objects.all(), display=("title",))
    officer = RelatedRef(queryset=Officer.objects.all(), display=("name", "badge_no"))
    result = ChoicesField(AssessmentResult, required=False)

    class Meta:
        model = Attendance
        fields = ("id", "session", "officer", "attended", "result", "score", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS
        # A second record of the same officer at the same session corrects the first.
        validators: list[Any] = []


class AttendanceChangeSerializer(AttendanceSerializer):
    """A correction of one attendance: who and which session stay as they are."""

    session = RelatedRef(read_only=True, display=("title",))
    officer = RelatedRef(read_only=True, display=("name", "badge_no"))


# --- Authentication -----------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
