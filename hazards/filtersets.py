"""One FilterSet per model, shared by the API and the HTML lists; ``sort`` orders a list
by a column (``-`` first for descending, ``brigade.core.filters.SortFilter``)."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brigade.core.filters import FilterSet, SortFilter, date_range
from brigade.duty.filtersets import SubsetFilter
from hazards.models import FacilityWork, Hazard, KeyVehicle


class HazardFilterSet(FilterSet):
    q = filters.CharFilter(method="search", label=_("Road, place or description"))
    date_from, date_to = date_range("found_at", of_time=True)
    is_open = filters.BooleanFilter(method="filter_open", label=pgettext_lazy("hazard", "Open"))
    overdue = SubsetFilter("overdue", label=_("Overdue"))
    sort = SortFilter(
        {
            "found_at": _("Found"),
            "deadline": _("Deadline"),
            "severity": _("Severity"),
            "status": _("Status"),
            "road": _("Road"),
        }
    )

    class Meta:
        model = Hazard
        fields = ["unit", "status", "element", "source", "severity", "reported_by", "patrol"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(road__icontains=value)
            | Q(location__icontains=value)
            | Q(description__icontains=value)
        )

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.open() if value else queryset.closed()


class KeyVehicleFilterSet(FilterSet):
    q = filters.CharFilter(method="search", label=_("Plate or owner"))
    sort = SortFilter({"plate": _("Plate"), "flagged_at": _("Flagged"), "cleared_at": _("Cleared")})

    class Meta:
        model = KeyVehicle
        fields = ["unit", "status", "reason", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(plate__icontains=value) | Q(owner__icontains=value))


class FacilityWorkFilterSet(FilterSet):
    date_from, date_to = date_range("done_on")
    place = filters.CharFilter(lookup_expr="icontains", label=_("Place"))
    sort = SortFilter({"done_on": _("Date"), "quantity": _("Quantity"), "kind": _("Kind")})

    class Meta:
        model = FacilityWork
        fields = ["unit", "kind", "hazard", "place"]
