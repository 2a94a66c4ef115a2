"""The key-vehicle register's import: every row checked first, then all written or none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import IO, Any

from django.db import transaction
from django.db.models import Choices
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from brigade.core.fields import too_long
from brigade.core.imports import ImportReport, RowError, Table, read_table
from brigade.core.text import normalise_identifier
from brigade.duty.models import Unit
from hazards.choices import (
    KeyVehicleReason,
    KeyVehicleStatus,
    VehicleKind,
)
from hazards.models import (
    KeyVehicle,
    KeyVehicleImport,
)

KEY_VEHICLE_COLUMNS = {
    "plate": ["号牌号码", "车牌号", "号牌", "车牌", "plate", "plate no"],
    "kind": ["车辆类型", "车型", "kind", "vehicle kind", "type"],
    "owner": ["所属企业", "所有人", "单位", "owner", "owner enterprise", "enterprise"],
    "reason": ["原因", "重点原因", "类别", "reason"],
}
KEY_VEHICLE_REQUIRED = ("plate", "reason")
MAX_IMPORT_ROWS = 20_000
# A plate as written in a file, spaces and all (normalised, it has at most 20 characters)
MAX_PLATE_TEXT = 40


def _choice(text: str, choices: type[Choices], extra: Mapping[str, str]) -> str | None:
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
    """A plate as the register stores it (``KeyVehicle.plate``): see ``normalise_identifier``."""
    return normalise_identifier(text or "", upper=True, drop_spaces=True)


# One checked row of the file: its row number, the vehicle's fields, the vehicle on file.
Planned = tuple[int, dict[str, str], KeyVehicle | None]


def key_vehicles_import(
    *, upload: IO[bytes], unit: Unit, by: Any, dry_run: bool = False
) -> ImportReport:
    """Import the key-vehicle register: all rows or none.

    A new plate is flagged; a known plate takes the file's kind, owner and reason; a
    cleared vehicle that the file still lists is reopened (flagged again), and the report
    says so. Raises ``TableError`` when the file as a whole cannot be read.
    """
    table = read_table(
        upload,
        columns=KEY_VEHICLE_COLUMNS,
        required=KEY_VEHICLE_REQUIRED,
        max_rows=MAX_IMPORT_ROWS,
        max_lengths={"plate": MAX_PLATE_TEXT},
    )
    report = ImportReport(dry_run=dry_run, total=table.total, errors=list(table.errors))
    planned = _plan_rows(report, table, unit)
    reopened = _count_planned(report, planned, dry_run=dry_run)
    if dry_run or not report.ok:
        return report
    _write_import(report, planned, unit, by, getattr(upload, "name", ""), reopened)
    return report


def _plan_rows(report: ImportReport, table: Table, unit: Unit) -> list[Planned]:
    """Check every row (its errors go on the report) and plan the good ones."""
    plates = {normalise_plate(values.get("plate", "")) for _row, values in table}
    existing = {v.plate: v for v in KeyVehicle.objects.filter(plate__in=plates - {""})}
    seen: dict[str, int] = {}
    planned: list[Planned] = []
    for row, values in table:
        fields = _row_fields(report, row, values, seen)
        if fields is None:
            continue
        vehicle = existing.get(fields["plate"])
        if vehicle is not None and vehicle.unit_id != unit.pk:
            # Say that it exists elsewhere, not where: the other unit's register is not
            # this user's to read.
            report.add_error(row, "plate", _("This vehicle is on another unit's register."))
            continue
        planned.append((row, fields, vehicle))
        if len(report.preview) < 20:
            report.preview.append(_preview_row(row, fields, vehicle))
    return planned


def _row_plate(
    report: ImportReport, row: int, values: Mapping[str, str], seen: dict[str, int]
) -> str | None:
    """The row's plate, normalised, or None (with the reason on the report)."""
    plate = normalise_plate(values.get("plate", ""))
    if not plate:
        report.add_error(row, "plate", _("The plate is empty."))
        return None
    if len(plate) > 20:
        report.add_error(row, "plate", _("The plate is longer than 20 characters."))
        return None
    if plate in seen:
        report.add_error(
            row, "plate", _("This plate is already on row %(row)s.") % {"row": seen[plate]}
        )
        return None
    seen[plate] = row
    return plate


def _row_fields(
    report: ImportReport, row: int, values: Mapping[str, str], seen: dict[str, int]
) -> dict[str, str] | None:
    """The vehicle's fields from one row, or None (with the reason on the report)."""
    plate = _row_plate(report, row, values, seen)
    if plate is None:
        return None
    reason = _choice(values.get("reason", ""), KeyVehicleReason, REASON_ALIASES)
    if reason is None:
        report.add_error(
            row,
            "reason",
            _("Unknown reason “%(value)s”: use %(choices)s.")
            % {"value": values.get("reason", ""), "choices": _labels(KeyVehicleReason)},
        )
        return None
    kind_text = values.get("kind", "")
    kind = _choice(kind_text, VehicleKind, KIND_ALIASES) if kind_text else VehicleKind.OTHER
    if kind is None:
        report.add_error(
            row,
            "kind",
            _("Unknown vehicle kind “%(value)s”: use %(choices)s.")
            % {"value": kind_text, "choices": _labels(VehicleKind)},
        )
        return None
    owner = values.get("owner", "")
    for name, message in too_long(KeyVehicle, {"owner": owner}).items():
        report.add_error(row, name, message)
        return None
    return {"plate": plate, "kind": kind, "owner": owner, "reason": reason}


def _labels(choices: type[Choices]) -> str:
    return " / ".join(str(label) for label in choices.labels)


def _preview_row(
    row: int, fields: dict[str, str], vehicle: KeyVehicle | None
) -> dict[str, str | int]:
    """One row of the preview: the vehicle as the file gives it and what the import does."""
    if vehicle is None:
        action = _("new")
    elif vehicle.status == KeyVehicleStatus.CLEARED:
        action = _("reopen")
    else:
        action = _("update")
    return {
        "row": row,
        "plate": fields["plate"],
        "kind": str(VehicleKind(fields["kind"]).label),
        "owner": fields["owner"],
        "reason": str(KeyVehicleReason(fields["reason"]).label),
        "action": action,
    }


def _count_planned(report: ImportReport, planned: list[Planned], *, dry_run: bool) -> int:
    """Count what the planned rows create, update, reopen or leave as they are."""
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
    return reopened


def _reopen_notice(row: int, vehicle: KeyVehicle, *, dry_run: bool) -> RowError:
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
    planned: list[Planned],
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
