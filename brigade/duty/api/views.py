"""API views of the duty domain: one viewset per model.

A viewset is its scoped queryset, serializer, filterset, ordering and roles; a transition
is an ``@action`` that validates its input and calls the service in brigade/duty/services.py.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from brigade.core.api.exceptions import validation_messages
from brigade.core.api.mixins import (
    CONFLICT,
    ScopedModelViewSet,
    etag_of,
    with_current_values,
)
from brigade.core.roles import ADMIN_ONLY, DUTY, NOBODY, ON_ROAD
from brigade.core.scope import scope_of
from brigade.duty import services
from brigade.duty.api.serializers import (
    AttendanceChangeSerializer,
    AttendanceSerializer,
    CampaignSerializer,
    DutyPostSerializer,
    OfficerSerializer,
    PatrolCheckInSerializer,
    PatrolDetailsSerializer,
    PatrolEndSerializer,
    PatrolSerializer,
    PatrolStartSerializer,
    PatrolTalliesSerializer,
    PatrolTallySerializer,
    PlaceSerializer,
    RoadWorksZoneSerializer,
    SchoolBreakSerializer,
    ShiftSerializer,
    TrainingSessionDetailSerializer,
    TrainingSessionSerializer,
    UnitSerializer,
)
from brigade.duty.filtersets import (
    AttendanceFilterSet,
    CampaignFilterSet,
    DutyPostFilterSet,
    OfficerFilterSet,
    PatrolLogFilterSet,
    PlaceFilterSet,
    RoadWorksZoneFilterSet,
    SchoolBreakFilterSet,
    ShiftFilterSet,
    TrainingSessionFilterSet,
    UnitFilterSet,
)
from brigade.duty.models import Attendance, PatrolLog, Shift, TrainingSession, ViolationTally

# --- Reference data -----------------------------------------------------------------------


class ReferenceViewSet(ScopedModelViewSet):
    """A list everyone reads: ``model``'s rows in the user's scope, ``related`` joined."""

    # the base's rows and roles: everyone reads, those who command write
    serializer_class: type[serializers.ModelSerializer]


class UnitViewSet(ReferenceViewSet):
    serializer_class, filterset_class = UnitSerializer, UnitFilterSet
    ordering_fields = ["code", "name", "kind"]
    write_roles = ADMIN_ONLY


class OfficerViewSet(ReferenceViewSet):
    serializer_class, filterset_class = OfficerSerializer, OfficerFilterSet
    related = ("unit", "user")
    ordering_fields = ["badge_no", "name", "kind", "created_at"]
    write_roles = ADMIN_ONLY


class DutyPostViewSet(ReferenceViewSet):
    serializer_class, filterset_class = DutyPostSerializer, DutyPostFilterSet
    related = ("unit",)
    ordering_fields = ["name", "kind", "start_time", "created_at"]


class CampaignViewSet(ReferenceViewSet):
    serializer_class, filterset_class = CampaignSerializer, CampaignFilterSet
    ordering_fields = ["starts_on", "ends_on", "name"]


class RoadWorksZoneViewSet(ReferenceViewSet):
    serializer_class, filterset_class = RoadWorksZoneSerializer, RoadWorksZoneFilterSet
    related = ("unit",)
    ordering_fields = ["starts_on", "ends_on", "name", "road"]


class PlaceViewSet(ReferenceViewSet):
    """The gazetteer, read by everyone signed in (a form's picker, a map's layer); it is
    kept in the admin, so no one writes it here."""

    serializer_class, filterset_class = PlaceSerializer, PlaceFilterSet
    related = ("unit",)
    ordering_fields = ["name", "kind"]
    write_roles = NOBODY


class SchoolBreakViewSet(ReferenceViewSet):
    serializer_class, filterset_class = SchoolBreakSerializer, SchoolBreakFilterSet
    ordering_fields = ["starts_on", "ends_on", "name"]


# --- Shifts -------------------------------------------------------------------------------


class ShiftViewSet(ScopedModelViewSet):
    serializer_class = ShiftSerializer
    filterset_class = ShiftFilterSet
    ordering_fields = ["starts_at", "ends_at", "created_at"]
    ordering = ["starts_at", "pk"]

    def get_queryset(self) -> QuerySet[Shift]:
        return super().get_queryset().for_list()

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = services.shift_save(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        shift = cast(Shift, serializer.instance)
        changes = with_current_values(serializer, shift, serializer.validated_data)
        serializer.instance = services.shift_save(shift=shift, **changes)


# --- Patrols ------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        summary="Start a patrol",
        description="Starts a patrol for the requesting user's own officer profile.",
        request=PatrolStartSerializer,
        responses={201: PatrolSerializer, 409: CONFLICT},
    ),
    update=extend_schema(request=PatrolDetailsSerializer, responses=PatrolSerializer),
    partial_update=extend_schema(request=PatrolDetailsSerializer, responses=PatrolSerializer),
)
class PatrolViewSet(ScopedModelViewSet):
    """Patrols: an officer sees and acts on their own; commanders on their scope's."""

    serializer_class = PatrolSerializer
    filterset_class = PatrolLogFilterSet
    ordering_fields = ["started_at", "ended_at", "mode", "violations_total", "created_at"]
    ordering = ["-started_at", "-pk"]
    read_roles = DUTY
    write_roles = DUTY
    action_roles = {"create": ON_ROAD, "destroy": ADMIN_ONLY}

    def get_queryset(self) -> QuerySet[PatrolLog]:
        return super().get_queryset().for_list()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        officer = scope_of(request.user).officer
        if officer is None:
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        _("Your account has no officer profile, so it cannot start a patrol.")
                    ]
                }
            )
        data = self.validated_input(PatrolStartSerializer)
        patrol = services.patrol_start(officer=officer, **data)
        return self.respond_with(patrol, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        patrol = self.get_object()
        data = self.validated_input(PatrolDetailsSerializer, partial=kwargs.get("partial", False))
        return self.respond_with(services.patrol_update_details(patrol=patrol, **data))

    @extend_schema(
        summary="End a patrol",
        request=PatrolEndSerializer,
        responses={200: PatrolSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        patrol = self.get_object()
        data = self.validated_input(PatrolEndSerializer)
        return self.respond_with(services.patrol_end(patrol=patrol, **data))

    @extend_schema(
        summary="Check in at a post",
        request=PatrolCheckInSerializer,
        responses={200: PatrolSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, pk: str | None = None) -> Response:
        patrol = self.get_object()
        data = self.validated_input(PatrolCheckInSerializer)
        return self.respond_with(services.patrol_check_in(patrol=patrol, **data))

    @extend_schema(
        summary="Add to (or take from) one violation count",
        request=PatrolTallySerializer,
        responses={200: PatrolTallySerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def tally(self, request: Request, pk: str | None = None) -> Response:
        patrol = self.get_object()
        data = self.validated_input(PatrolTallySerializer)
        count = services.patrol_tally(
            patrol=patrol, kind=data["kind"], delta=data["delta"], at=data.get("at")
        )
        body = PatrolTallySerializer(ViolationTally(kind=data["kind"], count=count)).data
        return Response(body, headers=self._new_etag(patrol))

    @extend_schema(
        summary="Set every violation count at once",
        request=PatrolTalliesSerializer,
        responses={200: PatrolTalliesSerializer},
    )
    @action(detail=True, methods=["put"])
    def tallies(self, request: Request, pk: str | None = None) -> Response:
        patrol = self.get_object()
        data = self.validated_input(PatrolTalliesSerializer)
        try:
            counts = services.patrol_set_tallies(patrol=patrol, counts=data["counts"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"counts": validation_messages(exc)}) from exc
        return Response({"counts": counts}, headers=self._new_etag(patrol))

    def _new_etag(self, patrol: PatrolLog) -> dict[str, str]:
        # The tally services bump updated_at in the database, not on our instance.
        patrol.refresh_from_db(fields=["updated_at"])
        return {"ETag": etag_of(patrol)}


# --- Training -----------------------------------------------------------------------------


class TrainingSessionViewSet(ScopedModelViewSet):
    """Training sessions with their attendance counts; the detail lists the attendances."""

    serializer_class = TrainingSessionSerializer
    filterset_class = TrainingSessionFilterSet
    ordering_fields = ["held_on", "title", "kind", "attended", "passed", "failed"]
    ordering = ["-held_on", "title", "pk"]
    read_roles = DUTY
    related = ("unit",)

    def get_queryset(self) -> QuerySet[TrainingSession]:
        qs = super().get_queryset().with_attendance_counts()
        if self.action == "retrieve":
            attendances = Attendance.objects.select_related("officer").order_by("officer__badge_no")
            qs = qs.prefetch_related(Prefetch("attendances", queryset=attendances))
        return qs

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "retrieve":
            return TrainingSessionDetailSerializer
        return TrainingSessionSerializer


class AttendanceViewSet(ScopedModelViewSet):
    """Attendances; a second record of the same officer at the same session corrects it."""

    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilterSet
    ordering_fields = ["officer__badge_no", "result", "score", "created_at"]
    read_roles = DUTY
    related = ("session", "officer")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action in ("update", "partial_update"):
            return AttendanceChangeSerializer
        return AttendanceSerializer

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = services.attendance_record(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        attendance = cast(Attendance, serializer.instance)
        changes = with_current_values(serializer, attendance, serializer.validated_data)
        serializer.instance = services.attendance_record(
            session=attendance.session, officer=attendance.officer, **changes
        )
