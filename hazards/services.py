"""Every write of the hazards app: reporting, the rectification workflow, photos, the
key-vehicle register and its import, facility works.

Transitions are conditional updates (``filter(pk=, status__in=FROM).update()``): zero rows
means the hazard moved under us (another commander verified it first), answered as
``TransitionNotAllowed`` naming the state it is in now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from brigade.core import dates, geo
from brigade.core.errors import TransitionNotAllowed
from brigade.core.imports import ImportReport, read_table
from brigade.core.transitions import move, record_change
from brigade.core.uploads import validate_image
from brigade.duty.models import Officer, PatrolLog, Unit
from hazards.choices import (
    DEFAULT_DEADLINE_DAYS,
    CheckResult,
    HazardSource,
    HazardStatus,
    KeyVehicleReason,
    KeyVehicleStatus,
    PhotoStage,
    Severity,
    VehicleKind,
)
from hazards.models import (
    FacilityWork,
    Hazard,
    HazardCheck,
    HazardPhoto,
    KeyVehicle,
    KeyVehicleImport,
)
from hazards.transitions import HAZARD_TRANSITIONS

MAX_PHOTOS = 10


def default_deadline(severity: str, start: dt.date | None = None) -> dt.date:
    """The deadline a responsible party gets by default: shorter the more serious."""
    start = start or timezone.localdate()
    return start + dt.timedelta(days=DEFAULT_DEADLINE_DAYS.get(Severity(severity), 15))


def _state_label(status: str) -> str:
    return str(HazardStatus(status).label) if status in HazardStatus.values else status


def _refused(hazard: Hazard, action: str) -> TransitionNotAllowed:
    current = Hazard.objects.filter(pk=hazard.pk).values_list("status", flat=True).first()
    current = current or hazard.status
    return TransitionNotAllowed(
        _("This hazard cannot be %(action)s: it is %(state)s.")
        % {"action": action, "state": _state_label(current)},
        state=current,
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


def _check_open(hazard: Hazard, name: str, action: str) -> None:
    """An action that changes no state (photos, corrections): refused unless the table
    allows it from the state the hazard is in now."""
    current = Hazard.objects.filter(pk=hazard.pk).values_list("status", flat=True).first()
    if current is None or not HAZARD_TRANSITIONS.allows(current, name):
        raise _refused(hazard, action)


def _check_photos(photos: Iterable[Any]) -> list[Any]:
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


def _save_photos(hazard: Hazard, photos: list[Any], stage: str, by: Any) -> None:
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
    found_at: dt.datetime | None = None,
    reported_by: Officer | None = None,
    patrol: PatrolLog | None = None,
    photos: Iterable[Any] = (),
    by: Any = None,
    **links: Any,
) -> Hazard:
    """Report a hazard (from the road, a patrol, an accident or a ticket), with photos."""
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
        latitude=latitude,
        longitude=longitude,
        found_at=found_at,
        reported_by=reported_by,
        patrol=patrol,
        **links,
    )
    hazard.full_clean()
    hazard.save()
    _save_photos(hazard, photos, PhotoStage.BEFORE, by)
    return hazard


EDITABLE_FIELDS = (
    "element",
    "severity",
    "road",
    "location",
    "description",
    "latitude",
    "longitude",
)


@transaction.atomic
def hazard_update(*, hazard: Hazard, **changes: Any) -> Hazard:
    """Correct what was reported (place, description, element, severity) while it is open."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    locked = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if not HAZARD_TRANSITIONS.allows(locked.status, "edit"):
        raise _refused(locked, _("changed"))
    for name, value in changes.items():
        setattr(locked, name, value)
    geo.check_point(locked.latitude, locked.longitude)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def hazard_add_photos(*, hazard: Hazard, photos: Iterable[Any], stage: str, by: Any) -> int:
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
    responsible_party = (responsible_party or "").strip()
    if not responsible_party:
        raise ValidationError({"responsible_party": _("Name the responsible party.")})
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
    photos: Iterable[Any] = (),
    rectified_at: dt.datetime | None = None,
    by: Any = None,
) -> Hazard:
    """Record the measures taken (and after-photos); the hazard then awaits its check."""
    measures = (measures or "").strip()
    if not measures:
        raise ValidationError({"measures": _("Describe the measures taken.")})
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
    )
    _save_photos(hazard, photos, PhotoStage.AFTER, by)
    return hazard


@transaction.atomic
def hazard_verify(*, hazard: Hazard, by: Any, note: str = "") -> Hazard:
    """A commander checks the rectification and accepts it: the hazard is closed."""
    now = timezone.now()
    hazard = _move(
        hazard,
        "verify",
        action=_("verified"),
        verified_at=now,
        verified_by=by,
        closed_at=now,
    )
    if hazard.repeated:  # type: ignore[attr-defined]
        return hazard
    HazardCheck.objects.create(
        hazard=hazard, result=CheckResult.PASSED, reason=note, checked_by=by, checked_at=now
    )
    return hazard


@transaction.atomic
def hazard_fail_check(*, hazard: Hazard, reason: str, by: Any) -> Hazard:
    """The check failed: back to rectifying, the reason kept as a check record."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the rectification is not accepted.")})
    hazard = _move(
        hazard,
        "fail_check",
        action=_("sent back"),
        rectified_at=None,
        rectified_on_time=None,
    )
    HazardCheck.objects.create(
        hazard=hazard, result=CheckResult.FAILED, reason=reason, checked_by=by
    )
    return hazard


@transaction.atomic
def hazard_reject(*, hazard: Hazard, reason: str, by: Any = None) -> Hazard:
    """Not a hazard after all (or not ours): closed with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the report is rejected.")})
    return _move(
        hazard,
        "reject",
        action=_("rejected"),
        rejection_reason=reason,
        closed_at=timezone.now(),
    )


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
    return _move(
        hazard,
        "duplicate",
        action=_("marked as a duplicate"),
        duplicate_of=original,
        closed_at=timezone.now(),
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


# --- key vehicles -----------------------------------------------------------------------------


@transaction.atomic
def key_vehicle_clear(
    *,
    vehicle: KeyVehicle,
    by: Any,
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
    updated = KeyVehicle.objects.filter(pk=vehicle.pk, status=KeyVehicleStatus.FLAGGED).update(
        status=KeyVehicleStatus.CLEARED,
        cleared_at=now,
        cleared_by=by,
        inspection_date=inspection_date,
        scrapping_certificate=scrapping_certificate,
        clearance_note=note,
        updated_at=now,
    )
    if not updated:
        raise TransitionNotAllowed(
            _("This vehicle has already been cleared."), state=KeyVehicleStatus.CLEARED
        )
    record_change(vehicle)
    return vehicle


KEY_VEHICLE_COLUMNS = {
    "plate": ["号牌号码", "车牌号", "号牌", "车牌", "plate", "plate no"],
    "kind": ["车辆类型", "车型", "kind", "vehicle kind", "type"],
    "owner": ["所属企业", "所有人", "单位", "owner", "owner enterprise", "enterprise"],
    "reason": ["原因", "重点原因", "类别", "reason"],
}
KEY_VEHICLE_REQUIRED = ("plate", "reason")
MAX_IMPORT_ROWS = 20_000


def _choice(text: str, choices: Any, extra: Mapping[str, str]) -> str | None:
    """A choice value from its value, its label (Chinese or English) or a common alias."""
    text = (text or "").strip()
    if not text:
        return None
    lowered = text.lower()
    for value, label in choices.choices:
        if lowered in (value, str(label).lower()):
            return str(value)
    from django.utils import translation

    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                if lowered == str(label).lower():
                    return str(value)
    return extra.get(text) or extra.get(lowered)


REASON_ALIASES = {
    "逾期未检验": KeyVehicleReason.OVERDUE_INSPECTION,
    "逾期未检": KeyVehicleReason.OVERDUE_INSPECTION,
    "未年检": KeyVehicleReason.OVERDUE_INSPECTION,
    "达到报废标准": KeyVehicleReason.SCRAPPING,
    "应报废": KeyVehicleReason.SCRAPPING,
    "报废": KeyVehicleReason.SCRAPPING,
    "违法未处理": KeyVehicleReason.VIOLATIONS,
    "违法未处理完毕": KeyVehicleReason.VIOLATIONS,
}
KIND_ALIASES = {
    "客车": VehicleKind.PASSENGER,
    "小型客车": VehicleKind.PASSENGER,
    "货车": VehicleKind.TRUCK,
    "重型货车": VehicleKind.TRUCK,
    "危化品车": VehicleKind.HAZMAT,
    "危险品运输车": VehicleKind.HAZMAT,
    "校车": VehicleKind.SCHOOL_BUS,
    "大客车": VehicleKind.COACH,
    "旅游客车": VehicleKind.COACH,
}


def normalise_plate(text: str) -> str:
    return "".join((text or "").split()).upper()


def key_vehicles_import(*, upload: Any, unit: Unit, by: Any, dry_run: bool = False) -> ImportReport:
    """Import the key-vehicle register: all rows or none.

    A new plate is flagged; a known plate takes the file's kind, owner and reason; a
    cleared vehicle that the file still lists is reopened (flagged again), and the report
    says so. Raises ``TableError`` when the file as a whole cannot be read.
    """
    table = read_table(
        upload, columns=KEY_VEHICLE_COLUMNS, required=KEY_VEHICLE_REQUIRED, max_rows=MAX_IMPORT_ROWS
    )
    report = ImportReport(dry_run=dry_run, total=len(table))
    plates = {normalise_plate(values.get("plate", "")) for _row, values in table}
    existing = {v.plate: v for v in KeyVehicle.objects.filter(plate__in=plates - {""})}
    seen: dict[str, int] = {}
    planned: list[tuple[int, dict[str, Any], KeyVehicle | None]] = []
    for row, values in table:
        plate = normalise_plate(values.get("plate", ""))
        if not plate:
            report.add_error(row, "plate", _("The plate is empty."))
            continue
        if len(plate) > 20:
            report.add_error(row, "plate", _("The plate is longer than 20 characters."))
            continue
        if plate in seen:
            report.add_error(
                row, "plate", _("This plate is already on row %(row)s.") % {"row": seen[plate]}
            )
            continue
        seen[plate] = row
        reason = _choice(values.get("reason", ""), KeyVehicleReason, REASON_ALIASES)
        if reason is None:
            report.add_error(
                row,
                "reason",
                _("Unknown reason “%(value)s”: use %(choices)s.")
                % {
                    "value": values.get("reason", ""),
                    "choices": " / ".join(str(label) for label in KeyVehicleReason.labels),
                },
            )
            continue
        kind_text = values.get("kind", "")
        kind = _choice(kind_text, VehicleKind, KIND_ALIASES) if kind_text else VehicleKind.OTHER
        if kind is None:
            report.add_error(
                row,
                "kind",
                _("Unknown vehicle kind “%(value)s”: use %(choices)s.")
                % {
                    "value": kind_text,
                    "choices": " / ".join(str(label) for label in VehicleKind.labels),
                },
            )
            continue
        owner = values.get("owner", "")[:200]
        vehicle = existing.get(plate)
        if vehicle is not None and vehicle.unit_id != unit.pk:
            report.add_error(
                row,
                "plate",
                _("This vehicle is on the register of another unit (%(unit)s).")
                % {"unit": vehicle.unit.name},
            )
            continue
        fields = {"plate": plate, "kind": kind, "owner": owner, "reason": reason}
        planned.append((row, fields, vehicle))
        if len(report.preview) < 20:
            report.preview.append(
                {
                    "row": row,
                    "plate": plate,
                    "kind": str(VehicleKind(kind).label),
                    "owner": owner,
                    "reason": str(KeyVehicleReason(reason).label),
                    "action": _("new")
                    if vehicle is None
                    else (
                        _("reopen") if vehicle.status == KeyVehicleStatus.CLEARED else _("update")
                    ),
                }
            )
    reopened = 0
    for row, fields, vehicle in planned:
        if vehicle is None:
            report.created += 1
        elif vehicle.status == KeyVehicleStatus.CLEARED:
            reopened += 1
            report.updated += 1
            report.notices.append(_reopen_notice(row, vehicle, dry_run=dry_run))
        elif all(getattr(vehicle, k) == v for k, v in fields.items()):
            report.unchanged += 1
        else:
            report.updated += 1
    if dry_run or not report.ok:
        return report
    _write_import(report, planned, unit, by, getattr(upload, "name", ""), reopened)
    return report


def _reopen_notice(row: int, vehicle: KeyVehicle, *, dry_run: bool) -> Any:
    from brigade.core.imports import RowError

    cleared = timezone.localtime(vehicle.cleared_at).date() if vehicle.cleared_at else None
    message = (
        _("%(plate)s was cleared on %(date)s but is still listed: it will be reopened.")
        if dry_run
        else _("%(plate)s was cleared on %(date)s but is still listed: reopened.")
    ) % {"plate": vehicle.plate, "date": cleared or "—"}
    return RowError(row, "plate", message)


@transaction.atomic
def _write_import(
    report: ImportReport,
    planned: list[tuple[int, dict[str, Any], KeyVehicle | None]],
    unit: Unit,
    by: Any,
    file_name: str,
    reopened: int,
) -> None:
    batch = KeyVehicleImport.objects.create(
        unit=unit,
        imported_by=by,
        file_name=str(file_name)[:200],
        total=report.total,
        created=report.created,
        updated=report.updated,
        reopened=reopened,
    )
    now = timezone.now()
    for _row, fields, vehicle in planned:
        if vehicle is None:
            KeyVehicle.objects.create(unit=unit, flagged_at=now, last_import=batch, **fields)
            continue
        for name, value in fields.items():
            setattr(vehicle, name, value)
        vehicle.last_import = batch
        if vehicle.status == KeyVehicleStatus.CLEARED:
            vehicle.status = KeyVehicleStatus.FLAGGED
            vehicle.reopened_count += 1
            vehicle.flagged_at = now
            vehicle.cleared_at = None
            vehicle.cleared_by = None
        vehicle.save()


def parse_day(text: str) -> dt.date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


def hazard_add_photos_returning(
    *, hazard: Hazard, photos: Iterable[Any], stage: str, by: Any
) -> Hazard:
    """``hazard_add_photos`` for callers that answer with the hazard."""
    hazard_add_photos(hazard=hazard, photos=photos, stage=stage, by=by)
    return hazard
