"""The hazard's writes: reporting, correcting, photos and the rectification workflow.

Transitions are conditional updates (``filter(pk=, status__in=FROM).update()``): zero rows
means the hazard moved under us (another commander verified it first), answered as
``TransitionNotAllowed`` naming the state it is in now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brigade.core import dates, geo
from brigade.core.errors import TransitionNotAllowed
from brigade.core.permissions import four_eyes
from brigade.core.transitions import move, refusal
from brigade.core.uploads import validate_image
from brigade.duty.models import Officer, PatrolLog, Place, Unit
from brigade.duty.places import check_place, point_from_place
from hazards.choices import (
    DEFAULT_DEADLINE_DAYS,
    CheckResult,
    HazardSource,
    HazardStatus,
    PhotoStage,
    Severity,
)
from hazards.models import (
    Hazard,
    HazardCheck,
    HazardPhoto,
)
from hazards.transitions import HAZARD_TRANSITIONS

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

MAX_PHOTOS = 10


def default_deadline(severity: str, start: dt.date | None = None) -> dt.date:
    """The deadline a responsible party gets by default: shorter the more serious."""
    start = start or timezone.localdate()
    return start + dt.timedelta(days=DEFAULT_DEADLINE_DAYS.get(Severity(severity), 15))


def _state_label(status: str) -> str:
    return str(HazardStatus(status).label) if status in HazardStatus.values else status


def _refused(hazard: Hazard, action: str) -> TransitionNotAllowed:
    return refusal(
        hazard,
        _("This hazard cannot be %(action)s: it is %(state)s."),
        label=_state_label,
        action=action,
    )


def _move(hazard: Hazard, name: str, *, action: str, **changes: Any) -> Hazard:
    """Action ``name`` of the hazard's table (hazards/transitions.py) with ``changes``: the
    conditional update, then its history row. ``repeated`` is set when the hazard was
    already where a repeatable action leads (brigade/core/transitions.py)."""
    moved = move(
        hazard, HAZARD_TRANSITIONS, name, changes=changes, refuse=lambda: _refused(hazard, action)
    )
    hazard.repeated = not moved  # type: ignore[attr-defined]
    return hazard


def _close(
    hazard: Hazard, name: str, *, action: str, at: dt.datetime | None = None, **changes: Any
) -> Hazard:
    """A closing action (verify, reject, duplicate): ``_move`` that also sets when the
    hazard was closed (``at``, else now)."""
    return _move(hazard, name, action=action, closed_at=at or timezone.now(), **changes)


def _required_text(value: str, field: str, message: StrOrPromise) -> str:
    """``value`` without its surrounding spaces; a ValidationError on ``field`` if empty."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _check_open(hazard: Hazard, name: str, action: str) -> None:
    """An action that changes no state (photos, corrections): refused unless the table
    allows it from the state the hazard is in now."""
    current = Hazard.objects.filter(pk=hazard.pk).values_list("status", flat=True).first()
    if current is None or not HAZARD_TRANSITIONS.allows(current, name):
        raise _refused(hazard, action)


def _check_photos(photos: Iterable[UploadedFile]) -> list[UploadedFile]:
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)s photos at a time.") % {"n": MAX_PHOTOS}})
    errors: list[str] = []
    for photo in photos:
        try:
            validate_image(photo)
        except ValidationError as exc:
            name = getattr(photo, "name", "") or _("photo")
            errors.extend(f"{name}: {message}" for message in exc.messages)
    if errors:
        raise ValidationError({"photos": errors})
    return photos


def _save_photos(hazard: Hazard, photos: list[UploadedFile], stage: str, by: Any) -> None:
    for photo in photos:
        HazardPhoto.objects.create(hazard=hazard, stage=stage, file=photo, uploaded_by=by)


# --- reporting --------------------------------------------------------------------------------


@transaction.atomic
def hazard_report(
    *,
    unit: Unit,
    element: str,
    road: str,
    description: str,
    severity: str = Severity.MEDIUM,
    source: str | None = None,
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    gazetteer_place: Place | None = None,
    found_at: dt.datetime | None = None,
    reported_by: Officer | None = None,
    patrol: PatrolLog | None = None,
    photos: Iterable[UploadedFile] = (),
    by: Any = None,
    **links: Any,
) -> Hazard:
    """Report a hazard (from the road, a patrol, an accident or a ticket), with photos. A
    place picked from the register is kept (not the nearest to the point) and, with no point
    given, gives the hazard its point."""
    found_at = found_at or timezone.now()
    dates.check_fields(Hazard, found_at=found_at)
    if not source:
        if links.get("accident") is not None:
            source = HazardSource.ACCIDENT
        elif links.get("ticket") is not None:
            source = HazardSource.TICKET
        else:
            source = (
                HazardSource.PATROL
                if patrol is not None or reported_by
                else HazardSource.INSPECTION
            )
    geo.check_point(latitude, longitude)
    check_place(gazetteer_place)
    point = {"gazetteer_place": gazetteer_place, "latitude": latitude, "longitude": longitude}
    point_from_place(point)
    if patrol is not None and patrol.unit_id != unit.pk:
        raise ValidationError({"patrol": _("This patrol belongs to another unit.")})
    for name, record in links.items():
        if record is not None and getattr(record, "unit_id", unit.pk) != unit.pk:
            raise ValidationError({name: _("This record belongs to another unit.")})
    photos = _check_photos(photos)
    hazard = Hazard(
        unit=unit,
        element=element,
        road=road,
        description=description,
        severity=severity,
        source=source,
        location=location,
        **point,
        found_at=found_at,
        reported_by=reported_by,
        patrol=patrol,
        **links,
    )
    hazard.full_clean()
    hazard.save()
    _save_photos(hazard, photos, PhotoStage.BEFORE, by)
    return hazard


# What a report says, in the order the API shows it; all of it may be corrected while the
# hazard is open but where the report came from.
REPORTED_FIELDS = (
    "element",
    "source",
    "severity",
    "road",
    "location",
    "description",
    "latitude",
    "longitude",
)
EDITABLE_FIELDS = tuple(name for name in REPORTED_FIELDS if name != "source")


@transaction.atomic
def hazard_update(*, hazard: Hazard, **changes: Any) -> Hazard:
    """Correct what was reported (place, description, element, severity) while it is open."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    locked = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if not HAZARD_TRANSITIONS.allows(locked.status, "edit"):
        raise _refused(locked, _("changed"))
    moved = any(
        name in changes and changes[name] != getattr(locked, name)
        for name in ("latitude", "longitude")
    )
    for name, value in changes.items():
        setattr(locked, name, value)
    if moved:
        # the point moved: the place nearest to the new point (found on save)
        locked.gazetteer_place = None
    geo.check_point(locked.latitude, locked.longitude)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def hazard_add_photos(
    *, hazard: Hazard, photos: Iterable[UploadedFile], stage: str, by: Any
) -> int:
    """Add photos to a hazard that is still open."""
    photos = _check_photos(photos)
    if not photos:
        raise ValidationError({"photos": _("Choose at least one photo.")})
    _check_open(hazard, "photos", _("given photos"))
    _save_photos(hazard, photos, stage, by)
    return len(photos)


# --- the workflow -----------------------------------------------------------------------------


@transaction.atomic
def hazard_assign(
    *,
    hazard: Hazard,
    responsible_party: str,
    deadline: dt.date | None = None,
    by: Any = None,
) -> Hazard:
    """Name who fixes the hazard and by when (default: by its severity)."""
    responsible_party = _required_text(
        responsible_party, "responsible_party", _("Name the responsible party.")
    )
    today = timezone.localdate()
    deadline = deadline or default_deadline(hazard.severity, today)
    if deadline < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    dates.check_fields(Hazard, deadline=deadline)
    return _move(
        hazard,
        "assign",
        action=_("assigned"),
        responsible_party=responsible_party,
        deadline=deadline,
        assigned_at=timezone.now(),
    )


@transaction.atomic
def hazard_start(*, hazard: Hazard) -> Hazard:
    """The responsible party has begun the work."""
    return _move(
        hazard,
        "start",
        action=_("started"),
    )


@transaction.atomic
def hazard_rectify(
    *,
    hazard: Hazard,
    measures: str,
    photos: Iterable[UploadedFile] = (),
    rectified_at: dt.datetime | None = None,
    by: Any = None,
) -> Hazard:
    """Record the measures taken (and after-photos); the hazard then awaits its check."""
    measures = _required_text(measures, "measures", _("Describe the measures taken."))
    photos = _check_photos(photos)
    rectified_at = rectified_at or timezone.now()
    dates.check_fields(Hazard, rectified_at=rectified_at)
    current = Hazard.objects.filter(pk=hazard.pk).values_list("deadline", flat=True).first()
    on_time = current is None or timezone.localdate(rectified_at) <= current
    hazard = _move(
        hazard,
        "rectify",
        action=_("marked rectified"),
        measures=measures,
        rectified_at=rectified_at,
        rectified_on_time=on_time,
        rectified_by=by if getattr(by, "pk", None) is not None else None,
    )
    _save_photos(hazard, photos, PhotoStage.AFTER, by)
    return hazard


def _checker(hazard: Hazard, by: Any, name: str, message: str) -> bool:
    """The four-eyes rule for a check of ``hazard``'s rectification (its rectifier as the
    row says now); True when ``by`` checks as the second approver."""
    rectifier = Hazard.objects.filter(pk=hazard.pk).values_list("rectified_by", flat=True).first()
    return four_eyes(
        by=by, doer_id=rectifier, roles=HAZARD_TRANSITIONS[name].roles or (), message=message
    )


@transaction.atomic
def hazard_verify(*, hazard: Hazard, by: Any, note: str = "") -> Hazard:
    """A commander checks the rectification and accepts it: the hazard is closed. Never
    the rectifier (four eyes)."""
    as_second = _checker(
        hazard, by, "verify", _("You rectified this hazard: someone else must verify it.")
    )
    now = timezone.now()
    hazard = _close(
        hazard,
        "verify",
        action=_("verified"),
        at=now,
        verified_at=now,
        verified_by=by,
        verified_by_second_approver=as_second,
    )
    if hazard.repeated:  # type: ignore[attr-defined]
        return hazard
    HazardCheck.objects.create(
        hazard=hazard, result=CheckResult.PASSED, reason=note, checked_by=by, checked_at=now
    )
    return hazard


@transaction.atomic
def hazard_fail_check(*, hazard: Hazard, reason: str, by: Any) -> Hazard:
    """The check failed: back to rectifying, the reason kept as a check record. Never by
    the rectifier (four eyes)."""
    reason = _required_text(reason, "reason", _("Say why the rectification is not accepted."))
    _checker(hazard, by, "fail_check", _("You rectified this hazard: someone else must check it."))
    hazard = _move(
        hazard,
        "fail_check",
        action=_("sent back"),
        rectified_at=None,
        rectified_on_time=None,
        rectified_by=None,
    )
    HazardCheck.objects.create(
        hazard=hazard, result=CheckResult.FAILED, reason=reason, checked_by=by
    )
    return hazard


@transaction.atomic
def hazard_reject(*, hazard: Hazard, reason: str, by: Any = None) -> Hazard:
    """Not a hazard after all (or not ours): closed with the reason."""
    reason = _required_text(reason, "reason", _("Say why the report is rejected."))
    return _close(hazard, "reject", action=_("rejected"), rejection_reason=reason)


@transaction.atomic
def hazard_mark_duplicate(*, hazard: Hazard, original: Hazard, by: Any = None) -> Hazard:
    """The same hazard was reported before: closed against the original."""
    if original.pk == hazard.pk:
        raise ValidationError({"original": _("A hazard cannot be a duplicate of itself.")})
    if original.status == HazardStatus.DUPLICATE:
        raise ValidationError(
            {"original": _("That hazard is itself a duplicate: choose the original.")}
        )
    if original.unit_id != hazard.unit_id:
        raise ValidationError({"original": _("The original must belong to the same unit.")})
    return _close(hazard, "duplicate", action=_("marked as a duplicate"), duplicate_of=original)


def hazard_add_photos_returning(
    *, hazard: Hazard, photos: Iterable[UploadedFile], stage: str, by: Any
) -> Hazard:
    """``hazard_add_photos`` for callers that answer with the hazard."""
    hazard_add_photos(hazard=hazard, photos=photos, stage=stage, by=by)
    return hazard
