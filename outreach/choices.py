"""Enumerations of the outreach app: never bare strings in code or data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VenueKind(models.TextChoices):
    """Where a publicity event went: the "seven intos" (七进), or a key-date campaign."""

    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    FAMILY = "family", _("Family")
    WORKPLACE = "workplace", _("Workplace")
    STATION = "station", _("Station")
    KEY_DATE = "key_date", _("Key-date campaign")


class GoalKind(models.TextChoices):
    """What an outreach campaign's target counts. Venue goals share their value with
    ``VenueKind``, so progress compares an event's venue kind to the goal directly."""

    SCHOOLS = "school", _("Schools covered")
    ENTERPRISES = "enterprise", _("Enterprises covered")
    COMMUNITIES = "community", _("Communities covered")
    VILLAGES = "village", _("Villages covered")
    EVENTS = "events", _("Events held")
    PEOPLE = "people", _("People educated")


VENUE_GOALS = frozenset(
    {GoalKind.SCHOOLS, GoalKind.ENTERPRISES, GoalKind.COMMUNITIES, GoalKind.VILLAGES}
)


class AssistanceKind(models.TextChoices):
    MEDICAL_ESCORT = "medical_escort", _("Medical escort")
    REUNITED = "reunited", _("Lost elder or child reunited")
    LOST_PROPERTY = "lost_property", _("Lost property returned")
    EXAM_ESCORT = "exam_escort", _("Exam escort")
    OTHER = "other", _("Other help")


class CommendationKind(models.TextChoices):
    BANNER = "banner", _("Banner")
    LETTER = "letter", _("Letter of thanks")
