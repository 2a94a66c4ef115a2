"""Pages of the hazards app: thin views over the querysets (reads) and services (writes).

Lists are scoped with ``visible_to(request.user)`` and filtered with the shared FilterSets;
a service's ValidationError becomes form errors, its TransitionNotAllowed a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from brigade.core import history
from brigade.core.errors import TransitionNotAllowed
from brigade.core.forms import apply_service_errors
from brigade.core.imports import TableError, drop_stash, open_stash, stash_upload
from brigade.core.permissions import RoleRequiredMixin, has_role
from brigade.core.roles import DUTY, EVERYONE, STAFF
from brigade.core.scope import scope_of
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.units import unit_of_new_record
from brigade.core.uploads import file_response
from brigade.core.views import ScopedFilterListView
from brigade.duty.models import PatrolLog, Unit
from hazards import services
from hazards.choices import (
    HazardSource,
    HazardStatus,
    KeyVehicleStatus,
    PhotoStage,
    Severity,
)
from hazards.filtersets import FacilityWorkFilterSet, HazardFilterSet, KeyVehicleFilterSet
from hazards.forms import (
    AssignForm,
    ClearForm,
    DuplicateForm,
    FacilityWorkForm,
    HazardEditForm,
    HazardReportForm,
    ImportForm,
    PhotosForm,
    ReasonForm,
    RectifyForm,
    VerifyForm,
)
from hazards.models import FacilityWork, Hazard, HazardCheck, HazardPhoto, KeyVehicle
from hazards.transitions import HAZARD_TRANSITIONS


def chooser_units(user: Any) -> Any:
    """Units a user picks from on a form: only someone who sees several units picks."""
    scope = scope_of(user)
    if scope.brigade_wide or scope.unit_id is None:
        return Unit.objects.visible_to(user)
    return None


def own_unit(user: Any, chosen: Unit | None = None) -> Unit:
    """The unit a new record belongs to (the shared rule); for a user without one (an
    administrator), the first unit they see."""
    unit = unit_of_new_record(user, chosen, otherwise=lambda: Unit.objects.visible_to(user).first())
    if unit is None:
        raise Http404(_("No unit to record this in."))
    return unit


def unit_for(user: Any, form: Any) -> Unit:
    return own_unit(user, form.cleaned_data.get("unit"))


# --- hazards: the list (commander's queue) ----------------------------------------------------


class HazardListView(ExcelExportMixin, ScopedFilterListView):
    """Hazards in scope: overdue first, then due soon, then the other open ones."""

    model = Hazard
    filterset_class = HazardFilterSet
    template_name = "hazards/hazard_list.html"
    read_roles = EVERYONE
    page_title = gettext_lazy("Hazards")
    filter_fields = (
        "q",
        "unit",
        "status",
        "is_open",
        "overdue",
        "element",
        "severity",
        "source",
        "date_from",
        "date_to",
        "sort",
    )
    export_filename = "hazards"
    export_columns = (
        Column(gettext_lazy("No."), "pk", width=8),
        Column(gettext_lazy("Unit"), "unit.name"),
        Column(gettext_lazy("Found"), "found_at", width=18),
        Column(gettext_lazy("Element"), "get_element_display"),
        Column(gettext_lazy("Source"), "get_source_display"),
        Column(gettext_lazy("Severity"), "get_severity_display"),
        Column(gettext_lazy("Road"), "road", width=20),
        Column(gettext_lazy("Place"), "location", width=24),
        Column(pgettext_lazy("hazard", "Description"), "description", width=40),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Responsible party"), "responsible_party", width=20),
        Column(gettext_lazy("Deadline"), "deadline", width=12),
        Column(gettext_lazy("Measures"), "measures", width=30),
        Column(gettext_lazy("Rectified"), "rectified_at", width=18),
        Column(gettext_lazy("Verified"), "verified_at", width=18),
        Column(gettext_lazy("Reported by"), "reported_by.name"),
    )

    def get_queryset(self) -> Any:
        return Hazard.objects.visible_to(self.request.user).for_list().queue()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        counts = Hazard.objects.visible_to(self.request.user).queue_counts(today)
        context.update(counts=counts, today=today, can_report=True)
        return context


# --- reporting -------------------------------------------------------------------------------


def _prefill(request: HttpRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    """Initial values and links from ``?patrol=`` (only records the user may see)."""
    initial: dict[str, Any] = {}
    links: dict[str, Any] = {}
    patrol_id = request.GET.get("patrol") or request.POST.get("patrol")
    if patrol_id:
        if not str(patrol_id).isdigit():
            raise Http404
        patrol = get_object_or_404(
            PatrolLog.objects.visible_to(request.user).select_related("post"), pk=patrol_id
        )
        links["patrol"] = patrol
        initial["source"] = HazardSource.PATROL
        initial["unit"] = patrol.unit_id
        if patrol.post_id:
            initial["location"] = patrol.post.location if patrol.post else ""
    for name, finder in LINK_FINDERS.items():
        value = request.GET.get(name) or request.POST.get(name)
        if value:
            if not str(value).isdigit():
                raise Http404
            record, extra = finder(request.user, value)
            links[name] = record
            initial.update(extra)
    return initial, links


def _accident(user: Any, pk: str) -> tuple[Any, dict[str, Any]]:
    from incidents.models import Accident

    accident = get_object_or_404(Accident.objects.visible_to(user), pk=pk)
    return accident, {
        "source": HazardSource.ACCIDENT,
        "unit": accident.unit_id,
        "road": accident.road,
        "location": accident.place,
        "latitude": accident.latitude,
        "longitude": accident.longitude,
    }


def _ticket(user: Any, pk: str) -> tuple[Any, dict[str, Any]]:
    from petitions.models import Ticket

    ticket = get_object_or_404(Ticket.objects.visible_to(user), pk=pk)
    return ticket, {
        "source": HazardSource.TICKET,
        "unit": ticket.unit_id,
        "location": ticket.location,
        "description": ticket.content,
    }


# Other apps' records a hazard can be raised from: name → (user, id) → (record, initial).
LINK_FINDERS: dict[str, Any] = {"accident": _accident, "ticket": _ticket}


class HazardReportView(RoleRequiredMixin, View):
    """Report a hazard from a phone in under a minute."""

    read_roles = EVERYONE
    write_roles = EVERYONE

    def get(self, request: HttpRequest) -> HttpResponse:
        initial, links = _prefill(request)
        form = HazardReportForm(initial=initial, units=chooser_units(request.user))
        return self.show(form, links)

    def show(
        self, form: HazardReportForm, links: dict[str, Any], status: int = 200
    ) -> HttpResponse:
        return render(
            request=self.request,
            template_name="hazards/hazard_form.html",
            context={"form": form, "links": links, "page_title": _("Report a hazard")},
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        _initial, links = _prefill(request)
        form = HazardReportForm(request.POST, request.FILES, units=chooser_units(request.user))
        if not form.is_valid():
            return self.show(form, links, status=400)
        data = dict(form.cleaned_data)
        unit = unit_for(request.user, form)
        data.pop("unit", None)
        try:
            hazard = services.hazard_report(
                unit=unit,
                reported_by=scope_of(request.user).officer,
                by=request.user,
                **data,
                **links,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.show(form, links, status=400)
        messages.success(request, _("Hazard #%(pk)s reported. Thank you.") % {"pk": hazard.pk})
        return redirect("hazards:hazard_detail", pk=hazard.pk)


# --- one hazard ------------------------------------------------------------------------------

# Fields of a hazard whose changes the history shows, in reading order.
HISTORY_FIELDS = (
    "status",
    "element",
    "severity",
    "road",
    "location",
    "description",
    "responsible_party",
    "deadline",
    "measures",
    "rejection_reason",
    "duplicate_of",
)


def hazard_history(
    hazard: Hazard,
    photos: Sequence[HazardPhoto] = (),
    checks: Sequence[HazardCheck] = (),
) -> list[dict[str, Any]]:
    """Who changed what and when, newest first: the hazard's own history, its photos and
    its checks (already loaded with the hazard)."""
    return history.newest_first(
        history.history_entries(hazard, HISTORY_FIELDS, created=_("Reported")),
        (
            history.entry(
                photo.created_at,
                photo.uploaded_by,
                _("Photo"),
                [history.change(_("Photos"), history.EMPTY, photo.get_stage_display())],
            )
            for photo in photos
        ),
        (
            history.entry(
                check.checked_at,
                check.checked_by,
                _("Check"),
                [
                    history.change(
                        check.get_result_display(), history.EMPTY, check.reason or history.EMPTY
                    )
                ],
            )
            for check in checks
        ),
    )


def hazard_actions(user: Any, hazard: Hazard) -> dict[str, bool]:
    """Which action forms the page offers this user on this hazard now: what the hazard's
    transition table allows from its state to the user's roles."""
    return HAZARD_TRANSITIONS.offered(hazard, lambda roles: has_role(user, roles))


class HazardDetailView(RoleRequiredMixin, DetailView):
    model = Hazard
    template_name = "hazards/hazard_detail.html"
    read_roles = EVERYONE

    def get_queryset(self) -> Any:
        return (
            Hazard.objects.visible_to(self.request.user)
            .select_related(
                "unit",
                "reported_by",
                "patrol",
                "patrol__officer",
                "duplicate_of",
                "accident",
                "ticket",
            )
            .prefetch_related(
                Prefetch(
                    "photos",
                    queryset=HazardPhoto.objects.select_related("uploaded_by").order_by(
                        "stage", "pk"
                    ),
                ),
                Prefetch(
                    "checks",
                    queryset=HazardCheck.objects.select_related("checked_by").order_by(
                        "-checked_at", "-pk"
                    ),
                ),
                Prefetch("duplicates", queryset=Hazard.objects.order_by("pk")),
                Prefetch("facility_works", queryset=FacilityWork.objects.order_by("-done_on")),
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        hazard = self.object
        photos = list(hazard.photos.all())
        forms = kwargs.get("forms", {})
        context.update(
            page_title=_("Hazard #%(pk)s") % {"pk": hazard.pk},
            before_photos=[p for p in photos if p.stage == PhotoStage.BEFORE],
            after_photos=[p for p in photos if p.stage == PhotoStage.AFTER],
            history=hazard_history(hazard, photos, list(hazard.checks.all())),
            actions=hazard_actions(self.request.user, hazard),
            assign_form=forms.get("assign")
            or AssignForm(
                initial={
                    "responsible_party": hazard.responsible_party,
                    "deadline": hazard.deadline or services.default_deadline(hazard.severity),
                }
            ),
            rectify_form=forms.get("rectify") or RectifyForm(initial={"measures": hazard.measures}),
            verify_form=forms.get("verify") or VerifyForm(),
            fail_form=forms.get("fail") or ReasonForm(auto_id="fail_%s"),
            reject_form=forms.get("reject") or ReasonForm(auto_id="reject_%s"),
            duplicate_form=forms.get("duplicate") or DuplicateForm(hazard=hazard),
            photos_form=forms.get("photos") or PhotosForm(),
            overdue=hazard.is_overdue(),
            source_links=source_links(hazard),
        )
        return context


def source_links(hazard: Hazard) -> list[dict[str, str]]:
    """The records the hazard was raised from (patrol, accident, ticket), as links."""
    links = []
    if hazard.patrol_id:
        links.append(
            {
                "key": "patrol",
                "label": _("Patrol"),
                "text": str(hazard.patrol),
                "url": reverse("brigade:patrollog_detail", args=[hazard.patrol_id]),
            }
        )
    for name, describe in LINK_DESCRIBERS.items():
        if getattr(hazard, f"{name}_id", None):
            links.append(describe(hazard))
    return links


def _link(key: str, label: Any, record: Any, url_name: str) -> dict[str, str]:
    from django.urls import NoReverseMatch

    try:
        url = reverse(url_name, args=[record.pk])
    except NoReverseMatch:  # the other app has no detail page for it (yet)
        url = ""
    return {"key": key, "label": str(label), "text": str(record), "url": url}


LINK_DESCRIBERS: dict[str, Any] = {
    "accident": lambda h: _link("accident", _("Accident"), h.accident, "incidents:accident_detail"),
    "ticket": lambda h: _link("ticket", _("12345 ticket"), h.ticket, "petitions:ticket_detail"),
}


class HazardActionView(RoleRequiredMixin, View):
    """A POST action on one hazard: validate the form, call the service, back to the page."""

    http_method_names = ["post"]
    read_roles = STAFF
    write_roles = STAFF
    form_key = ""
    success_message: Any = ""

    def make_form(self, request: HttpRequest, hazard: Hazard) -> Any:
        raise NotImplementedError

    def act(self, hazard: Hazard, data: dict[str, Any]) -> Hazard:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        hazard = get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)
        form = self.make_form(request, hazard)
        if form.is_valid():
            try:
                self.act(hazard, form.cleaned_data)
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
                return redirect("hazards:hazard_detail", pk=pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, str(self.success_message))
                return redirect("hazards:hazard_detail", pk=pk)
        view = HazardDetailView()
        view.setup(request, pk=pk)
        view.object = hazard
        view.kwargs = {"pk": pk}
        view.object = view.get_queryset().get(pk=pk)
        context = view.get_context_data(object=view.object, forms={self.form_key: form})
        context["open_form"] = self.form_key
        return render(request, "hazards/hazard_detail.html", context, status=400)


class HazardAssignView(HazardActionView):
    form_key = "assign"
    success_message = gettext_lazy("Hazard assigned.")

    def make_form(self, request: HttpRequest, hazard: Hazard) -> Any:
        return AssignForm(request.POST)

    def act(self, hazard: Hazard, data: dict[str, Any]) -> Hazard:
        return services.hazard_assign(hazard=hazard, by=self.request.user, **data)


class HazardStartView(HazardActionView):
    read_roles = write_roles = DUTY
    form_key = "start"
    success_message = gettext_lazy("Rectification started.")

    def make_form(self, request: HttpRequest, hazard: Hazard) -> Any:
        return VerifyForm(request.POST)

    def act(self, hazard: Hazard, data: dict[str, Any]) -> Hazard:
        return services.hazard_start(hazard=hazard)


class HazardRectifyView(HazardActionView):
    read_roles = write_roles = DUTY
    form_key = "rectify"
    success_message = gettext_lazy("Rectification recorded: it now awaits a commander's check.")

    def make_form(self, request: HttpRequest, hazard: Hazard) -> Any:
        return RectifyForm(request.POST, request.FILES)

    def act(self, hazard: Hazard, data: dict[str, Any]) -> Hazard:
        return services.hazard_rectify(hazard=hazard, by=self.request.user, **data)


class HazardPhotosView(HazardActionView):
    read_roles = write_roles = DUTY
    form_key = "photos"
    success_message = gettext_lazy("Photos added.")

    def make_form(self, request: HttpRequest, hazard: Hazard) -> Any:
        return PhotosForm(request.POST, request.FILES)

    def act(self, hazard: Hazard, data: dict[str, Any]) -> Hazard:
        services.hazard_add_photos(hazard=hazard, by=self.request.user, **data)
        return hazard


class HazardVerifyView(HazardActionView):
    form_key = "verify"
    success_message = gettext_lazy("Rectification verified: the hazard is closed.")

    def make_form(self, request: HttpRequest, hazard: Hazard) -> Any:
        return VerifyForm(request.POST)

    def act(self, hazard: Hazard, data: dict[str, Any]) -> Hazard:
        return services.hazard_verify(hazard=hazard, by=self.request.user, **data)


class HazardFailCheckView(HazardActionView):
    form_key = "fail"
    success_message = gettext_lazy("Check failed: the hazard is back to rectifying.")

    def make_form(self, request: HttpRequest, hazard: Hazard) -> Any:
        return ReasonForm(request.POST, auto_id="fail_%s")

    def act(self, hazard: Hazard, data: dict[str, Any]) -> Hazard:
        return services.hazard_fail_check(hazard=hazard, by=self.request.user, **data)


class HazardRejectView(HazardActionView):
    form_key = "reject"
    success_message = gettext_lazy("Report rejected.")

    def make_form(self, request: HttpRequest, hazard: Hazard) -> Any:
        return ReasonForm(request.POST, auto_id="reject_%s")

    def act(self, hazard: Hazard, data: dict[str, Any]) -> Hazard:
        return services.hazard_reject(hazard=hazard, by=self.request.user, **data)


class HazardDuplicateView(HazardActionView):
    form_key = "duplicate"
    success_message = gettext_lazy("Marked as a duplicate.")

    def make_form(self, request: HttpRequest, hazard: Hazard) -> Any:
        return DuplicateForm(request.POST, hazard=hazard)

    def act(self, hazard: Hazard, data: dict[str, Any]) -> Hazard:
        return services.hazard_mark_duplicate(hazard=hazard, by=self.request.user, **data)


class HazardEditView(RoleRequiredMixin, View):
    """Correct the report of an open hazard (commanders)."""

    read_roles = write_roles = STAFF

    def show(self, hazard: Hazard, form: HazardEditForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "hazards/hazard_edit.html",
            {"form": form, "hazard": hazard, "page_title": _("Correct the report")},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        hazard = get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)
        initial = {name: getattr(hazard, name) for name in services.EDITABLE_FIELDS}
        return self.show(hazard, HazardEditForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        hazard = get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)
        form = HazardEditForm(request.POST)
        if form.is_valid():
            try:
                services.hazard_update(hazard=hazard, **form.cleaned_data)
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
                return redirect("hazards:hazard_detail", pk=pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Report corrected."))
                return redirect("hazards:hazard_detail", pk=pk)
        return self.show(hazard, form, status=400)


class PhotoView(RoleRequiredMixin, View):
    """A hazard photo, only for users who may see the hazard (404 otherwise)."""

    read_roles = EVERYONE

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        photo = get_object_or_404(HazardPhoto.objects.visible_to(request.user), pk=pk)
        return file_response(photo.file)


# --- the map ---------------------------------------------------------------------------------


def map_points(user: Any) -> list[dict[str, Any]]:
    """Open hazards with a position, in the user's scope (one query)."""
    rows = (
        Hazard.objects.visible_to(user)
        .open()
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("pk")
        .values("pk", "road", "location", "severity", "status", "latitude", "longitude", "deadline")
    )
    today = timezone.localdate()
    severity = dict(Severity.choices)
    status = dict(HazardStatus.choices)
    return [
        {
            "id": row["pk"],
            "lat": float(row["latitude"]),
            "lng": float(row["longitude"]),
            "road": row["road"],
            "location": row["location"],
            "severity": row["severity"],
            "severity_label": str(severity.get(row["severity"], row["severity"])),
            "status_label": str(status.get(row["status"], row["status"])),
            "overdue": bool(row["deadline"] and row["deadline"] < today),
            "url": reverse("hazards:hazard_detail", args=[row["pk"]]),
        }
        for row in rows
    ]


class HazardMapView(RoleRequiredMixin, TemplateView):
    template_name = "hazards/hazard_map.html"
    read_roles = EVERYONE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        points = map_points(self.request.user)
        context.update(
            page_title=_("Map of open hazards"),
            points=points,
            map_config={
                "tiles": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
                "center": list(settings.MAP_CENTER),
            },
            without_position=Hazard.objects.visible_to(self.request.user)
            .open()
            .filter(latitude__isnull=True)
            .count(),
        )
        return context


class HazardMapPointsView(RoleRequiredMixin, View):
    read_roles = EVERYONE

    def get(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse({"points": map_points(request.user)})


# --- key vehicles ----------------------------------------------------------------------------


class KeyVehicleListView(ExcelExportMixin, ScopedFilterListView):
    model = KeyVehicle
    filterset_class = KeyVehicleFilterSet
    template_name = "hazards/keyvehicle_list.html"
    read_roles = EVERYONE
    page_title = gettext_lazy("Key vehicles")
    filter_fields = ("q", "unit", "status", "reason", "kind", "sort")
    export_filename = "key-vehicles"
    export_columns = (
        Column(gettext_lazy("Plate"), "plate"),
        Column(gettext_lazy("Unit"), "unit.name"),
        Column(gettext_lazy("Vehicle kind"), "get_kind_display"),
        Column(gettext_lazy("Owner enterprise"), "owner", width=24),
        Column(gettext_lazy("Reason"), "get_reason_display"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Flagged"), "flagged_at", width=18),
        Column(gettext_lazy("Cleared"), "cleared_at", width=18),
        Column(gettext_lazy("Inspection date"), "inspection_date", width=12),
        Column(gettext_lazy("Scrapping certificate no."), "scrapping_certificate", width=18),
        Column(gettext_lazy("Clearance note"), "clearance_note", width=24),
        Column(gettext_lazy("Times reopened"), "reopened_count", width=8),
    )

    def get_queryset(self) -> Any:
        return (
            KeyVehicle.objects.visible_to(self.request.user)
            .select_related("unit")
            .order_by("status", "plate")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        counts = KeyVehicle.objects.visible_to(self.request.user).aggregate(
            flagged=Count("pk", filter=Q(status=KeyVehicleStatus.FLAGGED)),
            cleared=Count("pk", filter=Q(status=KeyVehicleStatus.CLEARED)),
        )
        context.update(
            counts=counts,
            can_manage=has_role(self.request.user, STAFF),
            clear_form=ClearForm(),
        )
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


class KeyVehicleDetailView(RoleRequiredMixin, DetailView):
    """One key vehicle: its evidence, the imports that listed it, and its history."""

    model = KeyVehicle
    template_name = "hazards/keyvehicle_detail.html"
    read_roles = EVERYONE

    def get_queryset(self) -> Any:
        return KeyVehicle.objects.visible_to(self.request.user).select_related(
            "unit", "cleared_by", "last_import", "last_import__imported_by"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        vehicle = self.object
        context.update(
            page_title=vehicle.plate,
            history=history.history_entries(vehicle, VEHICLE_HISTORY_FIELDS),
            can_manage=has_role(self.request.user, STAFF),
            clear_form=ClearForm(),
        )
        return context


class KeyVehicleClearView(RoleRequiredMixin, View):
    http_method_names = ["post"]
    read_roles = write_roles = STAFF

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        vehicle = get_object_or_404(KeyVehicle.objects.visible_to(request.user), pk=pk)
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
        report: Any = None,
        token: str = "",
        unit: Any = None,
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

    def confirm(self, request: HttpRequest, token: str, units: Any) -> HttpResponse:
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


# --- facility works --------------------------------------------------------------------------


class FacilityWorkListView(ExcelExportMixin, ScopedFilterListView):
    model = FacilityWork
    filterset_class = FacilityWorkFilterSet
    template_name = "hazards/facilitywork_list.html"
    read_roles = EVERYONE
    page_title = gettext_lazy("Facility works")
    filter_fields = ("unit", "kind", "place", "date_from", "date_to", "sort")
    export_filename = "facility-works"
    export_columns = (
        Column(gettext_lazy("Date"), "done_on", width=12),
        Column(gettext_lazy("Unit"), "unit.name"),
        Column(gettext_lazy("Kind"), "get_kind_display", width=20),
        Column(gettext_lazy("Quantity"), "quantity", width=10),
        Column(gettext_lazy("Place"), "place", width=24),
        Column(gettext_lazy("Hazard"), "hazard_id", width=10),
        Column(gettext_lazy("Notes"), "notes", width=30),
    )

    def get_queryset(self) -> Any:
        return (
            FacilityWork.objects.visible_to(self.request.user)
            .select_related("unit", "hazard")
            .order_by("-done_on", "-pk")
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
        context.update(
            totals=[
                {"label": labels.get(t["kind"], t["kind"]), "total": t["total"]} for t in totals
            ],
            can_manage=has_role(self.request.user, STAFF),
        )
        return context


class FacilityWorkCreateView(RoleRequiredMixin, View):
    read_roles = write_roles = STAFF

    def form(self, data: Any = None) -> FacilityWorkForm:
        user = self.request.user
        return FacilityWorkForm(
            data,
            units=chooser_units(user),
            hazards=Hazard.objects.visible_to(user).order_by("-found_at"),
            initial={
                "done_on": timezone.localdate(),
                "hazard": self.request.GET.get("hazard")
                if self.request.GET.get("hazard", "").isdigit()
                else None,
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
