"""The duty domain: units, officers, posts, shifts, patrols, campaigns, training."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brigade.core import geo
from brigade.core.dates import HappenedDateTimeField, PlannedDateField, PlannedDateTimeField
from brigade.core.fields import (
    NOTE_LENGTH,
    TEXT_LENGTH,
    IdentifierField,
    LimitedTextField,
    ends_after_start,
    length_limit,
    one_per,
    optional_fk,
    tally_rules,
)
from brigade.core.modelbase import CodedRecord, HistoricalRecord, NamedRecord, Tally
from brigade.core.querysets import BrigadeWideQuerySet, UnitScopedQuerySet
from brigade.duty.choices import (
    AssessmentResult,
    OfficerKind,
    PatrolMode,
    PlaceKind,
    PostKind,
    TrainingKind,
    UnitKind,
    ViolationKind,
    Weather,
)
from brigade.duty.querysets import (
    AttendanceQuerySet,
    DutyPostQuerySet,
    OfficerQuerySet,
    PatrolLogQuerySet,
    ShiftQuerySet,
    TrainingSessionQuerySet,
    UnitQuerySet,
)

ALL_WEEKDAYS = "1234567"


class Unit(CodedRecord):
    """A squadron (中队) or the brigade headquarters; records are scoped to a unit."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.SQUADRON
    )
    robot_webhook_url = models.URLField(
        _("group robot webhook"),
        max_length=500,
        blank=True,
        # rows written by SQL (the benchmarks' loaders) need not know this column
        db_default="",
        help_text=_(
            "The address of the unit's group robot (WeCom or DingTalk style); "
            "escalations and the daily digest are posted there. Empty: none."
        ),
    )

    objects = UnitQuerySet.as_manager()

    class Meta(CodedRecord.Meta):
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    @property
    def unit_id(self) -> int:
        # Lets scoping treat a unit like any record that belongs to a unit.
        return self.pk


def unit_fk(related_name: str) -> models.ForeignKey[Unit, Unit]:
    """The unit a record belongs to, which scopes it and counts it in the unit's figures."""
    return models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name=related_name, verbose_name=_("unit")
    )


class Officer(HistoricalRecord):
    """A police officer, auxiliary or security staff member; optionally a login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officer",
        verbose_name=_("user"),
    )
    badge_no = IdentifierField(_("badge no."), max_length=20, unique=True, drop_spaces=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(
        _("kind"), max_length=20, choices=OfficerKind.choices, default=OfficerKind.POLICE
    )
    unit = unit_fk("officers")
    motorcycle_certified = models.BooleanField(_("motorcycle certified"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OfficerQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code", "badge_no"]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self) -> str:
        return f"{self.name} ({self.badge_no})"


class Leave(HistoricalRecord):
    """An officer away from duty for whole days (leave, sick leave, training away): not
    reminded of their items, which go to the unit's clerks or commanders meanwhile."""

    officer = models.ForeignKey(
        Officer, on_delete=models.CASCADE, related_name="leaves", verbose_name=_("officer")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), help_text=_("The last day of the leave."))
    reason = LimitedTextField(_("reason"), max_length=NOTE_LENGTH, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        constraints = [
            ends_after_start("leave_ends_after_start", open_ended=False),
            length_limit("reason", NOTE_LENGTH),
        ]
        indexes = [models.Index(fields=["officer", "starts_on"], name="leave_officer_start")]

    def __str__(self) -> str:
        return f"{self.officer} {self.starts_on}–{self.ends_on}"


class DutyPost(NamedRecord):
    """A post officers are assigned to (定岗), with the days and hours it is staffed."""

    name = models.CharField(_("name"), max_length=100)
    unit = unit_fk("posts")
    kind = models.CharField(_("kind"), max_length=20, choices=PostKind.choices)
    location = models.CharField(_("location"), max_length=200, blank=True)
    latitude = geo.model_field("latitude")
    longitude = geo.model_field("longitude")
    start_time = models.TimeField(_("staffed from"))
    end_time = models.TimeField(_("staffed until"))
    weekdays = models.CharField(
        _("weekdays"),
        max_length=7,
        default="12345",
        help_text=_("ISO weekday digits the post is staffed on, 1 = Monday … 7 = Sunday."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    active_from = PlannedDateField(
        _("in service from"),
        default=timezone.localdate,
        help_text=_("Coverage counts the post as planned from this day on."),
    )

    objects = DutyPostQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code", "name"]
        verbose_name = _("duty post")
        verbose_name_plural = _("duty posts")
        constraints = [
            one_per(
                ["unit", "name"],
                "dutypost_unique_name_in_unit",
                _("This unit already has a post with this name."),
            ),
        ]


class Campaign(NamedRecord):
    """A crackdown campaign (专项整治) that patrols and their tallies can be tagged to."""

    description = LimitedTextField(_("description"), blank=True, max_length=TEXT_LENGTH)
    focus = models.CharField(
        _("focus"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated violation kinds the campaign targets."),
    )
    starts_on = PlannedDateField(_("starts on"))
    ends_on = PlannedDateField(_("ends on"), null=True, blank=True)

    objects = BrigadeWideQuerySet.as_manager()  # crackdowns are brigade-wide

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            length_limit("description", TEXT_LENGTH),
            ends_after_start("campaign_ends_after_start"),
        ]

    def focus_kinds(self) -> list[str]:
        valid = set(ViolationKind.values)
        return [k.strip() for k in self.focus.split(",") if k.strip() in valid]


class RoadWorksZone(NamedRecord):
    """A road under construction that needs extra police presence."""

    name = models.CharField(_("name"), max_length=100)
    road = models.CharField(_("road"), max_length=100)
    description = LimitedTextField(_("description"), blank=True, max_length=TEXT_LENGTH)
    unit = unit_fk("zones")
    starts_on = PlannedDateField(_("works start"))
    ends_on = PlannedDateField(_("works end"), null=True, blank=True)
    extra_officers = models.PositiveSmallIntegerField(_("extra officers needed"), default=1)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("road-works zone")
        verbose_name_plural = _("road-works zones")
        constraints = [
            length_limit("description", TEXT_LENGTH),
            ends_after_start("zone_ends_after_start"),
        ]


class Place(NamedRecord):
    """A road, intersection or stretch of road in the brigade's own gazetteer (the intranet
    has no web geocoder): where accidents and hazards are placed, picked on a form or found
    as the nearest to a point. A road or stretch may carry its ``line``; its point is then
    the line's midpoint unless given."""

    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    latitude = geo.model_field("latitude", null=False)
    longitude = geo.model_field("longitude", null=False)
    line = models.JSONField(
        _("line"),
        null=True,
        blank=True,
        help_text=_("A road's course: a list of [latitude, longitude] vertices, or empty."),
    )
    # the box around the point and the line, kept on save: the nearest place is looked for
    # among the few whose box comes near a point (an indexed range query), not all
    south = models.FloatField(editable=False, default=0.0)
    north = models.FloatField(editable=False, default=0.0)
    west = models.FloatField(editable=False, default=0.0)
    east = models.FloatField(editable=False, default=0.0)
    unit = optional_fk(Unit, _("unit"), related_name="places", on_delete=models.PROTECT)
    is_active = models.BooleanField(_("active"), default=True)

    objects = BrigadeWideQuerySet.as_manager()  # the brigade's one register

    class Meta:
        ordering = ["name"]
        verbose_name = _("road or intersection")
        verbose_name_plural = _("roads and intersections")
        indexes = [models.Index(fields=["south", "north", "west", "east"])]

    def clean(self) -> None:
        super().clean()
        if self.line in (None, "", []):
            self.line = None
        else:
            try:
                self.line = geo.check_line(self.line)
            except ValidationError as exc:
                raise ValidationError({"line": exc.messages}) from exc
        if self.latitude is None and self.longitude is None and self.line:
            lat, lng = geo.line_midpoint(self.line)
            self.latitude = Decimal(f"{lat:.6f}")
            self.longitude = Decimal(f"{lng:.6f}")
        geo.check_point(self.latitude, self.longitude, on_missing=True)
        if self.latitude is None:
            raise ValidationError({"latitude": _("Give the point, or the line it lies on.")})

    def vertices(self) -> list[tuple[float, float]]:
        """The line's vertices, or the point alone."""
        if self.line:
            return [(float(v[0]), float(v[1])) for v in self.line]
        return [(float(self.latitude), float(self.longitude))]

    def save(self, *args: Any, **kwargs: Any) -> None:
        points = [*self.vertices(), (float(self.latitude), float(self.longitude))]
        self.south = min(p[0] for p in points)
        self.north = max(p[0] for p in points)
        self.west = min(p[1] for p in points)
        self.east = max(p[1] for p in points)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "south", "north", "west", "east"}
        super().save(*args, **kwargs)


def place_fk(related_name: str) -> models.ForeignKey[Place | None, Place | None]:
    """A record's place in the gazetteer: the one picked, or the nearest to its point."""
    return optional_fk(Place, _("gazetteer place"), related_name=related_name)


class SchoolBreak(NamedRecord):
    """A school holiday (winter/summer break): school posts are not staffed then."""

    name = models.CharField(_("name"), max_length=100)
    starts_on = PlannedDateField(_("starts on"))
    ends_on = PlannedDateField(_("ends on"))

    objects = BrigadeWideQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("school break")
        verbose_name_plural = _("school breaks")
        constraints = [
            ends_after_start("schoolbreak_ends_after_start", open_ended=False),
        ]


class Shift(HistoricalRecord):
    """One officer on one post for one time window (定人定岗定责)."""

    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("officer")
    )
    post = models.ForeignKey(
        DutyPost, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("post")
    )
    unit = unit_fk("shifts")
    starts_at = PlannedDateTimeField(_("starts at"))
    ends_at = PlannedDateTimeField(_("ends at"))
    duty = models.CharField(_("duty"), max_length=200, blank=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message=_("The shift must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["officer", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.officer} @ {self.post}"


# What an officer records on a patrol, in reading order (the API's fields, the history's).
PATROL_RECORD_FIELDS = (
    "mode",
    "post",
    "zone",
    "campaign",
    "started_at",
    "ended_at",
    "checked_in_at",
    "weather",
    "notes",
)


class PatrolLog(HistoricalRecord):
    """A patrol or a spell of post duty, from start to end, with what was done on it."""

    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("officer")
    )
    unit = unit_fk("patrols")
    mode = models.CharField(_("mode"), max_length=20, choices=PatrolMode.choices)
    post = optional_fk(DutyPost, _("post"), related_name="patrols", on_delete=models.PROTECT)
    zone = optional_fk(
        RoadWorksZone, _("road-works zone"), related_name="patrols", on_delete=models.PROTECT
    )
    campaign = optional_fk(
        Campaign, _("campaign"), related_name="patrols", on_delete=models.PROTECT
    )
    started_at = HappenedDateTimeField(_("started at"), default=timezone.now, db_index=True)
    ended_at = HappenedDateTimeField(_("ended at"), null=True, blank=True)
    checked_in_at = HappenedDateTimeField(
        _("checked in at post"), null=True, blank=True, db_index=True
    )
    weather = models.CharField(_("weather"), max_length=20, choices=Weather.choices, blank=True)
    notes = LimitedTextField(_("notes"), blank=True, max_length=NOTE_LENGTH)

    objects = PatrolLogQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("patrol log")
        verbose_name_plural = _("patrol logs")
        constraints = [
            length_limit("notes", NOTE_LENGTH),
            # The database, not only the service, refuses a second open patrol.
            models.UniqueConstraint(
                fields=["officer"],
                condition=Q(ended_at__isnull=True),
                name="patrollog_one_open_per_officer",
                violation_error_message=_("This officer already has a patrol in progress."),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=models.F("started_at")),
                name="patrollog_ends_after_start",
                violation_error_message=_("The end must be after the start of the patrol."),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "started_at"]),
            # a post's check-ins in a date range: coverage of a few weeks (KPI recompute)
            models.Index(fields=["post", "checked_in_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.get_mode_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def duration_hours(self, at=None) -> float:
        end = self.ended_at or at or timezone.now()
        return max((end - self.started_at).total_seconds(), 0) / 3600


class ViolationTally(Tally):
    """How many violations of one kind an officer corrected on one patrol."""

    patrol = models.ForeignKey(
        PatrolLog, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("patrol")
    )
    kind = models.CharField(_("violation"), max_length=30, choices=ViolationKind.choices)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("violation tally")
        verbose_name_plural = _("violation tallies")
        constraints = tally_rules("tally", per=["patrol", "kind"], count="count")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.count}"


class TrainingSession(HistoricalRecord):
    """A study session, lecture, education viewing, drill or motorcycle-skills course."""

    unit = unit_fk("trainings")
    kind = models.CharField(_("kind"), max_length=20, choices=TrainingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = PlannedDateField(_("held on"), db_index=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    notes = LimitedTextField(_("notes"), blank=True, max_length=NOTE_LENGTH)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "title"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            length_limit("notes", NOTE_LENGTH),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Attendance(HistoricalRecord):
    """One officer at one training session, with the assessment result if assessed."""

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("session"),
    )
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("officer")
    )
    attended = models.BooleanField(_("attended"), default=True)
    result = models.CharField(
        _("assessment"),
        max_length=20,
        choices=AssessmentResult.choices,
        default=AssessmentResult.NOT_ASSESSED,
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["session", "officer__badge_no"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            one_per(
                ["session", "officer"],
                "attendance_once",
                _("This officer is already recorded for the session."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} @ {self.session}"


__all__ = [
    "PATROL_RECORD_FIELDS",
    "Attendance",
    "Campaign",
    "DutyPost",
    "Leave",
    "Officer",
    "PatrolLog",
    "RoadWorksZone",
    "SchoolBreak",
    "Shift",
    "TrainingSession",
    "Unit",
    "ViolationTally",
    "unit_fk",
]
