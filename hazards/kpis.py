"""The hazards app's metrics: hazards found and verified, the rectification rate, overdue
hazards (a stock), on-time rectification, key-vehicle clearance, facility works by kind;
and its figures of the period report (rows 6-8 of FIGURES.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from brigade.core.kpi import declare, register
from brigade.core.kpi.records import describe_urls
from brigade.core.kpi.registry import sql_days, sql_units, sql_year
from brigade.core.report import figures
from brigade.core.report.compute import records
from brigade.core.report.figures import Facts, register_report
from hazards.choices import DISCARDED_STATUSES, FacilityKind, HazardStatus, KeyVehicleStatus
from hazards.models import FacilityWork, Hazard, KeyVehicle

FOUND = declare.flow(Hazard, "found_at", ~Q(status__in=DISCARDED_STATUSES))
VERIFIED_HAZARD = Q(status=HazardStatus.VERIFIED, verified_at__isnull=False)
VERIFIED = declare.flow(Hazard, "verified_at", VERIFIED_HAZARD, cohort="found_at")


# --- overdue hazards: a stock, as +1 the day after the deadline, -1 the day it closed ------


def overdue_rows(connection: Any, lo: dt.date | None, hi: dt.date | None, unit_ids):
    """Rows (day, cohort, unit_id, amount, pk, ref): +1 on the first day past a hazard's
    deadline, −1 on the day it was closed (verified, rejected, duplicate) if that came
    later; their running sum is the number of hazards open past their deadline at the end
    of each week, and a hazard's rows up to a day net to 1 while it is overdue then."""
    table = Hazard._meta.db_table
    day_after = (
        "date(h.deadline, '+1 day')" if connection.vendor == "sqlite" else "(h.deadline + 1)"
    )
    closed_sql, closed_params = connection.ops.datetime_cast_date_sql(
        "h.closed_at", (), timezone.get_default_timezone_name()
    )
    units_sql, units_params = sql_units("h.unit_id", unit_ids)

    def select(day: str, day_params: list[Any], amount: int, where: str, where_params: list[Any]):
        # placeholders in the order they appear: day, cohort (the day again), where, bounds
        days_sql, days_params = sql_days(
            connection, day, lo, hi, day_params, until=timezone.localdate()
        )
        sql = (
            f"SELECT {day} AS day, {sql_year(connection, day)} AS cohort, "
            f"h.unit_id AS unit_id, {amount} AS amount, h.id AS pk, 0 AS ref FROM {table} h "
            f"WHERE {where}{days_sql}{units_sql}"
        )
        return sql, [*day_params, *day_params, *where_params, *days_params, *units_params]

    late = f"h.deadline IS NOT NULL AND h.closed_at IS NOT NULL AND {closed_sql} > h.deadline"
    opened, opened_params = select(
        day_after,
        [],
        1,
        f"h.deadline IS NOT NULL AND (h.closed_at IS NULL OR {closed_sql} > h.deadline)",
        list(closed_params),
    )
    closed, closed_rows_params = select(
        closed_sql, list(closed_params), -1, late, list(closed_params)
    )
    return f"{opened} UNION ALL {closed}", [*opened_params, *closed_rows_params]


def _overdue_touch(hazard: Hazard) -> Iterable[tuple[dt.date, int]]:
    if hazard.deadline is not None and hazard.deadline < dt.date.max:
        yield hazard.deadline + dt.timedelta(days=1), hazard.unit_id
    if hazard.closed_at is not None:
        yield timezone.localdate(hazard.closed_at), hazard.unit_id


def describe_records() -> None:
    """How the records behind the hazards' figures are linked in their lists."""
    describe_urls(Hazard, "hazards:hazard_detail", "hazards-api:hazard-detail")
    describe_urls(KeyVehicle, "hazards:keyvehicle_detail", "hazards-api:key-vehicle-detail")
    describe_urls(FacilityWork, None, "hazards-api:facility-work-detail")


def register_metrics() -> None:
    describe_records()
    register_report_figures()
    register(
        declare.count(
            "hazards.found",
            _("Hazards found"),
            FOUND,
            _("hazards"),
            "Hazards found in the year to date (rejected and duplicates left out).",
            tile=False,
        ),
        declare.count(
            "hazards.verified",
            _("Hazards rectified"),
            VERIFIED,
            _("hazards"),
            "Hazards whose rectification was verified, of those found this year.",
            tile=False,
        ),
        declare.rate(
            "hazards.rectification_rate",
            _("Hazard rectification rate"),
            VERIFIED,
            FOUND,
            "Verified by the week's end / found this year (not rejected or duplicate).",
        ),
        declare.count(
            "hazards.overdue",
            _("Overdue hazards"),
            declare.sql_flow(overdue_rows, "hazards.Hazard", _overdue_touch),
            _("hazards"),
            "Hazards open past their deadline at the week's end (a stock).",
            window="cumulative",
        ),
        declare.rate(
            "hazards.on_time_rectification_rate",
            _("On-time rectification"),
            declare.flow(
                Hazard,
                "verified_at",
                VERIFIED_HAZARD,
                Q(rectified_on_time=True),
                cohort="found_at",
            ),
            VERIFIED,
            "Verified hazards rectified by their deadline / verified hazards.",
            tile=False,
        ),
        declare.rate(
            "hazards.key_vehicle_clearance_rate",
            _("Key vehicles cleared"),
            declare.flow(
                KeyVehicle,
                "cleared_at",
                Q(status=KeyVehicleStatus.CLEARED, cleared_at__isnull=False),
                cohort="flagged_at",
            ),
            declare.flow(KeyVehicle, "flagged_at"),
            "Key vehicles cleared / key vehicles flagged.",
        ),
        declare.count(
            "hazards.facility_works",
            _("Facility works by kind"),
            declare.flow(FacilityWork, "done_on", amount=F("quantity"), split="kind"),
            _("items"),
            "Quantities of facility work done, one figure per kind.",
            parts=declare.choice_parts(FacilityKind),
            tile=False,
        ),
    )


# --- the period report: rows 6-8 -------------------------------------------------------------

_FACILITY = [
    ("signal", _("Signal lights repaired"), pgettext_lazy("counted", "places")),
    ("sign_pole", _("Signs and poles repaired"), pgettext_lazy("counted", "places")),
    ("school_front", _("School fronts made safe"), pgettext_lazy("counted", "schools")),
    ("parking_bay", _("Parking bays painted"), pgettext_lazy("counted", "bays")),
    ("marking", _("Markings repainted"), pgettext_lazy("counted", "places")),
]


def _paragraph(facts: Facts) -> str:
    return gettext(
        "%(found)s hazards were found and %(verified)s rectified: a rectification rate "
        "of %(rate)s. Of %(flagged)s key vehicles flagged, %(cleared)s were cleared "
        "(%(kv_rate)s). %(signal)s signal lights and %(sign_pole)s signs and poles were "
        "repaired, the safety facilities in front of %(school_front)s schools were "
        "completed and %(parking_bay)s parking bays painted."
    ) % {
        "found": facts.value("hazards.found"),
        "verified": facts.value("hazards.verified"),
        "rate": facts.value("hazards.rectification_rate"),
        "flagged": facts.denominator("hazards.key_vehicle_clearance_rate"),
        "cleared": facts.numerator("hazards.key_vehicle_clearance_rate"),
        "kv_rate": facts.value("hazards.key_vehicle_clearance_rate"),
        "signal": facts.value("hazards.facility_works.signal"),
        "sign_pole": facts.value("hazards.facility_works.sign_pole"),
        "school_front": facts.value("hazards.facility_works.school_front"),
        "parking_bay": facts.value("hazards.facility_works.parking_bay"),
    }


_RECORDS = [
    records(
        "hazards",
        _("Hazards found"),
        Hazard,
        "found_at unit.name road location element severity status verified_at",
        location=_("Place"),
    ),
    records(
        "hazards",
        _("Key vehicles flagged"),
        KeyVehicle,
        "plate owner reason status flagged_at cleared_at",
        when="flagged_at",
        owner=_("Owner"),
    ),
    records("hazards", _("Facility works"), FacilityWork, "done_on unit.name kind quantity place"),
]


def register_report_figures() -> None:
    """The hazards' figures of the period report, their lists and their paragraph."""
    hazards = pgettext_lazy("counted", "hazards")
    register_report(
        figures.count(6, "hazards.found", "hazards", _("Hazards found"), hazards),
        figures.count(6, "hazards.verified", "hazards", _("Hazards rectified (verified)"), hazards),
        figures.rate(6, "hazards.rectification_rate", "hazards", _("Rectification rate")),
        figures.rate(7, "hazards.key_vehicle_clearance_rate", "hazards", _("Key vehicles cleared")),
        *[
            figures.count(
                8,
                f"hazards.facility_works.{kind}",
                "hazards",
                label,
                unit_label,
                # the report says markings were repainted, with no number
                unquantified_if_none=kind == "marking",
            )
            for kind, label, unit_label in _FACILITY
        ],
        records=_RECORDS,
        paragraphs={"hazards": _paragraph},
    )
