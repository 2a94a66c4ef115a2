"""The dashboard's API, mounted at /api/v1/dashboard/: the figures of a week, a metric's
weekly series, recomputes a commander starts and follows, and the period report.

Reads come from ``brigade.core.kpi.read`` (cached payloads, a fixed number of queries); the
serializers below validate query strings and document the answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.core.validators import MaxLengthValidator
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from brigade.core.api.mixins import (
    NOT_FOUND,
    VALIDATION_ERROR,
    DetailSerializer,
)
from brigade.core.dashboard.records_api import RecordsView
from brigade.core.dashboard.weeks import opening_week
from brigade.core.kpi import read, runs
from brigade.core.kpi.models import KpiRun
from brigade.core.kpi.read import FigureScope
from brigade.core.kpi.scopes import resolve_scope
from brigade.core.kpi.weeks import WeekOutOfRange, current_week, parse_week, week_key
from brigade.core.report.api import ReadView, ReportView
from brigade.core.roles import STAFF

# --- input --------------------------------------------------------------------------------


class _TextLength(MaxLengthValidator):
    """A length limit on a field's text, not on the value that text becomes."""

    def __call__(self, value: Any) -> None:
        if isinstance(value, str):
            super().__call__(value)


class WeekField(serializers.CharField):
    """An ISO week key (``2022-W24``) in, its Monday out."""

    default_error_messages = {"week": _("Enter an ISO week like 2022-W24.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)  # "2022-W24", with room for a typo
        super().__init__(**kwargs)
        # The length is the text's, checked before it is parsed (the validators see the
        # Monday it becomes); the schema still reads it from the validator.
        self.validators = [
            _TextLength(v.limit_value) if isinstance(v, MaxLengthValidator) else v
            for v in self.validators
        ]

    def to_internal_value(self, data: Any) -> dt.date:  # type: ignore[override]
        text = super().to_internal_value(data)
        if self.max_length is not None and len(text) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        try:
            return parse_week(text)
        except WeekOutOfRange as exc:
            raise serializers.ValidationError(exc.message) from exc
        except ValueError:
            self.fail("week")
            raise  # unreachable: fail() raises


class KpisQuerySerializer(serializers.Serializer):
    week = WeekField(
        required=False,
        help_text="ISO week, e.g. 2022-W24; default this week, or the latest week with "
        "records when this week has few or none.",
    )
    unit = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="A unit in your scope; default the brigade (brigade-wide users) or your unit.",
    )


class TrendQuerySerializer(KpisQuerySerializer):
    metric = serializers.CharField(help_text="A metric key, e.g. brigade.patrols.")
    weeks = serializers.IntegerField(
        required=False, default=26, min_value=1, max_value=read.MAX_TREND_WEEKS
    )

    def validate_metric(self, value: str) -> str:
        if not read.is_known(value):
            raise serializers.ValidationError(_("Unknown metric."))
        return value


class RecomputeSerializer(serializers.Serializer):
    since = WeekField(
        required=False,
        allow_null=True,
        help_text="Recompute from this ISO week on (e.g. 2022-W01); default every week.",
    )


# --- output (documentation of the payloads built in brigade.core.kpi.read) -------------------


def link(help_text: str | None = None) -> serializers.CharField:
    """A link to the records behind a figure (a page's or the API's); null where none."""
    return serializers.CharField(allow_null=True, help_text=help_text)


class ScopeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["brigade", "unit"])
    unit = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class PublishedFigureSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField()
    denominator = serializers.FloatField(allow_null=True)
    published_at = serializers.DateTimeField()


class FigureSerializer(serializers.Serializer):
    # a field named "label" shadows Field.label in the stubs; at runtime it is a field
    label = serializers.CharField(help_text="In the request's language.")  # type: ignore[assignment]
    numerator = serializers.FloatField()
    denominator = serializers.FloatField(allow_null=True, help_text="Null for a sum.")
    value = serializers.FloatField(
        allow_null=True, help_text="A rate as a fraction (0.4579), a sum as is; null: none."
    )
    unit_label = serializers.CharField()
    is_rate = serializers.BooleanField()
    tile = serializers.BooleanField(help_text="Shown as a dashboard tile.")
    part_of = serializers.CharField(
        allow_null=True, help_text="For one part of a split metric: the metric split."
    )
    previous = serializers.FloatField(allow_null=True, help_text="Last week's value.")
    change = serializers.FloatField(allow_null=True, help_text="value − previous.")
    published = PublishedFigureSerializer(allow_null=True)
    drifted = serializers.BooleanField(help_text="The live figure differs from the published.")
    records_url = link("The page listing the records the figure counts.")
    records_api = link(
        "The records API's list of them: its `count` (or `total`, for a sum) equals the "
        "figure (a rate's numerator)."
    )
    denominator_records_url = link("For a rate: the page listing its denominator's records.")
    denominator_records_api = link(
        "For a rate: the records API's list whose `count` (or `total`) equals the "
        "denominator; null for a sum."
    )


class KpisSerializer(serializers.Serializer):
    week = serializers.CharField(help_text="The week of the figures.")
    current_week = serializers.CharField(
        help_text="This week: differs from `week` when another was asked for, or when this "
        "week has few or no records and the latest week with records was returned."
    )
    scope = ScopeSerializer()
    computed_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.CharField(
        allow_null=True, help_text="Since when a recompute could not be enqueued."
    )
    has_data = serializers.BooleanField()
    metrics = serializers.DictField(child=FigureSerializer())


class TrendPointSerializer(serializers.Serializer):
    week = serializers.CharField()
    numerator = serializers.FloatField()
    denominator = serializers.FloatField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    records_url = link()
    records_api = link("The records the week's figure counts: their `count` (or `total`) is it.")
    denominator_records_url = link()
    denominator_records_api = link()


class TrendSerializer(serializers.Serializer):
    metric = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    is_rate = serializers.BooleanField()
    unit_label = serializers.CharField()
    scope = ScopeSerializer()
    points = TrendPointSerializer(many=True)


class RunStartedSerializer(serializers.Serializer):
    run_id = serializers.UUIDField()
    state = serializers.ChoiceField(choices=KpiRun.State.choices)
    status_url = serializers.URLField()


class RunSerializer(serializers.ModelSerializer):
    run_id = serializers.UUIDField(source="pk", read_only=True)

    class Meta:
        model = KpiRun
        fields = ["run_id", "state", "done", "total", "error", "started_at", "finished_at"]
        read_only_fields = fields


# --- views ----------------------------------------------------------------------------------


UNAVAILABLE = OpenApiResponse(
    DetailSerializer, description="The task queue does not answer: nothing was started."
)


class DashboardView(ReadView):
    """Commanders and admins; scoping to the user's units is ``resolve_scope``'s job."""

    read_roles = STAFF
    write_roles = STAFF

    def query(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def scoped_query(
        self, serializer_class: type[serializers.Serializer]
    ) -> tuple[dict[str, Any], FigureScope, dt.date]:
        """The query's parameters, the scope it asks for and its week (none: the week the
        dashboard opens on)."""
        params = self.query(serializer_class)
        scope = resolve_scope(self.request.user, params.get("unit"))
        return params, scope, params.get("week") or opening_week(scope).monday


def week_schema(
    operation_id: str,
    summary: str,
    query: type[serializers.Serializer],
    answer: type[serializers.Serializer],
) -> Any:
    """The schema of a read of a week's figures: ``query`` in, ``answer`` out."""
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        parameters=[query],
        responses={200: answer, 400: VALIDATION_ERROR, 404: NOT_FOUND},
    )


class KpisView(DashboardView):
    """Every metric's figure for a week and scope: value, numerator/denominator, last
    week's value and the change, the published figure and whether live has drifted."""

    @week_schema("dashboard_kpis", "The figures of a week", KpisQuerySerializer, KpisSerializer)
    def get(self, request: Request) -> Response:
        _params, scope, monday = self.scoped_query(KpisQuerySerializer)
        return Response({**read.figures(monday, scope), "current_week": week_key(current_week())})


class TrendView(DashboardView):
    """One metric's weekly figures; weeks without a rollup have a null value."""

    @week_schema(
        "dashboard_trend",
        "A metric's weekly series, oldest first, ending with `week`",
        TrendQuerySerializer,
        TrendSerializer,
    )
    def get(self, request: Request) -> Response:
        params, scope, until = self.scoped_query(TrendQuerySerializer)
        key = params["metric"]
        metric = read.registry.owner(key)
        points = read.trend(key, scope, weeks=params["weeks"], until=until)
        return Response(
            {
                "metric": key,
                "label": str(read.registry.labels()[key]),
                "is_rate": metric.is_rate,
                "unit_label": str(metric.unit_label),
                "scope": scope.as_json(),
                "points": points,
            }
        )


def run_json(run: KpiRun) -> dict[str, Any]:
    return dict(RunSerializer(run).data)


class RecomputeView(DashboardView):
    """Queue a recompute of every figure from the records; follow it at ``status_url``.
    Answers 503 at once when the task queue does not answer."""

    @extend_schema(
        operation_id="dashboard_recompute",
        summary="Start a recompute of every figure (from `since`, if given)",
        request=RecomputeSerializer,
        responses={202: RunStartedSerializer, 400: VALIDATION_ERROR, 503: UNAVAILABLE},
    )
    def post(self, request: Request) -> Response:
        body = RecomputeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            run = runs.start(by=request.user, since=body.validated_data.get("since"))
        except runs.BrokerUnavailable:
            return Response(
                {"detail": _("The task queue does not answer: no recompute was started.")},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "60"},
            )
        status_url = request.build_absolute_uri(
            reverse("dashboard-api:recompute-status", kwargs={"pk": run.pk})
        )
        return Response(
            {"run_id": str(run.pk), "state": run.state, "status_url": status_url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": status_url},
        )


class RecomputeStatusView(DashboardView):
    """A recompute's state and progress (steps done of total)."""

    @extend_schema(
        operation_id="dashboard_recompute_status",
        summary="How far a recompute has got",
        parameters=[],
        responses={200: RunSerializer},
    )
    def get(self, request: Request, pk: UUID) -> Response:
        run = get_object_or_404(KpiRun, pk=pk)
        return Response(run_json(run))


urlpatterns = [
    path("kpis/", KpisView.as_view(), name="kpis"),
    path("trend/", TrendView.as_view(), name="trend"),
    path("recompute/", RecomputeView.as_view(), name="recompute"),
    path("recompute/<uuid:pk>/", RecomputeStatusView.as_view(), name="recompute-status"),
    # the period report (brigade/core/report/api.py)
    path("report/", ReportView.as_view(), name="report"),
    # the records behind any figure (brigade/core/dashboard/records_api.py)
    path("records/", RecordsView.as_view(), name="records"),
]
