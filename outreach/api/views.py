"""API views of the outreach app: one viewset per model; writes go through
``outreach.services`` (their ValidationError is a 400, TransitionNotAllowed a 409)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from brigade.core.api.mixins import CONFLICT, ScopedModelViewSet, with_current_values
from brigade.core.api.parsers import JSONParser
from brigade.core.roles import DESK, DUTY, STAFF
from brigade.duty.models import Officer
from outreach import models, services
from outreach.api.serializers import (
    AssistanceEventSerializer,
    CommendationSerializer,
    EventPhotoUploadSerializer,
    LoveStationSerializer,
    OutreachCampaignSerializer,
    PublicityEventSerializer,
    StationTallyResultSerializer,
    StationTallySerializer,
)
from outreach.filtersets import (
    AssistanceEventFilterSet,
    CommendationFilterSet,
    LoveStationFilterSet,
    OutreachCampaignFilterSet,
    PublicityEventFilterSet,
)

_OFFICERS = Prefetch("officers", queryset=Officer.objects.order_by("badge_no"))


class OutreachCampaignViewSet(ScopedModelViewSet):
    serializer_class = OutreachCampaignSerializer
    filterset_class = OutreachCampaignFilterSet
    ordering_fields = ["starts_on", "ends_on", "name"]
    related = ("unit",)

    def get_queryset(self) -> QuerySet[models.OutreachCampaign]:
        campaigns = super().get_queryset()
        if self.request.method not in SAFE_METHODS:
            # read by all; changed only by the lead unit's commanders or brigade-wide roles
            campaigns = campaigns.editable_by(self.request.user)
        return campaigns.with_progress()


class PublicityEventViewSet(ScopedModelViewSet):
    serializer_class = PublicityEventSerializer
    filterset_class = PublicityEventFilterSet
    ordering_fields = ["held_on", "audience", "consultations", "created_at"]
    write_roles = DUTY
    action_roles = {"destroy": STAFF, "photos": DUTY}
    related = ("unit", "campaign", "recorded_by")
    prefetch = (_OFFICERS, Prefetch("photos", queryset=models.EventPhoto.objects.all()))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input(self.serializer_class)
        event = services.event_save(by=request.user, **data)
        return self.respond_with(event, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        partial = kwargs.get("partial", False)
        data = self.validated_input(self.serializer_class, partial=partial)
        confirm = data.pop("confirm_large_audience", False)
        if partial:
            data = with_current_values(self.get_serializer(), event, data)
        event = services.event_save(
            by=request.user, event=event, confirm_large_audience=confirm, **data
        )
        return self.respond_with(event)

    @extend_schema(
        summary="Attach a photo (multipart: photo, caption)",
        request={"multipart/form-data": EventPhotoUploadSerializer},
        responses={201: PublicityEventSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request: Request, pk: str | None = None) -> Response:
        event = self.get_object()
        data = self.validated_input(EventPhotoUploadSerializer)
        services.event_add_photo(event=event, by=request.user, **data)
        return self.respond_with(event, status.HTTP_201_CREATED)


class AssistanceEventViewSet(ScopedModelViewSet):
    serializer_class = AssistanceEventSerializer
    filterset_class = AssistanceEventFilterSet
    ordering_fields = ["occurred_at", "kind", "created_at"]
    write_roles = DUTY
    action_roles = {"destroy": STAFF}
    related = ("unit", "recorded_by")
    prefetch = (_OFFICERS,)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input(self.serializer_class)
        return self.respond_with(
            services.assistance_save(by=request.user, **data), status.HTTP_201_CREATED
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assistance = self.get_object()
        partial = kwargs.get("partial", False)
        data = self.validated_input(self.serializer_class, partial=partial)
        if partial:
            data = with_current_values(self.get_serializer(), assistance, data)
        return self.respond_with(
            services.assistance_save(by=request.user, assistance=assistance, **data)
        )


class CommendationViewSet(ScopedModelViewSet):
    serializer_class = CommendationSerializer
    filterset_class = CommendationFilterSet
    ordering_fields = ["received_on", "created_at"]
    write_roles = DESK
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[models.Commendation]:
        return super().get_queryset().for_list()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input(self.serializer_class)
        return self.respond_with(
            services.commendation_save(by=request.user, **data), status.HTTP_201_CREATED
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        commendation = self.get_object()
        partial = kwargs.get("partial", False)
        data = self.validated_input(self.serializer_class, partial=partial)
        if partial:
            data = with_current_values(self.get_serializer(), commendation, data)
        return self.respond_with(
            services.commendation_save(by=request.user, commendation=commendation, **data)
        )


class LoveStationViewSet(ScopedModelViewSet):
    serializer_class = LoveStationSerializer
    filterset_class = LoveStationFilterSet
    ordering_fields = ["name", "opened_on"]
    # The officers at a kiosk tap the visits in.
    action_roles = {"tally": DUTY}
    related = ("unit", "post")

    def get_queryset(self) -> QuerySet[models.LoveStation]:
        return super().get_queryset().with_visits(timezone.localdate())

    def perform_create(self, serializer: BaseSerializer[models.LoveStation]) -> None:
        serializer.instance = services.station_save(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer[models.LoveStation]) -> None:
        station = serializer.instance
        assert station is not None  # an update has its record
        data = with_current_values(serializer, station, serializer.validated_data)
        serializer.instance = services.station_save(by=self.request.user, station=station, **data)

    @extend_schema(
        summary="Tap a day's visits up or down, or set them",
        request=StationTallySerializer,
        responses={200: StationTallyResultSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def tally(self, request: Request, pk: str | None = None) -> Response:
        station = self.get_object()
        data = self.validated_input(StationTallySerializer)
        day = data.get("day") or timezone.localdate()
        if "visits" in data:
            visits = services.station_set_visits(
                station=station, day=day, visits=data["visits"]
            ).visits
        else:
            visits = services.station_tally(station=station, delta=data["delta"], day=day)
        return Response(StationTallyResultSerializer({"day": day, "visits": visits}).data)
