"""The page listing the records behind one figure (``/dashboard/records/?metric=…``): the
same list as the records API, with how many records it holds and, for a figure that sums
an amount, the sum; each row links to its record's page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from brigade.core.dashboard.records import (
    PAGE_SIZE,
    InvalidPage,
    Listing,
    RecordsQuerySerializer,
    listing,
)
from brigade.core.kpi.read import number
from brigade.core.kpi.records import Row
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.report.display import format_number
from brigade.core.roles import DESK

TEMPLATE = "brigade/figure_records.html"


class _Page:
    """The rows of one page, standing in for the whole list (its count known) so that
    Django's paginator and the shared pagination partial can show it."""

    def __init__(self, found: Listing) -> None:
        self.found = found

    def count(self) -> int:
        return self.found.count

    def __len__(self) -> int:
        return self.found.count

    def __getitem__(self, index: slice) -> list[Row]:
        return self.found.rows


class FigureRecordsView(RoleRequiredMixin, View):
    """Commanders and admins, as the dashboard; another unit's records answer 404."""

    http_method_names = ["get"]
    read_roles = DESK

    def get(self, request: HttpRequest) -> HttpResponse:
        query = RecordsQuerySerializer(data=request.GET)
        if not query.is_valid():
            errors = [str(message) for messages in query.errors.values() for message in messages]
            invalid = {"page_title": _("Records behind a figure"), "errors": errors}
            return render(request, TEMPLATE, invalid, status=400)
        raw_page = request.GET.get("page", "1")
        page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() else 0
        if page < 1:
            raise Http404(_("Invalid page."))
        try:
            found = listing(request.user, query, page, PAGE_SIZE)
        except InvalidPage:
            raise Http404(_("Invalid page.")) from None
        paginator: Paginator[Row] = Paginator(_Page(found), PAGE_SIZE)  # type: ignore[arg-type]
        page_obj = paginator.page(page)
        side = _("denominator") if found.side == "d" else _("numerator")
        context: dict[str, Any] = {
            "page_title": found.label,
            "found": found,
            "side_label": side if found.is_rate else "",
            "count": found.count,
            "total": format_number(number(found.total)) if found.is_sum else None,
            "rows": [
                {
                    "row": row,
                    "unit_name": found.units.get(row.unit_id) if row.unit_id else None,
                    "amount": format_number(number(row.amount)),
                }
                for row in found.rows
            ],
            "paginator": paginator,
            "page_obj": page_obj,
            "is_paginated": paginator.num_pages > 1,
        }
        return render(request, TEMPLATE, context)
