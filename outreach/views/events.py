"""Publicity events: the list (with its Excel export), the phone form, the page, the photos."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from brigade.core.columns import columns
from brigade.core.forms import submit
from brigade.core.permissions import RoleRequiredMixin, has_role
from brigade.core.roles import DUTY, EVERYONE
from brigade.core.scope import scope_of
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.uploads import file_response
from outreach import services
from outreach.filtersets import PublicityEventFilterSet
from outreach.forms import PhotoForm, PublicityEventForm
from outreach.models import EventPhoto, PublicityEvent
from outreach.views.common import (
    OFFICERS,
    OutreachListView,
    RecordFormView,
    event_totals,
    history_entries,
    names,
)


class EventListView(ExcelExportMixin, OutreachListView):
    filterset_class = PublicityEventFilterSet
    filter_fields = ("unit", "venue_kind", "date_from", "date_to", "campaign", "q")
    page_title = gettext_lazy("Publicity events")
    role_flags = {"can_log": DUTY}
    select_related = ("unit", "campaign")
    prefetch_related = (OFFICERS,)
    ordering = ("-held_on", "-pk")
    export_filename = "publicity-events"
    export_columns = columns(
        PublicityEvent,
        "held_on",
        Column(gettext_lazy("Venue kind"), "get_venue_kind_display"),
        Column(gettext_lazy("Venue"), "venue_name", width=24),
        ("topic", 30),
        "unit.name",
        Column(gettext_lazy("Officers present"), lambda e: names(e.officers.all()), width=24),
        "audience",
        "consultations",
        "materials",
        ("campaign.name", 24),
        ("notes", 30),
    )

    def get_queryset(self) -> QuerySet[PublicityEvent]:
        return super().get_queryset().annotate(photo_count=Count("photos"))

    def export_queryset(self, queryset: QuerySet[PublicityEvent]) -> QuerySet[PublicityEvent]:
        return queryset.prefetch_related(None).prefetch_related(OFFICERS)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["totals"] = event_totals(self.object_list)
        context["my_unit_id"] = scope_of(self.request.user).unit_id
        return context


class EventFormView(RecordFormView):
    """Log a publicity event from a phone (one screen, today's date and me filled in, its
    photos with it), or correct one (a typo in a figure, an officer forgotten)."""

    template_name = "outreach/publicityevent_form.html"
    form_class = PublicityEventForm
    record_kwarg = "event"
    created = gettext_lazy("Publicity event logged.")
    saved = gettext_lazy("Publicity event saved.")
    upload = True

    def editable(self) -> QuerySet[PublicityEvent]:
        return PublicityEvent.objects.visible_to(self.request.user).prefetch_related(OFFICERS)

    def save(self, record: PublicityEvent | None, data: dict[str, Any]) -> PublicityEvent:
        by = self.request.user
        if record is not None:
            return services.event_save(by=by, event=record, **data)
        data = dict(data)
        photos = data.pop("photos")
        with transaction.atomic():
            event = services.event_save(by=by, **data)
            for upload in photos:
                services.event_add_photo(event=event, photo=upload, by=by)
        return event


class EventDetailView(RoleRequiredMixin, DetailView):
    """An event with its photos and history; officers add photos here."""

    model = PublicityEvent
    read_roles = EVERYONE
    write_roles = DUTY
    context_object_name = "event"

    def get_queryset(self) -> QuerySet[PublicityEvent]:
        return (
            PublicityEvent.objects.visible_to(self.request.user)
            .select_related("unit", "campaign", "recorded_by")
            .prefetch_related(OFFICERS, "photos")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add_photos"] = has_role(self.request.user, DUTY)
        context["can_edit"] = context["can_add_photos"]
        if context["can_add_photos"]:
            context.setdefault("photo_form", PhotoForm())
        context["history"] = history_entries(self.object, m2m="officers")
        return context

    def add_photos(self, data: dict[str, Any]) -> list[EventPhoto]:
        with transaction.atomic():
            return [
                services.event_add_photo(
                    event=self.object, photo=upload, by=self.request.user, caption=data["caption"]
                )
                for upload in data["photos"]
            ]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.object = self.get_object()
        form = PhotoForm(request.POST, request.FILES)
        added = submit(form, self.add_photos)
        if added.ok and added.result is not None:
            messages.success(request, _("%(count)s photo(s) added.") % {"count": len(added.result)})
            return redirect("outreach:publicityevent_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(photo_form=form))


class PhotoView(RoleRequiredMixin, View):
    """An event photo, to those who may see the event."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        photo = get_object_or_404(EventPhoto.objects.visible_to(request.user), pk=pk)
        return file_response(photo.photo)
