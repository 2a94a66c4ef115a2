"""Enumerations of the incidents app: never bare strings in code or data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    PROPERTY = "property", _("Property damage only")
    INJURY = "injury", _("Injury")
    FATAL = "fatal", _("Fatal")


class HandlingMode(models.TextChoices):
    """How the accident was handled: 快处快赔 for minor ones, else the simple or general
    procedure."""

    QUICK = "quick", _("Quick settlement")
    SIMPLE = "simple", _("Simple procedure")
    GENERAL = "general", _("General procedure")


class MediationOutcome(models.TextChoices):
    NONE = "", _("No mediation")
    AGREED = "agreed", _("Agreement reached")
    FAILED = "failed", _("No agreement")
    PENDING = "pending", _("Mediation in progress")


class PartyRole(models.TextChoices):
    DRIVER = "driver", _("Driver")
    RIDER = "rider", _("Rider")
    PEDESTRIAN = "pedestrian", _("Pedestrian")
    PASSENGER = "passenger", _("Passenger")
    OWNER = "owner", _("Vehicle owner")


class VehicleKind(models.TextChoices):
    NONE = "", _("No vehicle")
    CAR = "car", _("Car")
    TRUCK = "truck", _("Truck")
    BUS = "bus", _("Bus")
    MOTORCYCLE = "motorcycle", _("Motorcycle")
    EBIKE = "ebike", _("Electric bicycle")
    LOW_SPEED_EV = "low_speed_ev", _("Low-speed electric vehicle")
    BICYCLE = "bicycle", _("Bicycle")
    OTHER = "other", _("Other vehicle")


class Liability(models.TextChoices):
    UNDETERMINED = "", _("Not determined")
    FULL = "full", _("Full")
    MAIN = "main", _("Main")
    EQUAL = "equal", _("Equal")
    MINOR = "minor", _("Minor")
    NONE = "none", _("None")


class SolvedHow(models.TextChoices):
    """How a hit-and-run driver was found."""

    SURVEILLANCE = "surveillance", _("Surveillance video")
    WITNESS = "witness", _("Witness lead")
    SURRENDERED = "surrendered", _("Driver gave themselves up")
    VEHICLE_TRACE = "vehicle_trace", _("Vehicle traced")
    OTHER = "other", _("Other")


class AdvancePurpose(models.TextChoices):
    RESCUE = "rescue", _("Rescue (medical treatment)")
    FUNERAL = "funeral", _("Funeral")
    OTHER = "other", _("Other")


class AdvanceStatus(models.TextChoices):
    """requested → approved → paid; or rejected."""

    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class RecoveryWarning(models.TextChoices):
    NONE = "", _("On schedule")
    DUE_SOON = "due_soon", _("Recovery due soon")
    OVERDUE = "overdue", _("Recovery overdue")
