"""Enumerations of the incidents app: never bare strings in code or data."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Severity(models.TextChoices):
    PROPERTY = "property", _("Property damage only")
    INJURY = "injury", _("Injury")
    FATAL = "fatal", _("Fatal")


# What black spots count (and their thresholds name): accidents with injuries or deaths.
SERIOUS = (Severity.INJURY, Severity.FATAL)


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
    NONE = "", pgettext_lazy("vehicle kind", "No vehicle")
    CAR = "car", pgettext_lazy("vehicle kind", "Car")
    TRUCK = "truck", pgettext_lazy("vehicle kind", "Truck")
    BUS = "bus", pgettext_lazy("vehicle kind", "Bus")
    MOTORCYCLE = "motorcycle", pgettext_lazy("vehicle kind", "Motorcycle")
    EBIKE = "ebike", pgettext_lazy("vehicle kind", "Electric bicycle")
    LOW_SPEED_EV = "low_speed_ev", pgettext_lazy("vehicle kind", "Low-speed electric vehicle")
    BICYCLE = "bicycle", pgettext_lazy("vehicle kind", "Bicycle")
    OTHER = "other", pgettext_lazy("vehicle kind", "Other vehicle")


class Liability(models.TextChoices):
    UNDETERMINED = "", pgettext_lazy("liability", "Not determined")
    FULL = "full", pgettext_lazy("liability", "Full")
    MAIN = "main", pgettext_lazy("liability", "Main")
    EQUAL = "equal", pgettext_lazy("liability", "Equal")
    MINOR = "minor", pgettext_lazy("liability", "Minor")
    NONE = "none", pgettext_lazy("liability", "None")


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


class SpotKind(models.TextChoices):
    """What a black spot is: a cell of the map's grid with its ring, or a gazetteer place."""

    CELL = "cell", _("Grid cell and its neighbours")
    PLACE = "place", _("Road or intersection")
