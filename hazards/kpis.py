"""The hazards app's metrics: hazards found and verified, the rectification rate, overdue
hazards (a stock), on-time rectification, key-vehicle clearance, facility works by kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brigade.core.kpi import Flow, Metric, register, rows_sql
from brigade.core.kpi.records import describe
from hazards.choices import DISCARDED_STATUSES, FacilityKind, HazardStatus, KeyVehicleStatus
from hazards.models import FacilityWork, Hazard, KeyVehicle


def _found() -> Any:
    return Hazard.objects.exclude(status__in=DISCARDED_STATUSES)


def _verified() -> Any:
    return Hazard.objects.filter(status=HazardStatus.VERIFIED, verified_at__isnull=False)


# --- overdue hazards: a stock, as +1 the day after the deadline, -1 the day it closed ------


def overdue_rows(connection: Any, lo: dt.date | None, hi: dt.date | None, unit_ids):
    """Rows (day, cohort, unit_id, amount, pk, ref): +1 on the first day past a hazard's
    deadline, −1 on the day it was closed (verified, rejected, duplicate) if that came
    later; their running sum is the number of hazards open past their deadline at the end
    of each week, and a hazard's rows up to a day net to 1 while it is overdue then."""
    table = Hazard._meta.db_table
    if connection.vendor == "sqlite":
        day_after = "date(h.deadline, '+1 day')"
        year = "CAST(strftime('%%Y', {}) AS INTEGER)"
    else:
        day_after = "(h.deadline + 1)"
        year = "CAST(EXTRACT(YEAR FROM {}) AS INTEGER)"
    closed_sql, closed_params = connection.ops.datetime_cast_date_sql(
        "h.closed_at", (), timezone.get_default_timezone_name()
    )
    today = timezone.localdate()
    top = connection.ops.adapt_datefield_value(min(hi, today) if hi else today)
    bottom = connection.ops.adapt_datefield_value(lo) if lo else None
    ids = sorted(unit_ids) if unit_ids is not None else None

    def select(day: str, day_params: list[Any], amount: int, where: str, where_params: list[Any]):
        # placeholders in the order they appear: day, cohort (the day again), where, bounds
        sql = (
            f"SELECT {day} AS day, {year.format(day)} AS cohort, h.unit_id AS unit_id, "
            f"{amount} AS amount, h.id AS pk, 0 AS ref FROM {table} h "
            f"WHERE {where} AND {day} <= %s"
        )
        params = [*day_params, *day_params, *where_params, *day_params, top]
        if bottom is not None:
            sql += f" AND {day} >= %s"
            params += [*day_params, bottom]
        if ids is not None:
            sql += f" AND h.unit_id IN ({', '.join(['%s'] * len(ids))})"
            params += ids
        return sql, params

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


overdue_sql = rows_sql(overdue_rows)


def _overdue_touch(hazard: Hazard) -> Iterable[tuple[dt.date, int]]:
    if hazard.deadline is not None and hazard.deadline < dt.date.max:
        yield hazard.deadline + dt.timedelta(days=1), hazard.unit_id
    if hazard.closed_at is not None:
        yield timezone.localdate(hazard.closed_at), hazard.unit_id


def _reverser(name: str) -> Any:
    return lambda record: reverse(name, args=[record.pk])


def describe_records() -> None:
    """How the records behind the hazards' figures are linked in their lists."""
    describe(
        Hazard, page=_reverser("hazards:hazard_detail"), api=_reverser("hazards-api:hazard-detail")
    )
    describe(
        KeyVehicle,
        page=_reverser("hazards:keyvehicle_detail"),
        api=_reverser("hazards-api:key-vehicle-detail"),
    )
    describe(FacilityWork, api=_reverser("hazards-api:facility-work-detail"))


def register_metrics() -> None:
    describe_records()
    register(
        Metric(
            key="hazards.found",
            label=_("Hazards found"),
            description="Hazards found in the year to date (rejected and duplicates left out).",
            numerator=Flow(source=_found, when="found_at"),
            unit_label=_("hazards"),
            tile=False,
            order=10,
        ),
        Metric(
            key="hazards.verified",
            label=_("Hazards rectified"),
            description="Hazards whose rectification was verified, of those found this year.",
            numerator=Flow(source=_verified, when="verified_at", cohort="found_at"),
            unit_label=_("hazards"),
            tile=False,
            order=20,
        ),
        Metric(
            key="hazards.rectification_rate",
            label=_("Hazard rectification rate"),
            description="Verified by the week's end / found this year (not rejected or duplicate).",
            numerator=Flow(source=_verified, when="verified_at", cohort="found_at"),
            denominator=Flow(source=_found, when="found_at"),
            order=30,
        ),
        Metric(
            key="hazards.overdue",
            label=_("Overdue hazards"),
            description="Hazards open past their deadline at the week's end (a stock).",
            numerator=Flow(
                sql=overdue_sql,
                rows=overdue_rows,
                rows_of="hazards.Hazard",
                watch=("hazards.Hazard",),
                touch=_overdue_touch,
            ),
            window="cumulative",
            unit_label=_("hazards"),
            order=40,
        ),
        Metric(
            key="hazards.on_time_rectification_rate",
            label=_("On-time rectification"),
            description="Verified hazards rectified by their deadline / verified hazards.",
            numerator=Flow(
                source=lambda: _verified().filter(rectified_on_time=True),
                when="verified_at",
                cohort="found_at",
            ),
            denominator=Flow(source=_verified, when="verified_at", cohort="found_at"),
            tile=False,
            order=50,
        ),
        Metric(
            key="hazards.key_vehicle_clearance_rate",
            label=_("Key vehicles cleared"),
            description="Key vehicles cleared / key vehicles flagged.",
            numerator=Flow(
                source=lambda: KeyVehicle.objects.filter(
                    status=KeyVehicleStatus.CLEARED, cleared_at__isnull=False
                ),
                when="cleared_at",
                cohort="flagged_at",
            ),
            denominator=Flow(source=lambda: KeyVehicle.objects.all(), when="flagged_at"),
            order=60,
        ),
        Metric(
            key="hazards.facility_works",
            label=_("Facility works by kind"),
            description="Quantities of facility work done, one figure per kind.",
            numerator=Flow(
                source=lambda: FacilityWork.objects.all(),
                when="done_on",
                amount=F("quantity"),
                split="kind",
            ),
            parts=tuple((kind.value, kind.label) for kind in FacilityKind),
            unit_label=_("items"),
            tile=False,
            order=70,
        ),
    )
