"""``GET /api/v1/dashboard/report/?from=DATE&to=DATE[&unit=ID]``: every figure of the
brigade's half-year report for a period and scope (mounted by brigade/core/dashboard/api.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brigade.core.api.mixins import FORBIDDEN, NOT_FOUND, VALIDATION_ERROR, ScopedAutoSchema
from brigade.core.kpi.scopes import resolve_scope
from brigade.core.permissions import RolePermission
from brigade.core.report.figures import AREAS
from brigade.core.report.period import MAX_DAYS, Period, period_errors
from brigade.core.report.report import build_report
from brigade.core.roles import STAFF

# --- what the dashboard's read-only views share ------------------------------------------


def scope_unit_field() -> serializers.IntegerField:
    """A query's ``unit``: whose figures (default: the reader's own scope)."""
    return serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="A unit in your scope; default the brigade (brigade-wide users) or your unit.",
    )


def read_responses(answer: type[serializers.Serializer]) -> dict[int, Any]:
    """A read's answers: ``answer``, or a bad query, a reader without the role, a unit
    outside their scope."""
    return {200: answer, 400: VALIDATION_ERROR, 403: FORBIDDEN, 404: NOT_FOUND}


class ReadSchema(ScopedAutoSchema):
    """The dashboard's error answers (401, 403), without If-Match/ETag: what these views
    answer is no record a client writes back."""

    def get_override_parameters(self) -> list[Any]:
        return super(ScopedAutoSchema, self).get_override_parameters()


class ReadView(APIView):
    """A read of the dashboard's: by the roles the view names, answered as ``ReadSchema``
    says."""

    permission_classes = [RolePermission]
    schema = ReadSchema()


# --- input --------------------------------------------------------------------------------


class ReportQuerySerializer(serializers.Serializer):
    """``from`` and ``to`` (local dates, both included) and an optional unit.

    ``from`` is a Python keyword, so the field is added under that name in ``get_fields``.
    """

    to = serializers.DateField(help_text="The period's last day (local date), at most today.")
    unit = scope_unit_field()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        start = serializers.DateField(help_text="The period's first day (local date).")
        return {"from": start, **fields}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = period_errors(attrs["from"], attrs["to"])
        if errors:
            raise serializers.ValidationError({name: [message] for name, message in errors.items()})
        return attrs

    def period(self) -> Period:
        data = self.validated_data
        return Period(data["from"], data["to"])


# --- output (documentation of Report.as_json) -------------------------------------------


class ReportScopeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["brigade", "unit"])
    unit = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class ReportFigureSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True,
        help_text="The figure's row in seed/FIGURES.md; null for a figure of a section the "
        "half-year report does not have (black spots).",
    )
    key = serializers.CharField()
    area = serializers.ChoiceField(choices=[area.key for area in AREAS])
    label = serializers.CharField(help_text="In the request's language.")  # type: ignore[assignment]
    value = serializers.FloatField(
        allow_null=True,
        help_text="A rate as a fraction (1 is 100%), a count or sum as is; null: a rate "
        "over nothing, or a figure not quantified.",
    )
    numerator = serializers.FloatField()
    quantified = serializers.BooleanField(
        help_text="False for work the report names without a number (重新施划交通标线) when "
        "no record counts it in the period: its value is null, not 0 (the numerator counts "
        "the records behind it: none)."
    )
    denominator = serializers.FloatField(allow_null=True, help_text="Null for a count or sum.")
    unit = serializers.CharField(help_text='What is counted ("tickets", "CNY"); empty for a rate.')
    is_rate = serializers.BooleanField()
    records_url = serializers.CharField(
        allow_null=True, help_text="The list of the records behind the figure, filtered."
    )


class ReportSerializer(serializers.Serializer):
    # "from" is a keyword: the field is renamed below
    from_ = serializers.DateField()
    to = serializers.DateField()
    scope = ReportScopeSerializer()
    computed_at = serializers.DateTimeField()
    roads = serializers.ListField(
        child=serializers.CharField(), help_text="The roads under works in the period (row 22)."
    )
    figures = ReportFigureSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {"from": fields.pop("from_"), **fields}


# --- the view -------------------------------------------------------------------------------


class ReportView(ReadView):
    """The period report's figures: commanders and admins, like the rest of the dashboard;
    a squadron commander sees their own unit (another unit answers 404)."""

    read_roles = STAFF

    @extend_schema(
        operation_id="dashboard_report",
        summary="Every figure of the half-year report for a period",
        description=(
            "One entry per figure of the brigade's half-year report (seed/FIGURES.md, `row` "
            "its row there), then the figures of the sections the apps add (black spots; "
            "`row` null), counted from the records for the period from `from` to `to` "
            f"(local dates, both included, at most {MAX_DAYS} days, ending today at the "
            "latest). A rate counts the records of the period: e.g. the rectification rate "
            "is the hazards found in the period that were verified by its end, over the "
            "hazards found in it. Love stations are those in service at the period's end."
        ),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="First day."),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="Last day."),
            OpenApiParameter(
                "unit", OpenApiTypes.INT, required=False, description="A unit in your scope."
            ),
        ],
        responses=read_responses(ReportSerializer),
    )
    def get(self, request: Request) -> Response:
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = resolve_scope(request.user, query.validated_data.get("unit"))
        return Response(build_report(query.period(), scope).as_json())
