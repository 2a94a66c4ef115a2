"""The accidents' import (a sheet from another system, or typed up from paper): every row
checked first, then all written or none.

A row gives when and on which road, and where: its coordinates (latitude and longitude,
both) or the name of a place of the brigade's gazetteer, or both; a name the gazetteer does
not know is an error of its row. Each accident is written by ``accident_record`` (which
places it: its map cell and nearest place) inside one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brigade.core import dates, geo
from brigade.core.imports import ImportReport, Table, read_table
from brigade.duty.models import Place, Unit
from incidents import services
from incidents.choices import HandlingMode, Severity

ACCIDENT_COLUMNS = {
    "occurred_at": ["发生时间", "事故时间", "时间", "occurred at", "time"],
    "road": ["道路", "路名", "road"],
    "place": ["地点", "具体地点", "place"],
    "gazetteer_place": ["路口路段", "登记地点", "地点名称", "gazetteer place", "register place"],
    "latitude": ["纬度", "lat", "latitude"],
    "longitude": ["经度", "lng", "lon", "longitude"],
    "severity": ["事故等级", "事故类型", "严重程度", "severity"],
}
ACCIDENT_REQUIRED = ("occurred_at", "road")
MAX_IMPORT_ROWS = 5_000
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y年%m月%d日 %H:%M")

# One checked row: its number and the accident's fields.
Planned = tuple[int, dict[str, Any]]


def accidents_import(
    *, upload: IO[bytes], unit: Unit, by: Any, dry_run: bool = False
) -> ImportReport:
    """Import accidents into ``unit``: all rows or none. Raises ``TableError`` when the
    file as a whole cannot be read."""
    table = read_table(
        upload,
        columns=ACCIDENT_COLUMNS,
        required=ACCIDENT_REQUIRED,
        max_rows=MAX_IMPORT_ROWS,
        max_lengths={"road": 100, "place": 200, "gazetteer_place": 100, "severity": 40},
    )
    report = ImportReport(dry_run=dry_run, total=table.total, errors=list(table.errors))
    planned = _plan_rows(report, table)
    if dry_run or not report.ok:
        return report
    try:
        _write(report, planned, unit, by)
    except _RowRefused:
        report.created = 0
    return report


class _RowRefused(Exception):
    """A row the service refused: the transaction is rolled back."""


@transaction.atomic
def _write(report: ImportReport, planned: list[Planned], unit: Unit, by: Any) -> None:
    for row, fields in planned:
        try:
            services.accident_record(unit=unit, by=by, **fields)
        except ValidationError as exc:
            report.add_validation_error(row, exc)
            raise _RowRefused from exc


def _places(table: Table) -> dict[str, Place]:
    """The gazetteer's active places the file names, by name (Chinese or English)."""
    names = {values.get("gazetteer_place", "") for _row, values in table} - {""}
    found: dict[str, Place] = {}
    if names:
        for place in Place.objects.filter(Q(name__in=names) | Q(name_en__in=names), is_active=True):
            found.setdefault(place.name, place)
            if place.name_en:
                found.setdefault(place.name_en, place)
    return found


def _plan_rows(report: ImportReport, table: Table) -> list[Planned]:
    places = _places(table)
    planned: list[Planned] = []
    for row, values in table:
        before = len(report.errors)
        fields = _row_fields(report, row, values, places)
        if fields is None or len(report.errors) > before:
            continue
        planned.append((row, fields))
        report.created += 1
        if len(report.preview) < 20:
            place = fields.get("gazetteer_place")
            report.preview.append(
                {
                    "row": row,
                    "occurred_at": timezone.localtime(fields["occurred_at"]).isoformat(),
                    "road": fields["road"],
                    "place": place.name if place else "",
                    "latitude": str(fields["latitude"] or ""),
                    "longitude": str(fields["longitude"] or ""),
                    "severity": str(Severity(fields["severity"]).label),
                }
            )
    return planned


def _row_fields(
    report: ImportReport, row: int, values: Mapping[str, str], places: Mapping[str, Place]
) -> dict[str, Any] | None:
    """The accident's fields from one row, or None (every reason on the report)."""
    when = _when(values.get("occurred_at", ""))
    if when is None:
        report.add_error(
            row,
            "occurred_at",
            _("“%(value)s” is not a date and time (e.g. 2022-06-13 09:30).")
            % {"value": values.get("occurred_at", "")},
        )
    elif not dates.in_window(when, dates.HAPPENED) or when > timezone.now():
        report.add_error(row, "occurred_at", _("The time lies outside the dates accepted."))
    road = values.get("road", "").strip()
    if not road:
        report.add_error(row, "road", _("Name the road."))
    severity = _severity(values.get("severity", ""))
    if severity is None:
        report.add_error(
            row,
            "severity",
            _("Unknown severity “%(value)s”: use %(choices)s.")
            % {"value": values.get("severity", ""), "choices": _labels()},
        )
    latitude = _coordinate(report, row, "latitude", values.get("latitude", ""))
    longitude = _coordinate(report, row, "longitude", values.get("longitude", ""))
    if _has(values, "latitude") != _has(values, "longitude"):
        # one coordinate alone (a bad one given is reported above)
        for field, message in geo.point_errors(latitude, longitude, on_missing=True).items():
            report.add_error(row, field, message)
    name = values.get("gazetteer_place", "").strip()
    place = places.get(name) if name else None
    if name and place is None:
        report.add_error(
            row,
            "gazetteer_place",
            _("No place named “%(name)s” on the brigade's register.") % {"name": name},
        )
    elif not name and not (_has(values, "latitude") or _has(values, "longitude")):
        report.add_error(
            row, "gazetteer_place", _("Give the coordinates or a place of the register.")
        )
    if when is None or not road or severity is None:
        return None
    return {
        "occurred_at": when,
        "road": road,
        "place": values.get("place", "").strip(),
        "latitude": latitude,
        "longitude": longitude,
        "gazetteer_place": place,
        "severity": severity,
        "handling_mode": HandlingMode.SIMPLE,
    }


def _has(values: Mapping[str, str], name: str) -> bool:
    return bool(values.get(name, "").strip())


def _when(text: str) -> dt.datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for fmt in _FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return timezone.make_aware(parsed) if parsed.tzinfo is None else parsed


def _coordinate(report: ImportReport, row: int, name: str, text: str) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        report.add_error(row, name, _("“%(value)s” is not a number of degrees.") % {"value": text})
        return None
    bound = geo.BOUNDS[name]
    if not -bound <= value <= bound:
        report.add_error(
            row,
            name,
            _("A latitude lies between -90 and 90.")
            if name == "latitude"
            else _("A longitude lies between -180 and 180."),
        )
        return None
    # what the column keeps: six decimals (about 0.1 m)
    return value.quantize(Decimal("0.000001"))


# the words other systems and paper forms use
SEVERITY_ALIASES = {
    "财损": Severity.PROPERTY,
    "财产损失事故": Severity.PROPERTY,
    "轻微": Severity.PROPERTY,
    "受伤": Severity.INJURY,
    "伤人事故": Severity.INJURY,
    "亡人": Severity.FATAL,
    "亡人事故": Severity.FATAL,
    "死亡事故": Severity.FATAL,
}


def _severity(text: str) -> str | None:
    text = text.strip().lower()
    if not text:
        return str(Severity.PROPERTY)
    if text in SEVERITY_ALIASES:
        return str(SEVERITY_ALIASES[text])
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in Severity.choices:
                if text in (str(value), str(label).lower()):
                    return str(value)
    return None


def _labels() -> str:
    return " / ".join(str(label) for label in Severity.labels)
