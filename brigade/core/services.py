"""Write steps the apps' services share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext as _


def add_to_count(model: type[models.Model], field: str, delta: int, **key: Any) -> int:
    """Add ``delta`` (+1 or −1 a tap) to the counter ``field`` of the row ``key`` selects
    (made at zero if there is none yet); returns the new count.

    One conditional UPDATE: concurrent taps add up and the count never goes below zero (a
    ValidationError on ``delta``). The row's ``updated_at`` is then saved: a history row per
    change."""
    tally, _created = model._default_manager.get_or_create(**key)
    floor = Q(**{f"{field}__gte": -delta}) if delta < 0 else Q()
    updated = model._default_manager.filter(floor, pk=tally.pk).update(**{field: F(field) + delta})
    if not updated:
        raise ValidationError({"delta": _("The count cannot go below zero.")})
    tally.refresh_from_db(fields=[field])
    tally.save(update_fields=["updated_at"])
    count: int = getattr(tally, field)
    return count
