"""API of the hazards app: viewsets over scoped querysets; every write and transition
calls ``hazards.services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from brigade.core.api.mixins import CONFLICT, ScopedModelViewSet, with_current_values
from brigade.core.api.parsers import JSONParser
from brigade.core.imports import TableError
from brigade.core.roles import ADMIN_ONLY, EVERYONE, STAFF
from brigade.core.scope import scope_of
from brigade.core.units import require_unit
from brigade.duty.models import Unit
from hazards import services
from hazards.api.serializers import (
    FacilityWorkSerializer,
    HazardAssignSerializer,
    HazardDuplicateSerializer,
    HazardPhotosSerializer,
    HazardReasonSerializer,
    HazardRectifySerializer,
    HazardReportSerializer,
    HazardSerializer,
    HazardVerifySerializer,
    KeyVehicleClearSerializer,
    KeyVehicleImportSerializer,
    KeyVehicleSerializer,
)
from hazards.filtersets import FacilityWorkFilterSet, HazardFilterSet, KeyVehicleFilterSet
from hazards.models import FacilityWork, Hazard, HazardCheck, HazardPhoto
from hazards.transitions import HAZARD_TRANSITIONS


def own_unit(request: Request, chosen: Unit | None) -> Unit:
    """The unit a new record belongs to (the shared rule); none: choose one."""
    return require_unit(request.user, chosen, message=_("Choose the unit."))


class HazardViewSet(ScopedModelViewSet):
    """Hazards: anyone reports (from the road, a ticket...); officers rectify; commanders
    assign, verify or send back, reject, mark duplicates."""

    serializer_class = HazardSerializer
    filterset_class = HazardFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ordering_fields = ["found_at", "deadline", "severity", "status", "road"]
    ordering = None  # the queue's order: the most urgent first
    # the workflow's actions: the roles of the hazard's transition table
    action_roles = {**HAZARD_TRANSITIONS.roles(), "create": EVERYONE, "destroy": ADMIN_ONLY}
    check_actions = HAZARD_TRANSITIONS.checks()
    related = ("unit", "reported_by", "rectified_by", "verified_by")
    prefetch = (
        Prefetch("photos", queryset=HazardPhoto.objects.order_by("stage", "pk")),
        Prefetch(
            "checks",
            queryset=HazardCheck.objects.select_related("checked_by").order_by("checked_at", "pk"),
        ),
    )

    def get_queryset(self) -> QuerySet[Hazard]:
        return super().get_queryset().queue()

    def get_serializer_context(self) -> dict[str, Any]:
        # a verified hazard's effect on the accidents around it: on its own read only
        return {**super().get_serializer_context(), "with_effect": self.action == "retrieve"}

    @extend_schema(request=HazardReportSerializer, responses={201: HazardSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input(HazardReportSerializer)
        unit = own_unit(request, data.pop("unit", None))
        scope = scope_of(request.user)
        hazard = services.hazard_report(
            unit=unit, reported_by=scope.officer, by=request.user, **data
        )
        return self.respond_with(hazard, status.HTTP_201_CREATED)

    def perform_update(self, serializer: serializers.BaseSerializer[Hazard]) -> None:
        hazard = serializer.instance
        assert hazard is not None  # an update has its record
        serializer.instance = services.hazard_update(hazard=hazard, **serializer.validated_data)

    def _transition(
        self,
        serializer_class: type[serializers.Serializer] | None,
        service: Callable[..., Hazard],
        **extra: object,
    ) -> Response:
        hazard = self.get_object()
        data = self.validated_input(serializer_class) if serializer_class else {}
        return self.respond_with(service(hazard=hazard, **data, **extra))

    @extend_schema(
        summary="Assign a hazard",
        request=HazardAssignSerializer,
        responses={200: HazardSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(HazardAssignSerializer, services.hazard_assign, by=request.user)

    @extend_schema(
        summary="Start the rectification",
        request=None,
        responses={200: HazardSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(None, services.hazard_start)

    @extend_schema(
        summary="Record the rectification (measures, after-photos)",
        request=HazardRectifySerializer,
        responses={200: HazardSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def rectify(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(HazardRectifySerializer, services.hazard_rectify, by=request.user)

    @extend_schema(
        summary="Verify a rectification",
        request=HazardVerifySerializer,
        responses={200: HazardSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(HazardVerifySerializer, services.hazard_verify, by=request.user)

    @extend_schema(
        summary="Fail the check: back to rectifying, with the reason",
        request=HazardReasonSerializer,
        responses={200: HazardSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="fail-check")
    def fail_check(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(HazardReasonSerializer, services.hazard_fail_check, by=request.user)

    @extend_schema(
        summary="Reject a report, with the reason",
        request=HazardReasonSerializer,
        responses={200: HazardSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(HazardReasonSerializer, services.hazard_reject, by=request.user)

    @extend_schema(
        summary="Mark as a duplicate of an earlier hazard",
        request=HazardDuplicateSerializer,
        responses={200: HazardSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(
            HazardDuplicateSerializer, services.hazard_mark_duplicate, by=request.user
        )

    @extend_schema(
        summary="Add photos",
        request=HazardPhotosSerializer,
        responses={200: HazardSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def photos(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(
            HazardPhotosSerializer, services.hazard_add_photos_returning, by=request.user
        )


class KeyVehicleViewSet(ScopedModelViewSet):
    """The key-vehicle register: imported, cleared with evidence by commanders."""

    serializer_class = KeyVehicleSerializer
    filterset_class = KeyVehicleFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ordering_fields = ["plate", "flagged_at", "cleared_at", "status"]
    action_roles = {"destroy": ADMIN_ONLY}
    related = ("unit",)

    @extend_schema(
        summary="Clear a vehicle, with its evidence",
        request=KeyVehicleClearSerializer,
        responses={200: KeyVehicleSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def clear(self, request: Request, pk: str | None = None) -> Response:
        vehicle = self.get_object()
        data = self.validated_input(KeyVehicleClearSerializer)
        data["scrapping_certificate"] = data.get("scrapping_certificate") or ""
        data["note"] = data.get("note") or ""
        return self.respond_with(
            services.key_vehicle_clear(vehicle=vehicle, by=request.user, **data)
        )

    @extend_schema(
        summary="Import the register from CSV/XLSX (all rows or none)",
        request={"multipart/form-data": KeyVehicleImportSerializer},
        parameters=[OpenApiParameter("dry_run", bool, description="Preview only.")],
        responses={200: dict, 201: dict, 400: dict},
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    def import_(self, request: Request) -> Response:
        data = self.validated_input(KeyVehicleImportSerializer)
        unit = own_unit(request, data.get("unit"))
        dry_run = request.query_params.get("dry_run") in ("1", "true", "yes")
        try:
            report = services.key_vehicles_import(
                upload=data["file"], unit=unit, by=request.user, dry_run=dry_run
            )
        except TableError as exc:
            return Response({"file": exc.problems}, status=status.HTTP_400_BAD_REQUEST)
        if not report.ok:
            return Response(report.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
        return Response(report.as_dict(), status=code)


class FacilityWorkViewSet(ScopedModelViewSet):
    """Facility works (signals, signs, markings, bays, school fronts) with quantities."""

    serializer_class = FacilityWorkSerializer
    filterset_class = FacilityWorkFilterSet
    ordering_fields = ["done_on", "quantity", "kind"]
    action_roles = {"destroy": STAFF}
    related = ("unit", "hazard")

    def perform_create(self, serializer: serializers.BaseSerializer[FacilityWork]) -> None:
        serializer.instance = services.facility_work_save(
            **serializer.validated_data, by=self.request.user
        )

    def perform_update(self, serializer: serializers.BaseSerializer[FacilityWork]) -> None:
        work = serializer.instance
        assert work is not None  # an update has its record
        data = with_current_values(serializer, work, serializer.validated_data)
        serializer.instance = services.facility_work_save(**data, work=work)
