"""The weekly summary (每周汇总), on the page and as an Excel file."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from brigade.core.params import optional_id
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import DESK
from brigade.core.scope import scope_of
from brigade.core.spreadsheets import Column

if TYPE_CHECKING:
    from petitions.weekly import WeeklySummary


class WeeklySummaryView(RoleRequiredMixin, View):
    """每周汇总: a week's tickets received, closed and overdue, by category, with the
    notable tickets listed; printable (A4), and as an Excel file with ``?export=xlsx``."""

    read_roles = DESK
    template = "petitions/weekly_summary.html"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        from brigade.core.kpi.scopes import resolve_scope, visible_units
        from brigade.core.kpi.weeks import current_week, parse_week, week_key
        from petitions.weekly import link_rows, weekly_summary

        text = request.GET.get("week", "").strip()
        this_week = current_week()
        monday, error = this_week, ""
        if text:
            try:
                monday = parse_week(text)
            except ValueError:
                error = _("“%(week)s” is not a week like 2022-W24: showing this week.") % {
                    "week": text
                }
        if monday > this_week:
            monday, error = this_week, _("That week has not begun: showing this week.")
        units = visible_units(request.user)
        unit_id = optional_id(request.GET, "unit")
        scope = resolve_scope(request.user, unit_id, units)
        summary = weekly_summary(request.user, monday, scope.unit_id)
        link_rows(summary)
        if request.GET.get("export") == "xlsx" and not error:
            return weekly_export(summary, scope.name)
        query: dict[str, str | int] = {"week": week_key(monday)}
        if unit_id is not None and scope.unit_id is not None:
            query["unit"] = scope.unit_id
        context = {
            "page_title": _("Weekly summary"),
            "summary": summary,
            "scope_choice": scope,
            "brigade_wide": scope_of(request.user).brigade_wide,
            "units": units,
            "week": week_key(monday),
            "this_week": week_key(this_week),
            "is_this_week": monday == this_week,
            "previous_week": week_key(monday - dt.timedelta(days=7)),
            "next_week": week_key(monday + dt.timedelta(days=7)) if monday < this_week else None,
            "week_error": error,
            "export_url": "?" + urlencode({**query, "export": "xlsx"}),
            "notable": [(summary.notable[kind], label) for kind, label in NOTABLE_LABELS.items()],
        }
        return render(request, self.template, context, status=400 if error else 200)


NOTABLE_LABELS = {
    "overdue": gettext_lazy("Overdue at the week's end"),
    "reopened": gettext_lazy("Reopened (dissatisfied callback or a commander's reopening)"),
    "extended": gettext_lazy("Extensions requested"),
    "returned": gettext_lazy("Returned to the platform"),
}


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def weekly_export(summary: WeeklySummary, scope_name: str) -> HttpResponseBase:
    """The summary as an .xlsx: the figures by category, then one sheet per kind of
    notable ticket."""
    from brigade.core.spreadsheets import Sheet, xlsx_response

    figures = (
        Column(
            gettext_lazy("Category"),
            lambda r: r.category.shown_name if r.category else _("All categories"),
        ),
        Column(gettext_lazy("Received"), "received", width=10),
        Column(gettext_lazy("Replied"), "replied", width=10),
        Column(gettext_lazy("Closed"), "closed", width=10),
        Column(gettext_lazy("Closed on time"), "closed_on_time", width=10),
        Column(gettext_lazy("On-time rate"), lambda r: _rate(r.on_time_rate), width=10),
        Column(gettext_lazy("Received and closed"), "received_closed", width=10),
        Column(gettext_lazy("Closure rate"), lambda r: _rate(r.closure_rate), width=10),
        Column(gettext_lazy("Overdue"), "overdue", width=10),
        Column(gettext_lazy("Reopened"), "reopened", width=10),
        Column(gettext_lazy("Returned"), "returned", width=10),
        Column(gettext_lazy("Satisfied callbacks"), "callbacks_satisfied", width=10),
        Column(gettext_lazy("Callbacks answered"), "callbacks_answered", width=10),
    )
    ticket_columns = (
        Column(gettext_lazy("Platform number"), "number", width=20),
        Column(gettext_lazy("Received at"), "received_at", width=18),
        Column(gettext_lazy("Category"), "category.shown_name"),
        Column(gettext_lazy("Unit"), "unit.shown_name"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Close by"), "close_due", width=12),
        Column(gettext_lazy("Content"), "content", width=40),
    )
    extension_columns = (
        Column(gettext_lazy("Platform number"), "ticket.number", width=20),
        Column(gettext_lazy("Category"), "ticket.category.shown_name"),
        Column(gettext_lazy("Unit"), "ticket.unit.shown_name"),
        Column(gettext_lazy("Closing deadline before"), "old_due", width=12),
        Column(gettext_lazy("New closing deadline"), "new_due", width=12),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Reason"), "reason", width=40),
    )
    title = _("%(week)s %(scope)s") % {"week": summary.key, "scope": scope_name}
    sheets = [Sheet(title, figures, [*summary.rows, summary.total])]
    for kind, label in NOTABLE_LABELS.items():
        columns = extension_columns if kind == "extended" else ticket_columns
        sheets.append(Sheet(label, columns, summary.notable[kind].rows))
    return xlsx_response(f"weekly-{summary.key}", sheets)
