"""One FilterSet per model, shared by the API and the HTML lists."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters.filterset import filterset_factory

from brigade.core.filters import date_range
from brigade.duty.models import Officer, Unit
from petitions.choices import DeadlineState
from petitions.models import Consultation, Proposal, Ticket, TicketCategory


def _units(request):
    return Unit.objects.visible_to(getattr(request, "user", None))


def _officers(request):
    return Officer.objects.visible_to(getattr(request, "user", None)).active()


class TicketFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="search", label=_("Number, phone or text"))
    category = filters.ModelChoiceFilter(queryset=TicketCategory.objects.all(), label=_("Category"))
    unit = filters.ModelChoiceFilter(queryset=_units, label=_("Unit"))
    handler = filters.ModelChoiceFilter(queryset=_officers, label=_("Handler"))
    open = filters.BooleanFilter(method="only_open", label=_("Open only"))
    urgency = filters.ChoiceFilter(
        choices=DeadlineState.choices, method="by_urgency", label=_("Urgency")
    )
    date_from, date_to = date_range(
        "received_at", of_time=True, labels=(_("Received from"), _("Received until"))
    )

    class Meta:
        model = Ticket
        fields = ["status", "channel", "category", "unit", "handler", "round"]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def only_open(self, queryset, name, value):
        return queryset.open() if value else queryset

    def by_urgency(self, queryset, name, value):
        from django.utils import timezone

        today = timezone.localdate()
        if value == DeadlineState.OVERDUE:
            return queryset.overdue(today)
        if value == DeadlineState.DUE_TODAY:
            return queryset.due_today(today)
        if value == DeadlineState.DUE_SOON:
            return queryset.due_soon(today)
        return queryset.due_later(today)


TicketCategoryFilterSet = filterset_factory(TicketCategory, fields=["is_active"])


class ConsultationFilterSet(filters.FilterSet):
    unit = filters.ModelChoiceFilter(queryset=_units, label=_("Unit"))
    date_from, date_to = date_range("at", of_time=True)
    q = filters.CharFilter(
        field_name="topic", lookup_expr="icontains", label=pgettext_lazy("consultation", "Topic")
    )

    class Meta:
        model = Consultation
        fields = ["channel", "unit", "answered_by"]


class ProposalFilterSet(filters.FilterSet):
    unit = filters.ModelChoiceFilter(queryset=_units, label=_("Unit"))
    answered = filters.BooleanFilter(
        field_name="replied_at", lookup_expr="isnull", exclude=True, label=_("Answered")
    )
    date_from, date_to = date_range("received_on", labels=(_("Received from"), _("Received until")))

    class Meta:
        model = Proposal
        fields = ["kind", "grade", "reply_mode", "unit"]
