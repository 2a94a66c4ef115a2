"""Facility works: the list with its totals and the record page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from brigade.core.columns import columns
from brigade.core.forms import apply_service_errors
from brigade.core.params import optional_id
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import STAFF
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.views import ScopedFilterListView
from hazards import services
from hazards.filtersets import FacilityWorkFilterSet
from hazards.forms import FacilityWorkForm
from hazards.models import FacilityWork, Hazard
from hazards.views.common import chooser_units, unit_for

# --- facility works --------------------------------------------------------------------------


class FacilityWorkListView(ExcelExportMixin, ScopedFilterListView):
    filterset_class = FacilityWorkFilterSet
    role_flags = {"can_manage": STAFF}
    page_title = gettext_lazy("Facility works")
    filter_fields = ("unit", "kind", "place", "date_from", "date_to", "sort")
    select_related = ("unit", "hazard")
    ordering = ("-done_on", "-pk")
    export_filename = "facility-works"
    export_columns = columns(
        FacilityWork,
        Column(gettext_lazy("Date"), "done_on", width=12),
        "unit.name",
        ("kind", 20),
        ("quantity", 10),
        ("place", 24),
        ("hazard_id", 10),
        ("notes", 30),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        from django.db.models import Sum

        totals = (
            self.filterset.qs.order_by().values("kind").annotate(total=Sum("quantity"))
            if self.filterset.is_valid()
            else []
        )
        labels = dict(FacilityWork._meta.get_field("kind").flatchoices)
        context["totals"] = [
            {"label": labels.get(t["kind"], t["kind"]), "total": t["total"]} for t in totals
        ]
        return context


class FacilityWorkCreateView(RoleRequiredMixin, View):
    read_roles = write_roles = STAFF

    def form(self, data: QueryDict | None = None) -> FacilityWorkForm:
        user = self.request.user
        return FacilityWorkForm(
            data,
            units=chooser_units(user),
            hazards=Hazard.objects.visible_to(user).order_by("-found_at"),
            initial={
                "done_on": timezone.localdate(),
                "hazard": optional_id(self.request.GET, "hazard"),
            },
        )

    def show(self, form: FacilityWorkForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "hazards/facilitywork_form.html",
            {"form": form, "page_title": _("Record facility work")},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show(self.form())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("unit", None)
            try:
                services.facility_work_save(
                    unit=unit_for(request.user, form), by=request.user, **data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Facility work recorded."))
                return redirect("hazards:facilitywork_list")
        return self.show(form, status=400)
