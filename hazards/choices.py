"""Enumerations of the hazards app: never bare strings in code or data."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Element(models.TextChoices):
    """The six elements of road safety a hazard is filed under (人车路企管境)."""

    PEOPLE = "people", pgettext_lazy("road safety element", "People")
    VEHICLE = "vehicle", pgettext_lazy("road safety element", "Vehicle")
    ROAD = "road", pgettext_lazy("road safety element", "Road")
    ENTERPRISE = "enterprise", pgettext_lazy("road safety element", "Enterprise")
    MANAGEMENT = "management", pgettext_lazy("road safety element", "Management")
    ENVIRONMENT = "environment", pgettext_lazy("road safety element", "Environment")


class HazardSource(models.TextChoices):
    PATROL = "patrol", _("Patrol")
    ACCIDENT = "accident", _("Accident analysis")
    TICKET = "ticket", _("Citizen ticket")
    INSPECTION = "inspection", _("Inspection")


class Severity(models.TextChoices):
    LOW = "low", _("Minor")
    MEDIUM = "medium", _("Moderate")
    HIGH = "high", _("Serious")
    CRITICAL = "critical", _("Critical")


# Days a responsible party gets to fix a hazard, by severity, unless the commander says.
DEFAULT_DEADLINE_DAYS = {
    Severity.LOW: 30,
    Severity.MEDIUM: 15,
    Severity.HIGH: 7,
    Severity.CRITICAL: 3,
}


class HazardStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ASSIGNED = "assigned", _("Assigned")
    RECTIFYING = "rectifying", _("Rectifying")
    RECTIFIED = "rectified", _("Rectified, awaiting check")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


OPEN_STATUSES = (
    HazardStatus.REPORTED,
    HazardStatus.ASSIGNED,
    HazardStatus.RECTIFYING,
    HazardStatus.RECTIFIED,
)
CLOSED_STATUSES = (HazardStatus.VERIFIED, HazardStatus.REJECTED, HazardStatus.DUPLICATE)
# Not hazards at all: left out of "found" and of every rate.
DISCARDED_STATUSES = (HazardStatus.REJECTED, HazardStatus.DUPLICATE)


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


class CheckResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class VehicleKind(models.TextChoices):
    PASSENGER = "passenger", _("Passenger vehicle")
    TRUCK = "truck", _("Truck")
    HAZMAT = "hazmat", _("Hazardous goods vehicle")
    SCHOOL_BUS = "school_bus", _("School bus")
    COACH = "coach", _("Coach")
    OTHER = "other", _("Other")


class KeyVehicleReason(models.TextChoices):
    OVERDUE_INSPECTION = "overdue_inspection", _("Overdue inspection")
    SCRAPPING = "scrapping", _("Due for scrapping")
    VIOLATIONS = "violations", _("Unhandled violations")


class KeyVehicleStatus(models.TextChoices):
    FLAGGED = "flagged", _("Flagged")
    CLEARED = "cleared", _("Cleared")


class FacilityKind(models.TextChoices):
    SIGNAL = "signal", _("Signal lights repaired")
    SIGN_POLE = "sign_pole", _("Signs and poles repaired")
    MARKING = "marking", _("Markings repainted")
    PARKING_BAY = "parking_bay", _("Parking bays painted")
    SCHOOL_FRONT = "school_front", _("School-front facilities")
