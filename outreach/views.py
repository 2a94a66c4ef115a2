"""Pages of the outreach app: thin views over the querysets (reads) and services (writes).

Lists are scoped with ``visible_to(request.user)``, filtered with the app's FilterSets and
exportable to Excel; the officers' forms (an event, an assistance) are one phone screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Prefetch, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from brigade.core import history
from brigade.core.errors import TransitionNotAllowed
from brigade.core.forms import apply_service_errors
from brigade.core.permissions import RoleRequiredMixin, has_role
from brigade.core.roles import DESK, DUTY, EVERYONE, STAFF
from brigade.core.scope import scope_of
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.uploads import file_response
from brigade.core.views import ScopedFilterListView, is_htmx
from brigade.duty.models import Officer, Unit
from outreach import services
from outreach.choices import AssistanceKind, VenueKind
from outreach.filtersets import (
    AssistanceEventFilterSet,
    CommendationFilterSet,
    LoveStationFilterSet,
    OutreachCampaignFilterSet,
    PublicityEventFilterSet,
)
from outreach.forms import (
    AssistanceForm,
    CampaignForm,
    CommendationForm,
    PhotoForm,
    PublicityEventForm,
    StationForm,
    StationTallyForm,
)
from outreach.models import (
    AssistanceEvent,
    Commendation,
    EventPhoto,
    LoveStation,
    OutreachCampaign,
    PublicityEvent,
    StationVisitDay,
)

RECENT = 20  # rows of each kind on an officer's or a unit's page

_OFFICERS = Prefetch("officers", queryset=Officer.objects.order_by("badge_no"))


def _names(officers: Iterable[Officer]) -> str:
    return "、".join(o.name for o in officers)


class OutreachListView(ScopedFilterListView):
    """A scoped, filtered list whose ``campaign`` filter means an outreach campaign."""

    def get_filterset(self, filterset_class: Any) -> Any:
        filterset = super().get_filterset(filterset_class)
        if "campaign" in filterset.filters:
            filterset.form.fields["campaign"].queryset = OutreachCampaign.objects.visible_to(
                self.request.user
            )
            filterset.filters["campaign"].queryset = OutreachCampaign.objects.visible_to(
                self.request.user
            )
        return filterset


# --- history --------------------------------------------------------------------------------


def history_entries(obj: models.Model, m2m: str | None = None) -> list[dict[str, Any]]:
    """Who changed what and when, newest first: one entry per saved version."""
    return history.history_entries(obj, m2m=m2m)


# --- publicity events -----------------------------------------------------------------------


class EventListView(ExcelExportMixin, OutreachListView):
    model = PublicityEvent
    filterset_class = PublicityEventFilterSet
    filter_fields = ("unit", "venue_kind", "date_from", "date_to", "campaign", "q")
    page_title = gettext_lazy("Publicity events")
    export_filename = "publicity-events"
    export_columns = (
        Column(gettext_lazy("Date"), "held_on", width=12),
        Column(gettext_lazy("Venue kind"), "get_venue_kind_display"),
        Column(gettext_lazy("Venue"), "venue_name", width=24),
        Column(gettext_lazy("Topic"), "topic", width=30),
        Column(gettext_lazy("Unit"), "unit.name"),
        Column(gettext_lazy("Officers present"), lambda e: _names(e.officers.all()), width=24),
        Column(gettext_lazy("People educated"), "audience"),
        Column(gettext_lazy("Consultations answered"), "consultations"),
        Column(gettext_lazy("Materials handed out"), "materials"),
        Column(gettext_lazy("Outreach campaign"), "campaign.name", width=24),
        Column(gettext_lazy("Notes"), "notes", width=30),
    )

    def get_queryset(self) -> Any:
        return (
            PublicityEvent.objects.visible_to(self.request.user)
            .select_related("unit", "campaign")
            .prefetch_related(_OFFICERS)
            .annotate(photo_count=Count("photos"))
            .order_by("-held_on", "-pk")
        )

    def export_queryset(self, queryset: Any) -> Any:
        return queryset.prefetch_related(None).prefetch_related(_OFFICERS)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["totals"] = self.object_list.order_by().aggregate(
            events=Count("pk"),
            people=Sum("audience", default=0),
            consultations=Sum("consultations", default=0),
        )
        context["can_log"] = has_role(self.request.user, DUTY)
        context["my_unit_id"] = scope_of(self.request.user).unit_id
        return context


def _photos_of(request: HttpRequest, event: PublicityEvent, form: PhotoForm) -> list[EventPhoto]:
    photos = []
    for upload in form.cleaned_data["photos"]:
        photos.append(
            services.event_add_photo(
                event=event, photo=upload, by=request.user, caption=form.cleaned_data["caption"]
            )
        )
    return photos


class EventCreateView(RoleRequiredMixin, TemplateView):
    """Log a publicity event from a phone: one screen, today's date and me filled in."""

    template_name = "outreach/publicityevent_form.html"
    read_roles = DUTY
    write_roles = DUTY

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", PublicityEventForm(user=self.request.user))
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PublicityEventForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            photos = data.pop("photos")
            try:
                with transaction.atomic():
                    event = services.event_save(by=request.user, **data)
                    for upload in photos:
                        services.event_add_photo(event=event, photo=upload, by=request.user)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Publicity event logged."))
                return redirect("outreach:publicityevent_detail", pk=event.pk)
        return self.render_to_response(self.get_context_data(form=form))


class EventEditView(RoleRequiredMixin, TemplateView):
    """Correct a publicity event (a typo in a figure, an officer forgotten)."""

    template_name = "outreach/publicityevent_form.html"
    read_roles = DUTY
    write_roles = DUTY

    def get_event(self) -> PublicityEvent:
        qs = PublicityEvent.objects.visible_to(self.request.user).prefetch_related(_OFFICERS)
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        event = context.setdefault("event", self.get_event())
        context.setdefault("form", PublicityEventForm(user=self.request.user, event=event))
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = self.get_event()
        form = PublicityEventForm(request.POST, user=request.user, event=event)
        if form.is_valid():
            try:
                services.event_save(by=request.user, event=event, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Publicity event saved."))
                return redirect("outreach:publicityevent_detail", pk=event.pk)
        return self.render_to_response(self.get_context_data(form=form, event=event))


class EventDetailView(RoleRequiredMixin, DetailView):
    """An event with its photos and history; officers add photos here."""

    model = PublicityEvent
    read_roles = EVERYONE
    write_roles = DUTY
    context_object_name = "event"

    def get_queryset(self) -> Any:
        return (
            PublicityEvent.objects.visible_to(self.request.user)
            .select_related("unit", "campaign", "recorded_by")
            .prefetch_related(_OFFICERS, "photos")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add_photos"] = has_role(self.request.user, DUTY)
        context["can_edit"] = context["can_add_photos"]
        if context["can_add_photos"]:
            context.setdefault("photo_form", PhotoForm())
        context["history"] = history_entries(self.object, m2m="officers")
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.object = self.get_object()
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    added = _photos_of(request, self.object, form)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("%(count)s photo(s) added.") % {"count": len(added)})
                return redirect("outreach:publicityevent_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(photo_form=form))


class PhotoView(RoleRequiredMixin, View):
    """An event photo, to those who may see the event."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        photo = get_object_or_404(EventPhoto.objects.visible_to(request.user), pk=pk)
        return file_response(photo.photo)


# --- assistance -----------------------------------------------------------------------------


class AssistanceListView(ExcelExportMixin, ScopedFilterListView):
    model = AssistanceEvent
    filterset_class = AssistanceEventFilterSet
    filter_fields = ("unit", "kind", "date_from", "date_to")
    page_title = gettext_lazy("Assistance to the public")
    export_filename = "assistance"
    export_columns = (
        Column(gettext_lazy("When"), "occurred_at", width=18),
        Column(gettext_lazy("Kind"), "get_kind_display", width=20),
        Column(gettext_lazy("Where"), "location", width=24),
        Column(gettext_lazy("Outcome"), "outcome", width=24),
        Column(gettext_lazy("Unit"), "unit.name"),
        Column(gettext_lazy("Officers"), lambda a: _names(a.officers.all()), width=24),
        Column(gettext_lazy("What happened"), "description", width=30),
    )

    def get_queryset(self) -> Any:
        return (
            AssistanceEvent.objects.visible_to(self.request.user)
            .select_related("unit")
            .prefetch_related(_OFFICERS)
            .order_by("-occurred_at", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        by_kind = dict(self.object_list.order_by().values_list("kind").annotate(n=Count("pk")))
        context["by_kind"] = [(k.label, by_kind.get(k.value, 0)) for k in AssistanceKind]
        context["total"] = sum(by_kind.values())
        context["can_log"] = has_role(self.request.user, DUTY)
        return context


class AssistanceCreateView(RoleRequiredMixin, TemplateView):
    template_name = "outreach/assistanceevent_form.html"
    read_roles = DUTY
    write_roles = DUTY

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", AssistanceForm(user=self.request.user))
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AssistanceForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                assistance = services.assistance_save(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Assistance logged."))
                return redirect("outreach:assistanceevent_detail", pk=assistance.pk)
        return self.render_to_response(self.get_context_data(form=form))


class AssistanceEditView(RoleRequiredMixin, TemplateView):
    """Correct an assistance record."""

    template_name = "outreach/assistanceevent_form.html"
    read_roles = DUTY
    write_roles = DUTY

    def get_assistance(self) -> AssistanceEvent:
        qs = AssistanceEvent.objects.visible_to(self.request.user).prefetch_related(_OFFICERS)
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assistance = context.setdefault("assistance", self.get_assistance())
        context.setdefault("form", AssistanceForm(user=self.request.user, assistance=assistance))
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        assistance = self.get_assistance()
        form = AssistanceForm(request.POST, user=request.user, assistance=assistance)
        if form.is_valid():
            try:
                services.assistance_save(
                    by=request.user, assistance=assistance, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Assistance saved."))
                return redirect("outreach:assistanceevent_detail", pk=assistance.pk)
        return self.render_to_response(self.get_context_data(form=form, assistance=assistance))


class AssistanceDetailView(RoleRequiredMixin, DetailView):
    model = AssistanceEvent
    context_object_name = "assistance"

    def get_queryset(self) -> Any:
        return (
            AssistanceEvent.objects.visible_to(self.request.user)
            .select_related("unit", "recorded_by")
            .prefetch_related(_OFFICERS)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = history_entries(self.object, m2m="officers")
        context["can_edit"] = has_role(self.request.user, DUTY)
        return context


# --- campaigns ------------------------------------------------------------------------------


class CampaignListView(OutreachListView):
    """The outreach campaigns with their progress; commanders add and change them."""

    model = OutreachCampaign
    filterset_class = OutreachCampaignFilterSet
    filter_fields = ("goal_kind", "active_on")
    page_title = gettext_lazy("Outreach campaigns")

    def get_queryset(self) -> Any:
        return (
            OutreachCampaign.objects.visible_to(self.request.user)
            .select_related("unit")
            .with_progress()
            .order_by("-starts_on", "name")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        context["can_manage"] = has_role(self.request.user, STAFF)
        return context


class CampaignDetailView(RoleRequiredMixin, DetailView):
    """A campaign's goal and progress, its latest events and its history."""

    model = OutreachCampaign
    context_object_name = "campaign"

    def get_queryset(self) -> Any:
        return (
            OutreachCampaign.objects.visible_to(self.request.user)
            .select_related("unit")
            .with_progress()
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            today=timezone.localdate(),
            events=PublicityEvent.objects.visible_to(self.request.user)
            .filter(campaign=self.object)
            .select_related("unit")
            .order_by("-held_on", "-pk")[:RECENT],
            history=history_entries(self.object),
            can_manage=has_role(self.request.user, STAFF)
            and OutreachCampaign.objects.editable_by(self.request.user)
            .filter(pk=self.object.pk)
            .exists(),
        )
        return context


class ReferenceFormView(RoleRequiredMixin, TemplateView):
    """Create (no ``pk``) or change a campaign or a love station: commanders and admins."""

    template_name = "outreach/reference_form.html"
    read_roles = STAFF
    write_roles = STAFF
    model: Any
    form_class: Any
    record_kwarg = ""
    title_new: Any = ""
    title_edit: Any = ""
    saved: Any = ""
    detail_url = ""

    def get_record(self) -> Any:
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.editable(), pk=self.kwargs["pk"])

    def editable(self) -> Any:
        """The records this user may change (out of it: 404, as out of scope)."""
        return self.model.objects.visible_to(self.request.user)

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        record = context.setdefault("record", self.get_record())
        context.setdefault(
            "form", self.form_class(user=self.request.user, **{self.record_kwarg: record})
        )
        context["page_title"] = self.title_edit if record else self.title_new
        return context

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        record = self.get_record()
        form = self.form_class(request.POST, user=request.user, **{self.record_kwarg: record})
        if form.is_valid():
            try:
                record = self.save(record, form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, self.saved)
                return redirect(self.detail_url, pk=record.pk)
        return self.render_to_response(self.get_context_data(form=form, record=record))


class CampaignFormView(ReferenceFormView):
    model = OutreachCampaign
    form_class = CampaignForm
    record_kwarg = "campaign"
    title_new = gettext_lazy("New outreach campaign")
    title_edit = gettext_lazy("Change the outreach campaign")
    saved = gettext_lazy("Outreach campaign saved.")
    detail_url = "outreach:outreachcampaign_detail"

    def editable(self) -> Any:
        return OutreachCampaign.objects.editable_by(self.request.user)

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        return services.campaign_save(by=self.request.user, campaign=record, **data)


# --- love stations --------------------------------------------------------------------------


class StationFormView(ReferenceFormView):
    model = LoveStation
    form_class = StationForm
    record_kwarg = "station"
    title_new = gettext_lazy("New love station")
    title_edit = gettext_lazy("Change the love station")
    saved = gettext_lazy("Love station saved.")
    detail_url = "outreach:lovestation_detail"

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        return services.station_save(by=self.request.user, station=record, **data)


class StationListView(OutreachListView):
    """The love stations with today's visits: officers at a kiosk tap +1 / −1."""

    model = LoveStation
    filterset_class = LoveStationFilterSet
    filter_fields = ("unit", "is_active")
    page_title = gettext_lazy("Love stations")

    def get_queryset(self) -> Any:
        return (
            LoveStation.objects.visible_to(self.request.user)
            .select_related("unit", "post")
            .with_visits(timezone.localdate())
            .order_by("-is_active", "unit__code", "name")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_tally"] = has_role(self.request.user, DUTY)
        context["today"] = timezone.localdate()
        context["can_manage"] = has_role(self.request.user, STAFF)
        return context


class StationDetailView(RoleRequiredMixin, DetailView):
    """A love station: where and when it is open, its recent days' visits, its history."""

    model = LoveStation
    context_object_name = "station"
    recent_days = 30

    def get_queryset(self) -> Any:
        return (
            LoveStation.objects.visible_to(self.request.user)
            .select_related("unit", "post")
            .with_visits(timezone.localdate())
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            visit_days=self.object.visit_days.order_by("-day")[: self.recent_days],
            history=history_entries(self.object),
            can_manage=has_role(self.request.user, STAFF),
        )
        return context


class StationTallyView(RoleRequiredMixin, View):
    """+1 / −1 on today's visits of a station; htmx swaps the counter, else a redirect."""

    http_method_names = ["post"]
    read_roles = DUTY
    write_roles = DUTY

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        station = get_object_or_404(LoveStation.objects.visible_to(request.user), pk=pk)
        form = StationTallyForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Tap +1 or -1."))
        error = ""
        try:
            visits = services.station_tally(station=station, delta=form.cleaned_data["delta"])
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("outreach:lovestation_list")
                return response
            return redirect("outreach:lovestation_list")
        except ValidationError as exc:
            error = " ".join(exc.messages)
            visits = (
                StationVisitDay.objects.filter(station=station, day=timezone.localdate())
                .values_list("visits", flat=True)
                .first()
                or 0
            )
        if not is_htmx(request):
            if error:
                messages.error(request, f"{station.name}: {error}")
            return redirect(f"{reverse('outreach:lovestation_list')}#station-{station.pk}")
        total = StationVisitDay.objects.filter(station=station).aggregate(
            total=Sum("visits", default=0)
        )["total"]
        return render(
            request,
            "outreach/partials/station_count.html",
            {
                "station_id": station.pk,
                "visits": visits,
                "error": error,
                "oob": True,
                "total": total,
            },
        )


# --- commendations --------------------------------------------------------------------------


class CommendationListView(ExcelExportMixin, ScopedFilterListView):
    model = Commendation
    filterset_class = CommendationFilterSet
    filter_fields = ("unit", "kind", "date_from", "date_to")
    page_title = gettext_lazy("Commendations")
    export_filename = "commendations"
    export_columns = (
        Column(gettext_lazy("Received on"), "received_on", width=12),
        Column(gettext_lazy("Kind"), "get_kind_display"),
        Column(gettext_lazy("Given by"), "giver", width=24),
        Column(gettext_lazy("Wording"), "wording", width=24),
        Column(gettext_lazy("Given to"), lambda c: str(c.recipient), width=20),
        Column(gettext_lazy("Unit"), "unit.name"),
        Column(gettext_lazy("For what"), "reason", width=30),
    )

    def get_queryset(self) -> Any:
        return (
            Commendation.objects.visible_to(self.request.user)
            .for_list()
            .order_by("-received_on", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_record"] = has_role(self.request.user, DESK)
        return context


class CommendationCreateView(RoleRequiredMixin, TemplateView):
    template_name = "outreach/commendation_form.html"
    read_roles = DESK
    write_roles = DESK

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", CommendationForm(user=self.request.user))
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CommendationForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                services.commendation_save(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Commendation recorded."))
                return redirect("outreach:commendation_list")
        return self.render_to_response(self.get_context_data(form=form))


class CommendationDetailView(RoleRequiredMixin, DetailView):
    model = Commendation
    context_object_name = "commendation"

    def get_queryset(self) -> Any:
        return Commendation.objects.visible_to(self.request.user).select_related(
            "unit", "officer", "recipient_unit", "recorded_by"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = history_entries(self.object)
        return context


class CommendationPhotoView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        commendation = get_object_or_404(Commendation.objects.visible_to(request.user), pk=pk)
        return file_response(commendation.photo)


# --- an officer's and a unit's outreach -----------------------------------------------------


def _venue_rows(events: Any) -> list[dict[str, Any]]:
    """Events, people and consultations per venue kind, in one grouped query."""
    found = {
        row["venue_kind"]: row
        for row in events.order_by()
        .values("venue_kind")
        .annotate(
            events=Count("pk", distinct=True),
            people=Sum("audience", default=0),
            consultations=Sum("consultations", default=0),
        )
    }
    return [
        {"kind": kind.value, "label": kind.label, **found[kind.value]}
        for kind in VenueKind
        if kind.value in found
    ]


class OfficerOutreachView(RoleRequiredMixin, DetailView):
    """One officer's publicity events, assistance and commendations."""

    model = Officer
    template_name = "outreach/officer_detail.html"
    context_object_name = "officer"

    def get_queryset(self) -> Any:
        return Officer.objects.visible_to(self.request.user).select_related("unit")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        officer = self.object
        user = self.request.user
        events = PublicityEvent.objects.visible_to(user).filter(officers=officer)
        assistance = AssistanceEvent.objects.visible_to(user).filter(officers=officer)
        context.update(
            venue_rows=_venue_rows(events),
            totals=events.order_by().aggregate(
                events=Count("pk"),
                people=Sum("audience", default=0),
                consultations=Sum("consultations", default=0),
            ),
            events=events.select_related("unit").order_by("-held_on", "-pk")[:RECENT],
            assistance=assistance.order_by("-occurred_at", "-pk")[:RECENT],
            assistance_count=assistance.count(),
            commendations=Commendation.objects.visible_to(user)
            .filter(officer=officer)
            .order_by("-received_on", "-pk"),
            filter_query=f"officer={officer.pk}",
        )
        return context


class UnitOutreachView(RoleRequiredMixin, DetailView):
    """A unit's outreach: events by venue kind, assistance by kind, commendations to the
    unit and its officers, its love stations."""

    model = Unit
    template_name = "outreach/unit_detail.html"
    context_object_name = "unit"

    def get_queryset(self) -> Any:
        return Unit.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unit = self.object
        events = PublicityEvent.objects.filter(unit=unit)
        assistance = AssistanceEvent.objects.filter(unit=unit)
        by_kind = dict(assistance.order_by().values_list("kind").annotate(n=Count("pk")))
        context.update(
            venue_rows=_venue_rows(events),
            totals=events.order_by().aggregate(
                events=Count("pk"),
                people=Sum("audience", default=0),
                consultations=Sum("consultations", default=0),
            ),
            events=events.order_by("-held_on", "-pk")[:RECENT],
            assistance_by_kind=[(k.label, by_kind.get(k.value, 0)) for k in AssistanceKind],
            assistance_count=sum(by_kind.values()),
            assistance=assistance.order_by("-occurred_at", "-pk")[:RECENT],
            commendations=Commendation.objects.filter(unit=unit)
            .select_related("officer", "recipient_unit")
            .order_by("-received_on", "-pk")[:RECENT],
            commendation_count=Commendation.objects.filter(unit=unit).count(),
            stations=LoveStation.objects.filter(unit=unit).order_by("-is_active", "name"),
            filter_query=f"unit={unit.pk}",
        )
        return context
