"""Commendations: the list (with its Excel export), the desk's form, the page, the photo."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from brigade.core.columns import columns
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import DESK
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.uploads import file_response
from brigade.core.views import ScopedFilterListView
from outreach import services
from outreach.filtersets import CommendationFilterSet
from outreach.forms import CommendationForm
from outreach.models import Commendation
from outreach.views.common import RecordFormView, history_entries


class CommendationListView(ExcelExportMixin, ScopedFilterListView):
    filterset_class = CommendationFilterSet
    filter_fields = ("unit", "kind", "date_from", "date_to")
    page_title = gettext_lazy("Commendations")
    role_flags = {"can_record": DESK}
    use_for_list = True
    ordering = ("-received_on", "-pk")
    export_filename = "commendations"
    export_columns = columns(
        Commendation,
        "received_on",
        "kind",
        Column(gettext_lazy("Given by"), "giver", width=24),
        ("wording", 24),
        Column(gettext_lazy("Given to"), lambda c: str(c.recipient), width=20),
        "unit.name",
        ("reason", 30),
    )


class CommendationCreateView(RecordFormView):
    """Record a commendation (a banner, a letter, a thank-you) with its photo."""

    template_name = "outreach/commendation_form.html"
    read_roles = DESK
    write_roles = DESK
    form_class = CommendationForm
    context_name = "commendation"
    saved = gettext_lazy("Commendation recorded.")
    upload = True

    def save(self, record: None, data: dict[str, Any]) -> Commendation:
        return services.commendation_save(by=self.request.user, **data)

    def done(self, record: Model) -> HttpResponse:
        return redirect("outreach:commendation_list")


class CommendationDetailView(RoleRequiredMixin, DetailView):
    model = Commendation
    context_object_name = "commendation"

    def get_queryset(self) -> QuerySet[Commendation]:
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
