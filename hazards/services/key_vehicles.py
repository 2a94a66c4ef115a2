"""The key-vehicle register: clearing a flagged vehicle."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brigade.core import dates
from brigade.core.errors import TransitionNotAllowed
from brigade.core.transitions import record_change, transition
from brigade.core.typing import Visitor
from hazards.choices import (
    KeyVehicleReason,
    KeyVehicleStatus,
)
from hazards.models import (
    KeyVehicle,
)

# --- key vehicles -----------------------------------------------------------------------------


@transaction.atomic
def key_vehicle_clear(
    *,
    vehicle: KeyVehicle,
    by: Visitor,
    inspection_date: dt.date | None = None,
    scrapping_certificate: str = "",
    note: str = "",
) -> KeyVehicle:
    """Clear a flagged vehicle, with the evidence its reason calls for."""
    scrapping_certificate = (scrapping_certificate or "").strip()
    note = (note or "").strip()
    if vehicle.reason == KeyVehicleReason.OVERDUE_INSPECTION:
        if inspection_date is None:
            raise ValidationError(
                {"inspection_date": _("Give the date the vehicle passed its inspection.")}
            )
        dates.check_fields(KeyVehicle, inspection_date=inspection_date)
    elif vehicle.reason == KeyVehicleReason.SCRAPPING:
        if not scrapping_certificate:
            raise ValidationError(
                {"scrapping_certificate": _("Give the scrapping certificate number.")}
            )
    elif not note:
        raise ValidationError({"note": _("Say how the violations were handled.")})
    now = timezone.now()
    transition(
        KeyVehicle,
        pk=vehicle.pk,
        source={"status": KeyVehicleStatus.FLAGGED},
        changes={
            "status": KeyVehicleStatus.CLEARED,
            "cleared_at": now,
            "cleared_by": by,
            "inspection_date": inspection_date,
            "scrapping_certificate": scrapping_certificate,
            "clearance_note": note,
            "updated_at": now,
        },
        refuse=lambda: TransitionNotAllowed(
            _("This vehicle has already been cleared."), state=KeyVehicleStatus.CLEARED
        ),
    )
    record_change(vehicle)
    return vehicle
