"""Every write of the outreach app: events and their photos, assistance, commendations,
and the love stations' visit tallies.

Each write is one transaction; a ValidationError names the field at fault (HTTP 400) and
a closed love station refuses taps (TransitionNotAllowed, HTTP 409).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from brigade.core.errors import TransitionNotAllowed
from brigade.core.services import add_to_count
from brigade.core.timecheck import not_in_future
from brigade.core.units import unit_of_new_record
from brigade.core.uploads import validate_image
from brigade.duty.models import DutyPost, Officer, Unit
from outreach import models
from outreach.choices import AssistanceKind, CommendationKind, VenueKind

# Whose field a date handed to a service is, for its window and its name (brigade.core.dates).
_DATE_OWNERS: dict[str, type[Model]] = {
    "held_on": models.PublicityEvent,
    "occurred_at": models.AssistanceEvent,
    "received_on": models.Commendation,
    "day": models.StationVisitDay,
}


def _not_future_day(field: str, day: dt.date | dt.datetime) -> None:
    not_in_future(field, day, _DATE_OWNERS[field])


_not_future_time = _not_future_day


def _counts(**counts: int) -> None:
    errors = {
        name: _("The count cannot be negative.")
        for name, value in counts.items()
        if value is None or value < 0
    }
    if errors:
        raise ValidationError(errors)


def _by(record: Any, by: Any) -> None:
    """Name the writer in the record's history, also outside a request (API token, demo)."""
    if getattr(by, "is_authenticated", False):
        record._history_user = by


def _unit_of(by: Any, officers: list[Officer]) -> Unit:
    """A record belongs to the recorder's unit (the shared rule), else to the unit of the
    officers named."""
    unit = unit_of_new_record(by, None, otherwise=lambda: officers[0].unit if officers else None)
    if unit is None:
        raise ValidationError({"officers": _("Name at least one officer who was there.")})
    return unit


def _valid_photo(photo: Any) -> None:
    """Anything that is not an image is refused, as the ``photo`` field's message."""
    try:
        validate_image(photo)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc


R = TypeVar("R", models.PublicityEvent, models.AssistanceEvent)


def _write_with_officers(
    record: R | None, model: type[R], by: Any, officers: list[Officer], **values: object
) -> R:
    """Write ``values`` and the officers who were there (a publicity or assistance event);
    a new record (``record`` None) belongs to the recorder's unit and names the recorder."""
    if record is None:
        record = model(unit=_unit_of(by, officers), recorded_by=by)
    for name, value in values.items():
        setattr(record, name, value)
    _by(record, by)
    record.save()
    record.officers.set(officers)
    return record


# --- publicity events ---------------------------------------------------------------------


@transaction.atomic
def event_save(
    *,
    by: Any,
    held_on: dt.date,
    venue_kind: str,
    venue_name: str,
    topic: str,
    officers: Iterable[Officer] = (),
    audience: int = 0,
    consultations: int = 0,
    materials: int = 0,
    campaign: models.OutreachCampaign | None = None,
    notes: str = "",
    confirm_large_audience: bool = False,
    event: models.PublicityEvent | None = None,
) -> models.PublicityEvent:
    """Log (or correct) a publicity event; an audience over 100,000 must be confirmed."""
    officers = list(officers)
    if venue_kind not in VenueKind.values:
        raise ValidationError({"venue_kind": _("Unknown venue kind.")})
    _not_future_day("held_on", held_on)
    _counts(audience=audience, consultations=consultations, materials=materials)
    audience_changed = event is None or event.audience != audience
    if audience > models.LARGE_AUDIENCE and audience_changed and not confirm_large_audience:
        raise ValidationError(
            {
                "audience": _(
                    "%(audience)s people at one event is over %(limit)s: check the figure, "
                    "and confirm it if it is right."
                )
                % {"audience": f"{audience:,}", "limit": f"{models.LARGE_AUDIENCE:,}"}
            }
        )
    if campaign is not None and not campaign.is_running(held_on):
        raise ValidationError(
            {"campaign": pgettext("outreach campaign", "This campaign is not running on that day.")}
        )
    return _write_with_officers(
        event,
        models.PublicityEvent,
        by,
        officers,
        held_on=held_on,
        venue_kind=venue_kind,
        venue_name=venue_name.strip(),
        topic=topic.strip(),
        audience=audience,
        consultations=consultations,
        materials=materials,
        campaign=campaign,
        notes=notes,
    )


@transaction.atomic
def event_add_photo(
    *, event: models.PublicityEvent, photo: Any, by: Any, caption: str = ""
) -> models.EventPhoto:
    """Attach a photo to an event; anything that is not an image is refused."""
    _valid_photo(photo)
    return models.EventPhoto.objects.create(
        event=event, photo=photo, caption=caption, uploaded_by=by
    )


# --- assistance ---------------------------------------------------------------------------


@transaction.atomic
def assistance_save(
    *,
    by: Any,
    kind: str,
    occurred_at: dt.datetime,
    location: str,
    outcome: str,
    officers: Iterable[Officer] = (),
    description: str = "",
    assistance: models.AssistanceEvent | None = None,
) -> models.AssistanceEvent:
    """Log (or correct) help given to the public."""
    officers = list(officers)
    if kind not in AssistanceKind.values:
        raise ValidationError({"kind": _("Unknown kind of assistance.")})
    _not_future_time("occurred_at", occurred_at)
    return _write_with_officers(
        assistance,
        models.AssistanceEvent,
        by,
        officers,
        kind=kind,
        occurred_at=occurred_at,
        location=location.strip(),
        outcome=outcome.strip(),
        description=description,
    )


# --- commendations ------------------------------------------------------------------------


@transaction.atomic
def commendation_save(
    *,
    by: Any,
    giver: str,
    received_on: dt.date,
    kind: str = CommendationKind.BANNER,
    officer: Officer | None = None,
    recipient_unit: Unit | None = None,
    wording: str = "",
    reason: str = "",
    photo: Any = None,
    commendation: models.Commendation | None = None,
) -> models.Commendation:
    """Record a banner or letter of thanks, to exactly one officer or one unit."""
    if kind not in CommendationKind.values:
        raise ValidationError({"kind": _("Unknown kind of commendation.")})
    if (officer is None) == (recipient_unit is None):
        raise ValidationError(
            {"officer": _("Name either the officer or the unit it was given to, not both.")}
        )
    _not_future_day("received_on", received_on)
    if photo:
        _valid_photo(photo)
    commendation = commendation or models.Commendation(recorded_by=by)
    commendation.kind = kind
    commendation.giver = giver.strip()
    commendation.received_on = received_on
    commendation.officer = officer
    commendation.recipient_unit = recipient_unit
    commendation.unit = officer.unit if officer is not None else recipient_unit  # type: ignore[assignment]
    commendation.wording = wording
    commendation.reason = reason
    if photo:
        commendation.photo = photo
    _by(commendation, by)
    commendation.save()
    return commendation


# --- campaigns and love stations (reference data the commanders keep) ----------------------


Reference = TypeVar("Reference", models.OutreachCampaign, models.LoveStation)


def _write_reference(record: Reference, by: Any, **values: object) -> Reference:
    """Write ``values`` once the model's own rules (unique name, end after start, positive
    target) pass, as field messages, before anything is written."""
    for name, value in values.items():
        setattr(record, name, value)
    record.full_clean()
    _by(record, by)
    record.save()
    return record


@transaction.atomic
def campaign_save(
    *,
    by: Any,
    name: str,
    unit: Unit,
    starts_on: dt.date,
    goal_kind: str,
    goal_target: int,
    partner: str = "",
    description: str = "",
    ends_on: dt.date | None = None,
    name_en: str = "",
    campaign: models.OutreachCampaign | None = None,
) -> models.OutreachCampaign:
    """Create or change an outreach campaign (its goal and period)."""
    return _write_reference(
        campaign or models.OutreachCampaign(),
        by,
        name=name.strip(),
        name_en=name_en.strip(),
        unit=unit,
        partner=partner.strip(),
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        goal_kind=goal_kind,
        goal_target=goal_target,
    )


@transaction.atomic
def station_save(
    *,
    by: Any,
    name: str,
    unit: Unit,
    location: str,
    opening_hours: str,
    opened_on: dt.date,
    post: DutyPost | None = None,
    services: str = "",
    is_active: bool = True,
    name_en: str = "",
    station: models.LoveStation | None = None,
) -> models.LoveStation:
    """Create or change a love station; its kiosk or post must be of the same unit."""
    if post is not None and post.unit_id != unit.pk:
        raise ValidationError({"post": _("The kiosk or post belongs to another unit.")})
    return _write_reference(
        station or models.LoveStation(),
        by,
        name=name.strip(),
        name_en=name_en.strip(),
        unit=unit,
        location=location.strip(),
        opening_hours=opening_hours.strip(),
        opened_on=opened_on,
        post=post,
        services=services,
        is_active=is_active,
    )


# --- love stations' visits -----------------------------------------------------------------


def _station_open(station: models.LoveStation) -> None:
    if not models.LoveStation.objects.filter(pk=station.pk, is_active=True).exists():
        raise TransitionNotAllowed(
            _("This love station is closed: it takes no visits."), state="inactive"
        )


@transaction.atomic
def station_tally(*, station: models.LoveStation, delta: int, day: dt.date | None = None) -> int:
    """Add ``delta`` (+1 or −1 a tap) to a station's visits of ``day``; returns the count."""
    day = day or timezone.localdate()
    _not_future_day("day", day)
    _station_open(station)
    return add_to_count(models.StationVisitDay, "visits", delta, station=station, day=day)


@transaction.atomic
def station_set_visits(
    *, station: models.LoveStation, day: dt.date, visits: int
) -> models.StationVisitDay:
    """Set a day's visits outright (typed in afterwards from a paper tally)."""
    _not_future_day("day", day)
    _counts(visits=visits)
    _station_open(station)
    tally, _created = models.StationVisitDay.objects.update_or_create(
        station=station, day=day, defaults={"visits": visits}
    )
    return tally
