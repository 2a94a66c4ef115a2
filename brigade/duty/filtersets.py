"""One FilterSet per model, shared by the API and the HTML lists."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brigade.core.filters import FilterSet, date_range, model_filterset, running_on
from brigade.duty import models


class SubsetFilter(filters.BooleanFilter):
    """Yes or no to a part of the list that its queryset's ``subset`` method picks (the
    overdue hazards, the advances with money outstanding): yes keeps that part, no the
    rest, and unset both."""

    def __init__(self, subset: str, **kwargs: Any) -> None:
        self.subset = subset
        super().__init__(**kwargs)

    def filter(self, qs: Any, value: bool | None) -> Any:
        if value is None:
            return qs
        part = getattr(qs, self.subset)()
        return part if value else qs.exclude(pk__in=part.values("pk"))


class NamedFilterSet(FilterSet):
    """The list of records known by their name, filtered by a part of it."""

    name = filters.CharFilter(method="search_name", label=_("Name"))

    def search_name(self, queryset: Any, name: str, value: str) -> Any:
        """A part of the name in either language."""
        return queryset.filter(Q(name__icontains=value) | Q(name_en__icontains=value))


class UnitFilterSet(NamedFilterSet):
    class Meta:
        model = models.Unit
        fields = ["kind", "name"]


class OfficerFilterSet(FilterSet):
    q = filters.CharFilter(method="search", label=_("Name or badge"))

    class Meta:
        model = models.Officer
        fields = ["unit", "kind", "motorcycle_certified", "is_active"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(name__icontains=value) | Q(badge_no__icontains=value))


class DutyPostFilterSet(NamedFilterSet):
    class Meta:
        model = models.DutyPost
        fields = ["unit", "kind", "is_active", "name"]


class ShiftFilterSet(FilterSet):
    date = filters.DateFilter(field_name="starts_at", lookup_expr="date", label=_("Date"))
    date_from, date_to = date_range("starts_at", of_time=True)

    class Meta:
        model = models.Shift
        fields = ["unit", "officer", "post"]


class PatrolLogFilterSet(FilterSet):
    date_from, date_to = date_range("started_at", of_time=True)
    is_open = filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull", label=_("Open"))

    class Meta:
        model = models.PatrolLog
        fields = ["unit", "officer", "mode", "campaign", "post", "zone", "weather"]


class CampaignFilterSet(FilterSet):
    active_on = running_on()

    class Meta:
        model = models.Campaign
        fields = ["active_on"]


class RoadWorksZoneFilterSet(FilterSet):
    road = filters.CharFilter(lookup_expr="icontains", label=_("Road"))

    class Meta:
        model = models.RoadWorksZone
        fields = ["unit", "road"]


class TrainingSessionFilterSet(FilterSet):
    date_from, date_to = date_range("held_on")

    class Meta:
        model = models.TrainingSession
        fields = ["unit", "kind"]


AttendanceFilterSet = model_filterset(
    models.Attendance, fields=["session", "officer", "attended", "result"]
)


class SchoolBreakFilterSet(FilterSet):
    on = filters.DateFilter(method="filter_on", label=_("Covers date"))

    class Meta:
        model = models.SchoolBreak
        fields = ["on"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class PlaceFilterSet(FilterSet):
    q = filters.CharFilter(method="search", label=_("Name"))

    class Meta:
        model = models.Place
        fields = ["kind", "is_active", "unit"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(name_en__icontains=value))
