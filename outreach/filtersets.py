"""One FilterSet per model, shared by the API and the HTML lists."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _
from django_filters.filterset import filterset_factory

from brigade.core.filters import date_range, running_on
from outreach import models


class PublicityEventFilterSet(filters.FilterSet):
    date_from, date_to = date_range("held_on")
    officer = filters.NumberFilter(field_name="officers", label=_("Officer"))
    q = filters.CharFilter(method="search", label=_("Venue or topic"))

    class Meta:
        model = models.PublicityEvent
        fields = ["unit", "venue_kind", "campaign", "date_from", "date_to", "officer", "q"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(venue_name__icontains=value) | Q(topic__icontains=value))


class OutreachCampaignFilterSet(filters.FilterSet):
    active_on = running_on()

    class Meta:
        model = models.OutreachCampaign
        fields = ["goal_kind", "unit", "active_on"]


LoveStationFilterSet = filterset_factory(models.LoveStation, fields=["unit", "is_active"])


class StationVisitDayFilterSet(filters.FilterSet):
    date_from, date_to = date_range("day")

    class Meta:
        model = models.StationVisitDay
        fields = ["date_from", "date_to"]


class AssistanceEventFilterSet(filters.FilterSet):
    date_from, date_to = date_range("occurred_at", of_time=True)
    officer = filters.NumberFilter(field_name="officers", label=_("Officer"))

    class Meta:
        model = models.AssistanceEvent
        fields = ["unit", "kind", "date_from", "date_to", "officer"]


class CommendationFilterSet(filters.FilterSet):
    date_from, date_to = date_range("received_on")

    class Meta:
        model = models.Commendation
        fields = ["unit", "kind", "officer", "date_from", "date_to"]
