"""Assistance to the public: the list (with its Excel export), the phone form, the page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from brigade.core.columns import columns
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import DUTY
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.views import PageContextMixin, ScopedFilterListView
from outreach import services
from outreach.choices import AssistanceKind
from outreach.filtersets import AssistanceEventFilterSet
from outreach.forms import AssistanceForm
from outreach.models import AssistanceEvent
from outreach.views.common import OFFICERS, RecordFormView, history_entries, names

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as Label


def kind_counts(assistance: QuerySet[AssistanceEvent]) -> tuple[list[tuple[Label, int]], int]:
    """How many of each kind (every kind listed, 0 when none), and how many in all."""
    found = dict(assistance.order_by().values_list("kind").annotate(n=Count("pk")))
    return [(k.label, found.get(k.value, 0)) for k in AssistanceKind], sum(found.values())


class AssistanceListView(ExcelExportMixin, ScopedFilterListView):
    filterset_class = AssistanceEventFilterSet
    filter_fields = ("unit", "kind", "date_from", "date_to")
    page_title = gettext_lazy("Assistance to the public")
    role_flags = {"can_log": DUTY}
    select_related = ("unit",)
    prefetch_related = (OFFICERS,)
    ordering = ("-occurred_at", "-pk")
    export_filename = "assistance"
    export_columns = columns(
        AssistanceEvent,
        "occurred_at",
        ("kind", 20),
        ("location", 24),
        ("outcome", 24),
        "unit.name",
        Column(gettext_lazy("Officers"), lambda a: names(a.officers.all()), width=24),
        ("description", 30),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["by_kind"], context["total"] = kind_counts(self.object_list)
        return context


class AssistanceFormView(RecordFormView):
    """Log assistance to the public, or correct an assistance record."""

    template_name = "outreach/assistanceevent_form.html"
    form_class = AssistanceForm
    record_kwarg = "assistance"
    created = gettext_lazy("Assistance logged.")
    saved = gettext_lazy("Assistance saved.")
    service = staticmethod(services.assistance_save)

    def editable(self) -> QuerySet[AssistanceEvent]:
        return AssistanceEvent.objects.visible_to(self.request.user).prefetch_related(OFFICERS)


class AssistanceDetailView(RoleRequiredMixin, PageContextMixin, DetailView):
    model = AssistanceEvent
    context_object_name = "assistance"
    role_flags = {"can_edit": DUTY}

    def get_queryset(self) -> QuerySet[AssistanceEvent]:
        return (
            AssistanceEvent.objects.visible_to(self.request.user)
            .select_related("unit", "recorded_by")
            .prefetch_related(OFFICERS)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = history_entries(self.object, m2m="officers")
        return context
