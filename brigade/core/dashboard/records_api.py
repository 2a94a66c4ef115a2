"""``GET /api/v1/dashboard/records/?metric=KEY&side=n|d&week=2022-W10|from=&to=[&unit=ID]``:
the records behind one figure (mounted by brigade/core/dashboard/api.py)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from brigade.core.api.mixins import positive_count
from brigade.core.dashboard.records import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    InvalidPage,
    RecordsQuerySerializer,
    listing,
)
from brigade.core.report.api import ReadView, read_responses
from brigade.core.roles import DESK


class RecordScopeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["brigade", "unit"])
    unit = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class RecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    when = serializers.CharField(
        allow_null=True, help_text="The event's time (ISO date or date-time) the figure counts."
    )
    unit = serializers.IntegerField(allow_null=True)
    unit_name = serializers.CharField(allow_null=True)
    amount = serializers.FloatField(help_text="What the record adds to the figure (1 for a count).")
    url = serializers.CharField(allow_null=True, help_text="The record's page.")
    api_url = serializers.CharField(allow_null=True, help_text="The record in the API.")


class RecordsSerializer(serializers.Serializer):
    metric = serializers.CharField()
    side = serializers.ChoiceField(choices=["n", "d"])
    label = serializers.CharField()  # type: ignore[assignment]
    week = serializers.CharField(required=False, help_text="For a week's figure.")
    from_ = serializers.DateField(required=False, help_text="For a period's figure.")
    to = serializers.DateField(required=False, help_text="For a period's figure.")
    scope = RecordScopeSerializer()
    is_sum = serializers.BooleanField(help_text="The figure is `total`, else `count`.")
    count = serializers.IntegerField(help_text="How many records (the figure of a count).")
    total = serializers.FloatField(help_text="The sum of their amounts (the figure of a sum).")
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = RecordSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {("from" if name == "from_" else name): field for name, field in fields.items()}


class RecordsView(ReadView):
    """Commanders and admins, like the rest of the dashboard; a squadron commander reads
    their own unit's records (another unit answers 404)."""

    read_roles = DESK

    @extend_schema(
        operation_id="dashboard_records",
        summary="The records behind one figure",
        description=(
            "Exactly the records a figure counts: of a week's figure (`week`, by the metric's "
            "window: year to date, cumulative or the week) or of a period's (`from`/`to`, as "
            "the period report counts it), for the brigade or a unit. `count` is the figure "
            "of a count, `total` the figure of a sum; `side=d` lists a rate's denominator. "
            "Latest event first, paginated."
        ),
        parameters=[
            RecordsQuerySerializer,
            OpenApiParameter("page", OpenApiTypes.INT, required=False, description="Page number."),
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                required=False,
                description=f"Rows a page (default {PAGE_SIZE}, at most {MAX_PAGE_SIZE}).",
            ),
        ],
        responses=read_responses(RecordsSerializer),
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        page = positive_count("page", params["page"]) if params.get("page") else 1
        size = PAGE_SIZE
        if params.get("page_size"):
            size = min(positive_count("page_size", params["page_size"]), MAX_PAGE_SIZE)
        query = RecordsQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        try:
            found = listing(request.user, query, page, size)
        except InvalidPage:
            raise Http404(_("Invalid page.")) from None
        url = request.build_absolute_uri()
        body = found.as_json()
        body["next"] = replace_query_param(url, "page", page + 1) if page < found.pages else None
        body["previous"] = None
        if page > 1:
            body["previous"] = (
                replace_query_param(url, "page", page - 1)
                if page > 2
                else remove_query_param(url, "page")
            )
        return Response(body)
