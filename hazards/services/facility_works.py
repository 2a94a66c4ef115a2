"""Facility works: recording (or correcting) one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from brigade.core import dates
from brigade.duty.models import Unit
from hazards.models import (
    FacilityWork,
    Hazard,
)

# --- facility works ---------------------------------------------------------------------------


@transaction.atomic
def facility_work_save(
    *,
    unit: Unit,
    kind: str,
    quantity: int,
    place: str,
    done_on: dt.date,
    hazard: Hazard | None = None,
    notes: str = "",
    by: Any = None,
    work: FacilityWork | None = None,
) -> FacilityWork:
    """Record (or correct) facility work; a linked hazard must be of the same unit."""
    dates.check_fields(FacilityWork, done_on=done_on)
    if hazard is not None and hazard.unit_id != unit.pk:
        raise ValidationError({"hazard": _("The hazard belongs to another unit.")})
    work = work or FacilityWork(recorded_by=by)
    work.unit = unit
    work.kind = kind
    work.quantity = quantity
    work.place = place
    work.done_on = done_on
    work.hazard = hazard
    work.notes = notes
    work.full_clean()
    work.save()
    return work
