"""The log of phone numbers seen whole (``brigade.core.privacy``), for those who command: a
page and a read-only API list, in their scope (their unit's records; the whole brigade's
for a brigade commander or an administrator), filtered by who viewed and by date."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from rest_framework import generics, serializers

from brigade.core.api.mixins import PageSizePagination, ScopedAutoSchema
from brigade.core.filters import FilterSet, date_range
from brigade.core.models import RevealLog, RevealLogQuerySet, RevealWay
from brigade.core.permissions import RolePermission
from brigade.core.roles import STAFF
from brigade.core.views import ScopedFilterListView


def _viewers(request: Any) -> QuerySet[Any]:
    """The people who appear in the log the user may read."""
    seen = RevealLog.objects.visible_to(getattr(request, "user", None)).values("user_id")
    return get_user_model().objects.filter(pk__in=seen).order_by("username")


class RevealLogFilterSet(FilterSet):
    user = filters.ModelChoiceFilter(queryset=_viewers, label=_("Viewed by"))
    way = filters.ChoiceFilter(choices=RevealWay.choices, label=_("How it was seen"))
    date_from, date_to = date_range("at", of_time=True)

    class Meta:
        model = RevealLog
        fields = ["user", "way"]


class RevealLogListView(ScopedFilterListView):
    """Who saw which phone number whole, newest first."""

    filterset_class = RevealLogFilterSet
    read_roles = STAFF
    page_title = _("Phone number views")
    use_for_list = True
    ordering = ("-at", "-pk")
    filter_fields = ("user", "date_from", "date_to", "way")


# --- API ----------------------------------------------------------------------------------


class ViewerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)


class RevealLogSerializer(serializers.ModelSerializer):
    user = ViewerSerializer(read_only=True)
    record_type = serializers.SerializerMethodField()
    unit = serializers.IntegerField(source="unit_id", read_only=True, allow_null=True)
    link = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = RevealLog
        fields = (
            "id",
            "at",
            "user",
            "ip",
            "way",
            "record_type",
            "record_id",
            "record",
            "unit",
            "link",
        )
        read_only_fields = fields

    def get_record_type(self, row: RevealLog) -> str:
        return f"{row.record_type.app_label}.{row.record_type.model}"


class RevealLogListAPIView(generics.ListAPIView):
    """The log of phone numbers seen whole (read-only: nobody changes an audit row)."""

    serializer_class = RevealLogSerializer
    filterset_class = RevealLogFilterSet
    permission_classes = [RolePermission]
    read_roles = STAFF
    pagination_class = PageSizePagination
    schema = ScopedAutoSchema()
    ordering_fields = ["at"]
    ordering = ["-at", "-pk"]

    def get_queryset(self) -> RevealLogQuerySet:
        return RevealLog.objects.visible_to(self.request.user).for_list()


urlpatterns = [
    path("phone-views/", RevealLogListAPIView.as_view(), name="phone-views"),
]
