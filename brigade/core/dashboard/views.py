"""The commanders' dashboard page: KPI tiles of a week, 26-week trends, the per-unit table,
and the recompute button with its progress (htmx polling a small partial).

Figures come from ``brigade.core.kpi.read`` (cached; a fixed number of queries whatever the
number of units); this module only picks the week and scope and formats numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from brigade.core.dashboard.panels import panels
from brigade.core.dashboard.weeks import opening_week
from brigade.core.kpi import read, runs
from brigade.core.kpi.models import KpiRun
from brigade.core.kpi.read import FigureScope, MetricJson
from brigade.core.kpi.scopes import resolve_scope, visible_units
from brigade.core.kpi.weeks import WeekOutOfRange, current_week, parse_week, week_key
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.report.display import format_number
from brigade.core.roles import STAFF
from brigade.core.scope import scope_of
from brigade.core.views import PostOnlyMixin

TREND_WEEKS = 26
RUN_PARTIAL = "brigade/partials/dashboard_run.html"


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- formatting -----------------------------------------------------------------------------


def format_value(value: float | int | None, is_rate: bool) -> str:
    """A rate as a percentage with one decimal, a sum as a grouped number."""
    if value is None:
        return "—"
    if is_rate:
        return f"{number_format(value * 100, decimal_pos=1)}%"
    return format_number(value)


def format_change(change: float | int | None, is_rate: bool) -> dict[str, str] | None:
    """▲/▼ and the size of the change: percentage points for a rate."""
    if change is None:
        return None
    direction = "up" if change > 0 else "down" if change < 0 else "flat"
    arrow = {"up": "▲", "down": "▼", "flat": "="}[direction]
    if is_rate:
        size = _("%(points)s pts") % {"points": number_format(abs(change) * 100, decimal_pos=1)}
    else:
        size = format_number(abs(change))
    return {"direction": direction, "arrow": arrow, "text": size}


def _tile(key: str, figure: MetricJson) -> dict[str, object]:
    is_rate = figure["is_rate"]
    published = figure["published"]
    return {
        "key": key,
        "label": figure["label"],
        "display": format_value(figure["value"], is_rate),
        "is_rate": is_rate,
        "unit_label": figure["unit_label"],
        "numerator": format_number(figure["numerator"]),
        "denominator": format_number(figure["denominator"]),
        "change": format_change(figure["change"], is_rate),
        "previous": format_value(figure["previous"], is_rate),
        "drifted": figure["drifted"],
        "published": format_value(published["value"], is_rate) if published else None,
        "published_fraction": (
            f"{format_number(published['numerator'])} / {format_number(published['denominator'])}"
            if published and is_rate
            else None
        ),
        "records_url": figure["records_url"],
        "denominator_records_url": figure["denominator_records_url"],
    }


def _when(iso: str | None) -> dt.datetime | None:
    return timezone.localtime(dt.datetime.fromisoformat(iso)) if iso else None


# --- the page -------------------------------------------------------------------------------


class DashboardView(RoleRequiredMixin, TemplateView):
    """A week's KPI tiles for the brigade or one unit, trends, and the per-unit table."""

    template_name = "brigade/dashboard.html"
    read_roles = STAFF

    def get_week(self) -> tuple[dt.date, str]:
        """The requested week (none: this week, which ``opening_week`` may move back), and
        a message if it was not a week."""
        text = self.request.GET.get("week", "").strip()
        if not text:
            return current_week(), ""
        try:
            return parse_week(text), ""
        except WeekOutOfRange as exc:
            return current_week(), f"{text}: {exc.message}"
        except ValueError:
            return current_week(), _(
                "“%(week)s” is not a week like 2022-W24: showing this week."
            ) % {"week": text}

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        # this week's dashboard with the message, answered as the refusal it is
        if context.get("week_error"):
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)

    def get_unit_id(self) -> int | None:
        text = self.request.GET.get("unit", "").strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise Http404(_("No such unit in your scope.")) from None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        brigade_wide = scope_of(user).brigade_wide
        units = visible_units(user)
        scope = resolve_scope(user, self.get_unit_id(), units)
        monday, week_error = self.get_week()
        fallback_from = None
        if not self.request.GET.get("week", "").strip():
            opening = opening_week(scope)
            monday = opening.monday
            fallback_from = opening.current if opening.fell_back else None
        payload = read.figures(monday, scope)
        figures = payload["metrics"]
        tile_keys = [key for key, figure in figures.items() if figure["tile"]]
        unit_rows = []
        if brigade_wide and scope.unit_id is None:
            unit_rows = _unit_rows(monday, tile_keys, units, figures)
        context.update(
            _week_context(monday, week_error, fallback_from),
            page_title=_("Dashboard"),
            scope_choice=scope,
            brigade_wide=brigade_wide,
            units=units,
            has_data=payload["has_data"],
            computed_at=_when(payload["computed_at"]),
            stale_since=_when(payload["stale"]),
            tiles=[_tile(key, figures[key]) for key in tile_keys],
            tile_labels=[figures[key]["label"] for key in tile_keys],
            chart_data=_chart_data(monday, scope, figures, tile_keys),
            unit_rows=unit_rows,
            work_panels=panels.render(user, scope.unit_id),
            active_run=KpiRun.objects.filter(
                state__in=[KpiRun.State.QUEUED, KpiRun.State.RUNNING]
            ).first(),
        )
        return context


def _week_context(
    monday: dt.date, week_error: str, fallback_from: dt.date | None
) -> dict[str, object]:
    """The shown week, its neighbours and how it was chosen."""
    this_week = current_week()
    return {
        "week": week_key(monday),
        "week_monday": monday,
        "week_sunday": monday + dt.timedelta(days=6),
        "week_error": week_error,
        # opened on the latest week with records: the current week had (next to) none
        "fallback_from": week_key(fallback_from) if fallback_from else None,
        "previous_week": week_key(monday - dt.timedelta(days=7)),
        "next_week": week_key(monday + dt.timedelta(days=7)) if monday < this_week else None,
        "this_week": week_key(this_week),
        "is_this_week": monday == this_week,
    }


def _chart_data(
    monday: dt.date, scope: FigureScope, figures: dict[str, MetricJson], tile_keys: list[str]
) -> dict[str, object]:
    """The trend charts of the tiles' figures and of the split metrics' parts."""
    groups = read.split_groups()
    series = read.trends(
        [*tile_keys, *(key for _metric, keys in groups for key in keys)],
        scope,
        weeks=TREND_WEEKS,
        until=monday,
    )
    weeks = [point["week"] for point in next(iter(series.values()), [])]

    def values(key: str) -> list[float | int | None]:
        return [point["value"] for point in series[key]]

    return {
        "weeks": weeks,
        # a point opens the records of its week's figure (the records page's query)
        "records": {"url": reverse("dashboard_records"), "unit": scope.unit_id},
        "charts": [
            {
                "key": key,
                "label": figures[key]["label"],
                "is_rate": figures[key]["is_rate"],
                "unit_label": figures[key]["unit_label"],
                "values": values(key),
            }
            for key in tile_keys
        ],
        "splits": [
            {
                "key": metric.key,
                "label": str(metric.label),
                "parts": [
                    {"key": key, "label": figures[key]["label"], "values": values(key)}
                    for key in keys
                ],
            }
            for metric, keys in groups
        ],
    }


def _unit_rows(
    monday: dt.date, tile_keys: list[str], units: dict[int, str], figures: dict[str, MetricJson]
) -> list[dict[str, object]]:
    """The per-unit table: each unit's tile figures of the week."""
    return [
        {
            "unit": row["unit"],
            "name": row["name"],
            "cells": [
                {
                    "key": key,
                    "display": format_value(cell["value"], figures[key]["is_rate"]),
                    "records_url": cell["records_url"],
                }
                for key, cell in row["metrics"].items()
            ],
        }
        for row in read.unit_table(monday, tile_keys, units=units)
    ]


# --- recompute ------------------------------------------------------------------------------


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("dashboard")


class DashboardRecomputeView(PostOnlyMixin, RoleRequiredMixin, View):
    """Start a recompute of every figure; htmx gets the progress partial to poll. Landed on
    by GET: the dashboard."""

    http_method_names = ["post"]
    landing = "dashboard"
    read_roles = STAFF
    write_roles = STAFF

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            run = runs.start(by=request.user)
        except runs.BrokerUnavailable:
            error = _(
                "The task queue does not answer, so the recompute could not be started. "
                "The figures shown are still the last computed ones; try again in a minute."
            )
            if is_htmx(request):
                return render(request, RUN_PARTIAL, {"run": None, "error": error})
            messages.error(request, error)
            return redirect(_back(request))
        if is_htmx(request):
            return render(request, RUN_PARTIAL, {"run": run}, status=202)
        if run.state == KpiRun.State.DONE:
            messages.success(request, _("The figures have been recomputed."))
        else:
            messages.info(request, _("Recompute started: the figures will update when it ends."))
        return redirect(_back(request))


class DashboardRunView(RoleRequiredMixin, View):
    """The progress partial of one recompute (polled every second until it ends)."""

    http_method_names = ["get"]
    read_roles = STAFF

    def get(self, request: HttpRequest, pk: UUID) -> HttpResponse:
        run = get_object_or_404(KpiRun, pk=pk)
        return render(request, RUN_PARTIAL, {"run": run})
