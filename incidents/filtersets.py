"""One FilterSet per model, shared by the API and the HTML lists."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brigade.core.filters import FilterSet, date_range
from brigade.duty.filtersets import SubsetFilter
from brigade.duty.models import Unit
from incidents.choices import AdvanceStatus
from incidents.models import Accident, FundAdvance, Recovery


class AccidentFilterSet(FilterSet):
    date_from, date_to = date_range("occurred_at", of_time=True)
    q = filters.CharFilter(method="search", label=_("Road, place or plate"))
    open_case = filters.BooleanFilter(method="filter_open", label=_("Open hit-and-run case"))

    class Meta:
        model = Accident
        fields = ["unit", "severity", "handling_mode", "hit_and_run", "mediation"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(road__icontains=value)
            | Q(place__icontains=value)
            | Q(parties__plate__icontains=value)
        ).distinct()

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.open_case(value)


class FundAdvanceFilterSet(FilterSet):
    unit = filters.ModelChoiceFilter(
        field_name="accident__unit", queryset=Unit.objects.all(), label=_("Unit")
    )
    accident = filters.NumberFilter(field_name="accident_id", label=_("Accident"))
    paid_from, paid_to = date_range(
        "paid_at", of_time=True, labels=(_("Paid from"), _("Paid until"))
    )
    status = filters.ChoiceFilter(choices=AdvanceStatus.choices, label=_("Status"))
    outstanding = SubsetFilter("with_balance", label=_("Money outstanding"))

    class Meta:
        model = FundAdvance
        fields = ["status", "purpose"]


class RecoveryFilterSet(FilterSet):
    date_from, date_to = date_range("received_on")

    class Meta:
        model = Recovery
        fields: list[str] = []

    advance = filters.NumberFilter(field_name="advance_id", label=_("Advance"))
