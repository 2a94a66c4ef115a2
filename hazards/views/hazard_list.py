"""The hazard list (the commander's queue) and the report page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from brigade.core.columns import columns
from brigade.core.forms import apply_service_errors
from brigade.core.params import optional_id
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import EVERYONE
from brigade.core.scope import scope_of
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.views import ScopedFilterListView
from brigade.duty.models import PatrolLog
from hazards import services
from hazards.choices import HazardSource
from hazards.filtersets import HazardFilterSet
from hazards.forms import HazardReportForm
from hazards.models import Hazard
from hazards.views.common import RequestUser, chooser_units, unit_for

# --- hazards: the list (commander's queue) ----------------------------------------------------


class HazardListView(ExcelExportMixin, ScopedFilterListView):
    """Hazards in scope: overdue first, then due soon, then the other open ones."""

    filterset_class = HazardFilterSet
    template_name = "hazards/hazard_list.html"
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
    use_for_list = True
    export_filename = "hazards"
    export_columns = columns(
        Hazard,
        Column(gettext_lazy("No."), "pk", width=8),
        "unit.name",
        Column(gettext_lazy("Found"), "found_at", width=18),
        "element",
        "source",
        "severity",
        ("road", 20),
        Column(gettext_lazy("Place"), "location", width=24),
        ("description", 40),
        "status",
        ("responsible_party", 20),
        "deadline",
        ("measures", 30),
        Column(gettext_lazy("Rectified"), "rectified_at", width=18),
        Column(gettext_lazy("Verified"), "verified_at", width=18),
        "reported_by.name",
    )

    def get_queryset(self) -> QuerySet[Hazard]:
        return super().get_queryset().queue()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        counts = Hazard.objects.visible_to(self.request.user).queue_counts(today)
        context.update(counts=counts, today=today, can_report=True)
        return context


# --- reporting -------------------------------------------------------------------------------


def _prefill(request: HttpRequest) -> tuple[dict[str, object], dict[str, Any]]:
    """Initial values and links from ``?patrol=`` (only records the user may see)."""
    initial: dict[str, object] = {}
    links: dict[str, Any] = {}
    patrol_id = optional_id(request.GET, "patrol") or optional_id(request.POST, "patrol")
    if patrol_id:
        patrol = get_object_or_404(
            PatrolLog.objects.visible_to(request.user).select_related("post"), pk=patrol_id
        )
        links["patrol"] = patrol
        initial["source"] = HazardSource.PATROL
        initial["unit"] = patrol.unit_id
        if patrol.post_id:
            initial["location"] = patrol.post.location if patrol.post else ""
    for name, finder in LINK_FINDERS.items():
        value = optional_id(request.GET, name) or optional_id(request.POST, name)
        if value:
            record, extra = finder(request.user, str(value))
            links[name] = record
            initial.update(extra)
    return initial, links


# Other apps' records a hazard can be raised from: name → (user, id) → (record, initial).
# Filled by the package (``hazards.views``), the one place the architecture contract lets
# the pages read those apps' models (a hazard's source accident or ticket).
LinkFinder = Callable[[RequestUser, str], tuple[Model, dict[str, object]]]
LINK_FINDERS: dict[str, LinkFinder] = {}


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
