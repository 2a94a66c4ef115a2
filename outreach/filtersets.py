"""One FilterSet per model, shared by the API and the HTML lists."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from brigade.core.filters import FilterSet, date_range, model_filterset, running_on
from outreach import models


class PublicityEventFilterSet(FilterSet):
    date_from, date_to = date_range("held_on")
    officer = filters.NumberFilter(field_name="officers", label=_("Officer"))
    q = filters.CharFilter(method="search", label=_("Venue or topic"))

    class Meta:
        model = models.PublicityEvent
        fields = ["unit", "venue_kind", "campaign", "date_from", "date_to", "officer", "q"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(venue_name__icontains=value) | Q(topic__icontains=value))


class OutreachCampaignFilterSet(FilterSet):
    active_on = running_on()

    class Meta:
        model = models.OutreachCampaign
        fields = ["goal_kind", "unit", "active_on"]


LoveStationFilterSet = model_filterset(models.LoveStation, fields=["unit", "is_active"])


class StationVisitDayFilterSet(FilterSet):
    date_from, date_to = date_range("day")

    class Meta:
        model = models.StationVisitDay
        fields = ["date_from", "date_to"]


class AssistanceEventFilterSet(FilterSet):
    date_from, date_to = date_range("occurred_at", of_time=True)
    officer = filters.NumberFilter(field_name="officers", label=_("Officer"))

    class Meta:
        model = models.AssistanceEvent
        fields = ["unit", "kind", "date_from", "date_to", "officer"]


class CommendationFilterSet(FilterSet):
    date_from, date_to = date_range("received_on")

    class Meta:
        model = models.Commendation
        fields = ["unit", "kind", "officer", "date_from", "date_to"]
