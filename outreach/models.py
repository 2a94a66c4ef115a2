"""Engagement with the public: publicity events (七进 and key-date campaigns), outreach
campaigns, love stations (爱心驿站), assistance to the public and commendations received."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brigade.core.dates import HappenedDateField, HappenedDateTimeField, PlannedDateField
from brigade.core.fields import (
    NOTE_LENGTH,
    TEXT_LENGTH,
    LimitedTextField,
    ends_after_start,
    length_limit,
    optional_fk,
    tally_rules,
    user_ref,
)
from brigade.core.modelbase import HistoricalRecord, NamedRecord, Tally, newest_first
from brigade.core.models import TimeStampedModel
from brigade.core.uploads import upload_path, validate_image
from brigade.duty.models import DutyPost, Officer, Unit, unit_fk
from outreach.choices import AssistanceKind, CommendationKind, GoalKind, VenueKind
from outreach.querysets import (
    AssistanceEventQuerySet,
    CommendationQuerySet,
    EventPhotoQuerySet,
    LoveStationQuerySet,
    OutreachCampaignQuerySet,
    PublicityEventQuerySet,
    StationVisitDayQuerySet,
)

# One event educating more people than this is a typo more often than a stadium: the
# writer must confirm it explicitly.
LARGE_AUDIENCE = 100_000


class OutreachCampaign(NamedRecord):
    """A publicity project with a partner and a goal (e.g. the school "yellow cap" project
    with the education bureau); not to be confused with a crackdown (brigade.Campaign)."""

    partner = models.CharField(_("partner"), max_length=100, blank=True)
    description = LimitedTextField(_("description"), blank=True, max_length=TEXT_LENGTH)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="outreach_campaigns",
        verbose_name=_("lead unit"),
    )
    starts_on = PlannedDateField(_("starts on"))
    ends_on = PlannedDateField(_("ends on"), null=True, blank=True)
    goal_kind = models.CharField(_("goal"), max_length=20, choices=GoalKind.choices)
    goal_target = models.PositiveIntegerField(_("target"))

    objects = OutreachCampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("outreach campaign")
        verbose_name_plural = _("outreach campaigns")
        constraints = [
            length_limit("description", TEXT_LENGTH),
            ends_after_start("outreachcampaign_ends_after_start"),
            models.CheckConstraint(
                condition=Q(goal_target__gt=0),
                name="outreachcampaign_target_positive",
                violation_error_message=_("The target must be at least 1."),
            ),
        ]

    def is_running(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class PublicityEvent(TimeStampedModel):
    """Officers went into a venue (or ran a key-date campaign) and educated its public."""

    held_on = HappenedDateField(_("date"), db_index=True)
    venue_kind = models.CharField(_("venue kind"), max_length=20, choices=VenueKind.choices)
    venue_name = models.CharField(_("venue"), max_length=150)
    topic = models.CharField(_("topic"), max_length=200)
    unit = unit_fk("publicity_events")
    officers = models.ManyToManyField(
        Officer, related_name="publicity_events", blank=True, verbose_name=_("officers present")
    )
    audience = models.PositiveIntegerField(_("people educated"), default=0)
    consultations = models.PositiveIntegerField(_("consultations answered"), default=0)
    materials = models.PositiveIntegerField(_("materials handed out"), default=0)
    campaign = optional_fk(
        OutreachCampaign, _("outreach campaign"), related_name="events", on_delete=models.PROTECT
    )
    notes = LimitedTextField(_("notes"), blank=True, max_length=NOTE_LENGTH)
    recorded_by = user_ref(_("recorded by"))
    history = HistoricalRecords(m2m_fields=[officers])

    objects = PublicityEventQuerySet.as_manager()

    class Meta:
        ordering = newest_first("held_on")
        verbose_name = _("publicity event")
        verbose_name_plural = _("publicity events")
        indexes = [models.Index(fields=["unit", "held_on"])]
        constraints = [
            length_limit("notes", NOTE_LENGTH),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.venue_name}"


class EventPhoto(HistoricalRecord):
    """A photo taken at a publicity event (content-checked, served only to those who may
    see the event)."""

    event = models.ForeignKey(
        PublicityEvent, on_delete=models.CASCADE, related_name="photos", verbose_name=_("event")
    )
    photo = models.FileField(
        _("photo"), upload_to=upload_path("outreach/photos"), validators=[validate_image]
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = user_ref(_("uploaded by"))

    objects = EventPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")

    def __str__(self) -> str:
        return self.caption or f"{self.event} #{self.pk}"


class LoveStation(NamedRecord):
    """A love station (爱心驿站): a kiosk or post where outdoor workers rest, warm up,
    charge a phone or get water."""

    location = models.CharField(_("where"), max_length=200)
    post = optional_fk(
        DutyPost, _("kiosk or post"), related_name="love_stations", on_delete=models.PROTECT
    )
    opening_hours = models.CharField(_("opening hours"), max_length=100)
    services = LimitedTextField(_("services"), blank=True, max_length=NOTE_LENGTH)
    unit = unit_fk("love_stations")
    opened_on = HappenedDateField(_("opened on"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = LoveStationQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code", "name"]
        verbose_name = _("love station")
        verbose_name_plural = _("love stations")
        constraints = [
            length_limit("services", NOTE_LENGTH),
        ]


class StationVisitDay(Tally):
    """How many people a love station served on one day (a tally, tapped +/−)."""

    station = models.ForeignKey(
        LoveStation,
        on_delete=models.CASCADE,
        related_name="visit_days",
        verbose_name=_("love station"),
    )
    day = HappenedDateField(_("day"))
    visits = models.PositiveIntegerField(_("visits"), default=0)

    objects = StationVisitDayQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        verbose_name = _("station visit day")
        verbose_name_plural = _("station visit days")
        constraints = tally_rules("visitday", per=["station", "day"], count="visits")

    def __str__(self) -> str:
        return f"{self.station} {self.day:%Y-%m-%d}: {self.visits}"


class AssistanceEvent(TimeStampedModel):
    """Help given to a member of the public: an escort to hospital or an exam, a lost
    elder or child reunited, lost property returned."""

    kind = models.CharField(_("kind"), max_length=20, choices=AssistanceKind.choices)
    occurred_at = HappenedDateTimeField(_("when"), db_index=True)
    location = models.CharField(_("where"), max_length=200)
    description = LimitedTextField(_("what happened"), blank=True, max_length=TEXT_LENGTH)
    outcome = models.CharField(_("outcome"), max_length=200)
    unit = unit_fk("assistance_events")
    officers = models.ManyToManyField(
        Officer, related_name="assistance_events", blank=True, verbose_name=_("officers")
    )
    recorded_by = user_ref(_("recorded by"))
    history = HistoricalRecords(m2m_fields=[officers])

    objects = AssistanceEventQuerySet.as_manager()

    class Meta:
        ordering = newest_first("occurred_at")
        verbose_name = _("assistance event")
        verbose_name_plural = _("assistance events")
        indexes = [models.Index(fields=["unit", "occurred_at"])]
        constraints = [
            length_limit("description", TEXT_LENGTH),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.location}"


class Commendation(HistoricalRecord):
    """A banner (锦旗) or letter of thanks from the public, to one officer or one unit."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=CommendationKind.choices, default=CommendationKind.BANNER
    )
    giver = models.CharField(_("from"), max_length=150)
    wording = models.CharField(
        _("wording"), max_length=200, blank=True, help_text=_("What the banner or letter says.")
    )
    reason = LimitedTextField(_("for what"), blank=True, max_length=NOTE_LENGTH)
    received_on = HappenedDateField(_("received on"), db_index=True)
    officer = optional_fk(
        Officer, _("to officer"), related_name="commendations", on_delete=models.PROTECT
    )
    recipient_unit = optional_fk(
        Unit, _("to unit"), related_name="commendations_received", on_delete=models.PROTECT
    )
    # The unit the record belongs to (the officer's, or the commended unit): set by the
    # service, it scopes the record and counts it in the unit's figures.
    unit = unit_fk("commendations")
    photo = models.FileField(
        _("photo"),
        upload_to=upload_path("outreach/commendations"),
        validators=[validate_image],
        blank=True,
    )
    recorded_by = user_ref(_("recorded by"))

    objects = CommendationQuerySet.as_manager()

    class Meta:
        ordering = newest_first("received_on")
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        constraints = [
            length_limit("reason", NOTE_LENGTH),
            models.CheckConstraint(
                condition=(Q(officer__isnull=False) & Q(recipient_unit__isnull=True))
                | (Q(officer__isnull=True) & Q(recipient_unit__isnull=False)),
                name="commendation_one_recipient",
                violation_error_message=_("Name either an officer or a unit, not both."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.giver}"

    @property
    def recipient(self) -> Officer | Unit | None:
        return self.officer or self.recipient_unit
