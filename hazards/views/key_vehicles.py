"""The key-vehicle register: its list, one vehicle, clearing it and the import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from brigade.core import history
from brigade.core.columns import columns
from brigade.core.errors import TransitionNotAllowed
from brigade.core.imports import ImportReport, TableError, drop_stash, open_stash, stash_upload
from brigade.core.pageviews import RecordActionView
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import STAFF
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.views import PageContextMixin, ScopedFilterListView
from brigade.duty.models import Unit
from hazards import services
from hazards.choices import KeyVehicleStatus
from hazards.filtersets import KeyVehicleFilterSet
from hazards.forms import ClearForm, ImportForm
from hazards.models import KeyVehicle
from hazards.views.common import chooser_units, own_unit, unit_for

# --- key vehicles ----------------------------------------------------------------------------


class KeyVehicleListView(ExcelExportMixin, ScopedFilterListView):
    filterset_class = KeyVehicleFilterSet
    role_flags = {"can_manage": STAFF}
    page_title = gettext_lazy("Key vehicles")
    filter_fields = ("q", "unit", "status", "reason", "kind", "sort")
    select_related = ("unit",)
    ordering = ("status", "plate")
    export_filename = "key-vehicles"
    export_columns = columns(
        KeyVehicle,
        "plate",
        "unit.name",
        "kind",
        ("owner", 24),
        "reason",
        "status",
        Column(gettext_lazy("Flagged"), "flagged_at", width=18),
        Column(gettext_lazy("Cleared"), "cleared_at", width=18),
        "inspection_date",
        ("scrapping_certificate", 18),
        ("clearance_note", 24),
        ("reopened_count", 8),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        counts = KeyVehicle.objects.visible_to(self.request.user).aggregate(
            flagged=Count("pk", filter=Q(status=KeyVehicleStatus.FLAGGED)),
            cleared=Count("pk", filter=Q(status=KeyVehicleStatus.CLEARED)),
        )
        context.update(counts=counts, clear_form=ClearForm())
        return context


# Fields of a key vehicle whose changes its history shows, in reading order.
VEHICLE_HISTORY_FIELDS = (
    "status",
    "reason",
    "kind",
    "owner",
    "inspection_date",
    "scrapping_certificate",
    "clearance_note",
    "reopened_count",
)


class KeyVehicleDetailView(RoleRequiredMixin, PageContextMixin, DetailView):
    """One key vehicle: its evidence, the imports that listed it, and its history."""

    model = KeyVehicle
    template_name = "hazards/keyvehicle_detail.html"
    role_flags = {"can_manage": STAFF}

    def get_queryset(self) -> QuerySet[KeyVehicle]:
        return KeyVehicle.objects.visible_to(self.request.user).select_related(
            "unit", "cleared_by", "last_import", "last_import__imported_by"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        vehicle = self.object
        context.update(
            page_title=vehicle.plate,
            history=history.history_entries(vehicle, VEHICLE_HISTORY_FIELDS),
            clear_form=ClearForm(),
        )
        return context


class KeyVehicleClearView(RecordActionView):
    model = KeyVehicle
    read_roles = write_roles = STAFF

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        vehicle = self.get_record()
        form = ClearForm(request.POST)
        back = reverse("hazards:keyvehicle_detail", args=[vehicle.pk])
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.key_vehicle_clear(vehicle=vehicle, by=request.user, **data)
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
            except ValidationError as exc:
                for text in exc.messages:
                    messages.error(request, f"{vehicle.plate}: {text}")
            else:
                messages.success(request, _("%(plate)s cleared.") % {"plate": vehicle.plate})
        else:
            messages.error(request, _("Check the evidence entered."))
        return redirect(back)


class KeyVehicleImportView(RoleRequiredMixin, View):
    """Upload → dry-run preview (every bad row with its reason) → confirm → written."""

    read_roles = write_roles = STAFF
    template_name = "hazards/keyvehicle_import.html"

    def show(
        self,
        form: ImportForm,
        report: ImportReport | None = None,
        token: str = "",
        unit: Unit | None = None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "report": report,
                "token": token,
                "chosen_unit": unit,
                "page_title": _("Import key vehicles"),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show(ImportForm(units=chooser_units(request.user)))

    def post(self, request: HttpRequest) -> HttpResponse:
        units = chooser_units(request.user)
        token = request.POST.get("token", "")
        if token:
            return self.confirm(request, token, units)
        form = ImportForm(request.POST, request.FILES, units=units)
        if not form.is_valid():
            return self.show(form, status=400)
        unit = unit_for(request.user, form)
        upload = form.cleaned_data["file"]
        try:
            report = services.key_vehicles_import(
                upload=upload, unit=unit, by=request.user, dry_run=True
            )
        except TableError as exc:
            for problem in exc.problems:
                form.add_error("file", problem)
            return self.show(form, status=400)
        token = stash_upload(upload, request.user) if report.ok else ""
        return self.show(form, report, token, unit, status=200 if report.ok else 400)

    def confirm(
        self, request: HttpRequest, token: str, units: QuerySet[Unit] | None
    ) -> HttpResponse:
        if units is not None:
            unit = get_object_or_404(units, pk=request.POST.get("unit") or 0)
        else:
            unit = own_unit(request.user)
        stashed = open_stash(token, request.user)
        if stashed is None:
            messages.error(request, _("The uploaded file has expired: upload it again."))
            return redirect("hazards:keyvehicle_import")
        with stashed:
            try:
                report = services.key_vehicles_import(upload=stashed, unit=unit, by=request.user)
            except TableError as exc:
                report = None
                for problem in exc.problems:
                    messages.error(request, problem)
        if report is None or not report.ok:
            form = ImportForm(units=units)
            return self.show(form, report, "", unit, status=400)
        drop_stash(token, request.user)
        messages.success(
            request,
            _(
                "Imported %(total)s rows: %(created)s new, %(updated)s updated, "
                "%(unchanged)s unchanged."
            )
            % {
                "total": report.total,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
        for notice in report.notices:
            messages.warning(
                request,
                _("Row %(row)s: %(message)s") % {"row": notice.row, "message": notice.message},
            )
        return redirect("hazards:keyvehicle_list")
