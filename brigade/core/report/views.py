"""The period report page: a period (or a preset) and a unit, the figures by area with
links to their records, and the Excel and Word exports of the same report."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from brigade.core.kpi.scopes import resolve_scope, visible_units
from brigade.core.kpi.weeks import parse_week
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.report import display
from brigade.core.report.api import ReportQuerySerializer
from brigade.core.report.documents import docx_response, xlsx_response
from brigade.core.report.period import MAX_DAYS, Period, default_period, presets, today
from brigade.core.report.report import FigureValue, Report, build_report
from brigade.core.roles import STAFF
from brigade.core.scope import scope_of

TEMPLATE = "brigade/report.html"


def _figure(fv: FigureValue) -> dict[str, Any]:
    figure = fv.figure
    return {
        "key": figure.key,
        "row": figure.row,
        "label": figure.label,
        "display": display.value(fv),
        "fraction": display.fraction(fv),
        "unit_label": "" if figure.is_rate or not fv.quantified else figure.unit_label,
        "quantified": fv.quantified,
        "records_url": fv.records_url,
        "numerator": display.amount(fv.numerator) if figure.is_rate else "",
        "denominator": display.amount(fv.denominator) if figure.is_rate else "",
        "denominator_records_url": fv.denominator_records_url,
        "zero": not fv.numerator,
        "detail": "",
        "parts": [],
    }


def sections(report: Report) -> list[dict[str, Any]]:
    """The areas with their figures; a part (one violation type) under its whole."""
    out = []
    for area, values in report.areas():
        shown: dict[str, dict[str, Any]] = {}
        parts: list[tuple[str, dict[str, Any]]] = []
        for fv in values:
            if fv.figure.part_of:
                parts.append((fv.figure.part_of, _figure(fv)))
            else:
                shown[fv.figure.key] = _figure(fv)
        for parent, item in parts:
            shown[parent]["parts"].append(item)
        if "brigade.road_works" in shown:
            shown["brigade.road_works"]["detail"] = "、".join(report.roads)
        out.append({"key": area.key, "label": area.label, "figures": list(shown.values())})
    return out


class ReportPageView(RoleRequiredMixin, View):
    """Commanders and admins; a squadron commander reads their own unit (another: 404).

    ``?from=&to=&unit=`` picks the period and scope (default: this half-year so far);
    ``?week=2022-W24`` (the dashboard's link) is the year to date as of that week's end;
    ``&export=xlsx`` / ``docx`` answers the same report as a file.
    """

    http_method_names = ["get"]
    read_roles = STAFF

    def get(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        units = visible_units(user)
        data = {key: request.GET[key] for key in ("from", "to", "unit") if request.GET.get(key)}
        note = ""
        week = request.GET.get("week", "").strip()
        if week and not ({"from", "to"} & set(data)):
            try:
                monday = parse_week(week)
            except ValueError:
                pass
            else:
                sunday = monday + dt.timedelta(days=6)
                data["from"] = dt.date(sunday.year, 1, 1).isoformat()
                data["to"] = min(sunday, today()).isoformat()
                note = _(
                    "The year to date as of the end of week %(week)s, as on the dashboard."
                ) % {"week": week}
        if not ({"from", "to"} & set(data)):
            period = default_period()
            data.update(period.query())
        query = ReportQuerySerializer(data=data)
        context: dict[str, Any] = {
            "page_title": _("Period report"),
            "units": units,
            "brigade_wide": scope_of(user).brigade_wide,
            "values": data,
            "max_days": MAX_DAYS,
            "today": today(),
            "note": note,
        }
        if not query.is_valid():
            context["errors"] = {k: [str(m) for m in v] for k, v in query.errors.items()}
            context["presets"] = self._presets(data.get("unit"))
            return render(request, TEMPLATE, context, status=400)
        scope = resolve_scope(user, query.validated_data.get("unit"), units)
        period = query.period()
        report = build_report(period, scope)
        export = request.GET.get("export")
        if export == "xlsx":
            return xlsx_response(report)
        if export == "docx":
            return docx_response(report, build_report(period.previous(), scope))
        base = {**period.query(), **({"unit": scope.unit_id} if scope.unit_id else {})}
        context.update(
            report=report,
            period=period,
            scope_choice=scope,
            sections=sections(report),
            presets=self._presets(scope.unit_id, period),
            export_xlsx="?" + urlencode({**base, "export": "xlsx"}),
            export_docx="?" + urlencode({**base, "export": "docx"}),
            previous=period.previous(),
        )
        return render(request, TEMPLATE, context)

    def _presets(self, unit: Any, current: Period | None = None) -> list[dict[str, Any]]:
        out = []
        for preset in presets():
            query = preset.period.query()
            if unit:
                query["unit"] = str(unit)
            out.append(
                {
                    "key": preset.key,
                    "label": preset.label,
                    "url": "?" + urlencode(query),
                    "active": preset.period == current,
                }
            )
        return out
