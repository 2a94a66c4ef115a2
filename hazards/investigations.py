"""The hazards app's half of ``brigade.core.investigations``: a hazard investigation opened
from accident analysis (a black spot of the incidents app), and how one is named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone

from brigade.core.dates import local_tz
from brigade.core.investigations import Investigation, Investigations, Opening
from brigade.duty.models import Unit
from hazards.choices import OPEN_STATUSES, Element, HazardSource, HazardStatus, Severity
from hazards.models import Hazard
from hazards.services.hazards import hazard_report


def _named(hazard_id: int, status: str, verified_at: dt.datetime | None = None) -> Investigation:
    verified = status == HazardStatus.VERIFIED and verified_at is not None
    return Investigation(
        id=hazard_id,
        url=reverse("hazards:hazard_detail", args=[hazard_id]),
        api_url=reverse("hazards-api:hazard-detail", args=[hazard_id]),
        is_open=status in OPEN_STATUSES,
        verified_on=timezone.localtime(verified_at, local_tz()).date() if verified else None,
    )


def open_investigation(opening: Opening) -> Investigation:
    """Report a road hazard found by accident analysis, where the accidents cluster; its
    source accident is the latest of them (the description lists them all)."""
    hazard = hazard_report(
        unit=Unit.objects.get(pk=opening.unit_id),
        element=Element.ROAD,
        road=opening.road[:100],
        location=opening.location[:200],
        description=opening.description,
        severity=Severity.HIGH,
        source=HazardSource.ACCIDENT,
        latitude=opening.latitude,
        longitude=opening.longitude,
        by=opening.by,
        accident_id=opening.accident_id,
    )
    return _named(hazard.pk, hazard.status)


def find_investigations(ids: Iterable[int]) -> dict[int, Investigation]:
    rows = Hazard.objects.filter(pk__in=sorted(set(ids))).values_list("pk", "status", "verified_at")
    return {pk: _named(pk, status, verified_at) for pk, status, verified_at in rows}


def register() -> None:
    from brigade.core.investigations import register_investigations

    register_investigations(Investigations(open=open_investigation, find=find_investigations))
