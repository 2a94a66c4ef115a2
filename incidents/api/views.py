"""API views of the incidents app: accidents (+ solve), fund advances (+ approve, reject,
pay), recoveries and the ledger. Viewsets hold no rule: the services decide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brigade.core.api.mixins import (
    CONFLICT,
    PRECONDITION_FAILED,
    PRECONDITION_REQUIRED,
    ConditionalWriteMixin,
    ScopedAutoSchema,
    ScopedModelViewSet,
)
from brigade.core.clientip import client_ip
from brigade.core.idempotency import not_kept
from brigade.core.imports import TableError
from brigade.core.permissions import RolePermission
from brigade.core.roles import ADMIN_ONLY, DESK, EVERYONE, NOBODY, REVEAL, STAFF
from brigade.core.units import require_unit
from brigade.duty.models import Unit
from incidents import black_spots, services
from incidents.api.serializers import (
    AccidentDocumentSerializer,
    AccidentImportSerializer,
    AccidentSerializer,
    AccidentSolveSerializer,
    AdvanceApproveSerializer,
    AdvancePaySerializer,
    AdvanceRejectSerializer,
    BlackSpotListSerializer,
    BlackSpotQuerySerializer,
    BlackSpotSerializer,
    FundAdvanceChangeSerializer,
    FundAdvanceSerializer,
    LedgerQuerySerializer,
    LedgerSerializer,
    PartyPhonesSerializer,
    PartyRevealSerializer,
    RecoverySerializer,
    SpotConflictSerializer,
    SpotHazardSerializer,
)
from incidents.filtersets import AccidentFilterSet, FundAdvanceFilterSet, RecoveryFilterSet
from incidents.imports import accidents_import
from incidents.ledger import build_ledger
from incidents.models import Accident, AccidentParty, BlackSpot, FundAdvance, Recovery
from incidents.transitions import ACCIDENT_TRANSITIONS, ADVANCE_TRANSITIONS


def unit_for(user: object, unit: Unit | None) -> Unit:
    """The unit a new accident belongs to (the shared rule); none: choose one."""
    return require_unit(user, unit, message=_("Choose the unit of this accident."))


class AccidentViewSet(ScopedModelViewSet):
    """Accidents with their parties; a hit-and-run case is solved through ``solve``."""

    serializer_class = AccidentSerializer
    filterset_class = AccidentFilterSet
    ordering_fields = ["occurred_at", "severity", "handling_mode", "created_at"]
    write_roles = EVERYONE
    # the case's transitions: the roles of its transition table
    action_roles = {
        **ACCIDENT_TRANSITIONS.roles(),
        "destroy": ADMIN_ONLY,
        "reveal": REVEAL,
        # a sheet of accidents typed up or exported elsewhere: the desk's work
        "import_": DESK,
    }
    related = ("unit", "recorded_by", "solved_by", "gazetteer_place")
    prefetch = (Prefetch("parties", queryset=AccidentParty.objects.order_by("pk")),)

    def perform_create(self, serializer: serializers.BaseSerializer[Accident]) -> None:
        data = dict(serializer.validated_data)
        unit = unit_for(self.request.user, data.pop("unit", None))
        serializer.instance = services.accident_record(unit=unit, by=self.request.user, **data)

    def perform_update(self, serializer: serializers.BaseSerializer[Accident]) -> None:
        accident = serializer.instance
        assert accident is not None  # an update has its record
        data = dict(serializer.validated_data)
        data.pop("parties", None)  # parties are added, not rewritten, after the record
        if "unit" in data and data["unit"] != accident.unit:
            raise serializers.ValidationError(
                {"unit": [_("An accident stays with the unit that recorded it.")]}
            )
        data.pop("unit", None)
        serializer.instance = services.accident_update(accident=accident, **data)

    @extend_schema(
        summary="Import accidents from CSV/XLSX (all rows or none)",
        description="Each row: when, the road, and where: coordinates or the name of a "
        "place of the brigade's register (an unknown name is an error of its row).",
        request={"multipart/form-data": AccidentImportSerializer},
        parameters=[OpenApiParameter("dry_run", bool, description="Preview only.")],
        responses={200: dict, 201: dict, 400: dict},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_(self, request: Request) -> Response:
        data = self.validated_input(AccidentImportSerializer)
        unit = unit_for(request.user, data.get("unit"))
        dry_run = request.query_params.get("dry_run") in ("1", "true", "yes")
        try:
            report = accidents_import(
                upload=data["file"], unit=unit, by=request.user, dry_run=dry_run
            )
        except TableError as exc:
            return Response({"file": exc.problems}, status=status.HTTP_400_BAD_REQUEST)
        if not report.ok:
            return Response(report.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
        return Response(report.as_dict(), status=code)

    @extend_schema(
        summary="Attach a document (PDF or photo) to an accident",
        request={"multipart/form-data": AccidentDocumentSerializer},
        responses={201: AccidentDocumentSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request: Request, pk: str | None = None) -> Response:
        accident = self.get_object()
        data = self.validated_input(AccidentDocumentSerializer)
        document = services.document_attach(accident=accident, by=request.user, **data)
        body = AccidentDocumentSerializer(document, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Solve a hit-and-run case",
        request=AccidentSolveSerializer,
        responses={200: AccidentSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def solve(self, request: Request, pk: str | None = None) -> Response:
        accident = self.get_object()
        data = self.validated_input(AccidentSolveSerializer)
        return self.respond_with(
            services.accident_solve(accident=accident, by=request.user, **data)
        )

    @extend_schema(
        summary="Show the parties' phone numbers (audited)",
        description="One party (``party``) or every party with a phone number; each number "
        "shown is written to the log of phone numbers seen.",
        request=PartyRevealSerializer,
        responses={200: PartyPhonesSerializer},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        accident = self.get_object()
        data = self.validated_input(PartyRevealSerializer)
        parties = AccidentParty.objects.filter(accident=accident).order_by("pk")
        if "party" in data:
            parties = parties.filter(pk=data["party"])
            if not parties:
                raise serializers.ValidationError(
                    {"party": [_("This accident has no such party.")]}
                )
        shown = services.party_reveal(
            accident=accident, parties=parties, user=request.user, ip=client_ip(request)
        )
        # the numbers are not kept with the request's key: a repeat shows (and logs) again
        return not_kept(Response({"parties": shown}))


class FundAdvanceViewSet(ScopedModelViewSet):
    """Relief-fund advances: requested, approved (not by the requester, and naming the
    version approved), paid, recovered. While pending, only the requester (or a clerk on
    their behalf) changes one. Money records are never deleted: a wrong request is
    rejected."""

    serializer_class = FundAdvanceSerializer
    filterset_class = FundAdvanceFilterSet
    ordering_fields = ["created_at", "paid_at", "amount", "recovery_due", "status"]
    write_roles = EVERYONE
    # the advance's transitions: the roles of its transition table
    action_roles = {**ADVANCE_TRANSITIONS.roles(), "destroy": NOBODY}
    check_actions = ADVANCE_TRANSITIONS.checks()

    def get_queryset(self) -> QuerySet[FundAdvance]:
        return super().get_queryset().for_list()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[FundAdvance]]:
        if self.action in ("update", "partial_update"):
            return FundAdvanceChangeSerializer
        return FundAdvanceSerializer

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        # who may change the request is said (403) before what they sent is looked at
        services.require_editor(self.get_object(), request.user)
        return super().update(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[FundAdvance]) -> None:
        serializer.instance = services.advance_request(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.BaseSerializer[FundAdvance]) -> None:
        advance = serializer.instance
        assert advance is not None  # an update has its record
        serializer.instance = services.advance_update(
            advance=advance, by=self.request.user, **serializer.validated_data
        )

    def decide(
        self, service: Callable[..., FundAdvance], advance: FundAdvance, **data: object
    ) -> Response:
        """Approve or reject: never one's own request (the service's 403, not a 409)."""
        return self.respond_with(service(advance=advance, by=self.request.user, **data))

    @extend_schema(
        summary="Approve a requested advance",
        description=(
            "Names the version approved: the ETag read, as If-Match or as `version` "
            "(428 without one; 412 if the advance changed since). Never the requester's own "
            "request (403)."
        ),
        request=AdvanceApproveSerializer,
        responses={
            200: FundAdvanceSerializer,
            409: CONFLICT,
            412: PRECONDITION_FAILED,
            428: PRECONDITION_REQUIRED,
        },
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        advance = self.get_object()
        data = self.validated_input(AdvanceApproveSerializer)
        version = request.headers.get("If-Match") or data.get("version")
        return self.decide(services.advance_approve, advance, version=version)

    @extend_schema(
        summary="Reject a requested advance",
        request=AdvanceRejectSerializer,
        responses={200: FundAdvanceSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        advance = self.get_object()
        return self.decide(
            services.advance_reject, advance, **self.validated_input(AdvanceRejectSerializer)
        )

    @extend_schema(
        summary="Mark an approved advance paid",
        request=AdvancePaySerializer,
        responses={200: FundAdvanceSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str | None = None) -> Response:
        advance = self.get_object()
        data = self.validated_input(AdvancePaySerializer)
        return self.respond_with(services.advance_pay(advance=advance, by=request.user, **data))


class RecoveryViewSet(ScopedModelViewSet):
    """Recoveries (追偿) against paid advances: recorded, never edited or deleted."""

    serializer_class = RecoverySerializer
    filterset_class = RecoveryFilterSet
    ordering_fields = ["received_on", "amount", "created_at"]
    write_roles = DESK
    action_roles = {"update": NOBODY, "partial_update": NOBODY, "destroy": NOBODY}
    related = ("recorded_by",)

    def get_queryset(self) -> QuerySet[Recovery]:
        return super().get_queryset().for_list()

    def perform_create(self, serializer: serializers.BaseSerializer[Recovery]) -> None:
        serializer.instance = services.recovery_record(
            by=self.request.user, **serializer.validated_data
        )


class LedgerView(APIView):
    """The relief-fund ledger of a period: advances paid in it (paid, recovered by its end,
    outstanding), recoveries received in it, and totals that are the sums of the rows."""

    permission_classes = [RolePermission]
    read_roles = EVERYONE
    schema = ScopedAutoSchema()

    @extend_schema(
        operation_id="incidents_ledger",
        parameters=[LedgerQuerySerializer],
        responses={200: LedgerSerializer},
    )
    def get(self, request: Request) -> Response:
        query = LedgerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ledger = build_ledger(request.user, **query.validated_data)
        return Response(LedgerSerializer(ledger).data, status=status.HTTP_200_OK)


class BlackSpotViewSet(ConditionalWriteMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Black spots (事故多发点段) of the rolling window or of a period, ranked; a
    commander opens a hazard investigation from one (``open-hazard``)."""

    permission_classes = [RolePermission]
    schema = ScopedAutoSchema()
    serializer_class = BlackSpotSerializer
    read_roles = STAFF
    action_roles = {"open_hazard": STAFF}

    def get_queryset(self) -> QuerySet[BlackSpot]:
        return BlackSpot.objects.visible_to(self.request.user)

    def _window(self) -> tuple[Any, Any]:
        query = BlackSpotQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data.get("first"), query.validated_data.get("last")

    @extend_schema(
        summary="Black spots, ranked",
        description=(
            "The spots of the rolling window (BLACK_SPOT_WINDOW_DAYS ending today) unless "
            "`from`/`to` name another period, which is computed by the same rule. A "
            "squadron's users see their unit's spots, brigade-wide roles every unit's."
        ),
        parameters=[BlackSpotQuerySerializer],
        responses={200: BlackSpotListSerializer},
    )
    def list(self, request: Request) -> Response:
        first, last = self._window()
        rows = black_spots.listed(request.user, first, last)
        window = (rows[0].window_from, rows[0].window_to) if rows else None
        if window is None or first is not None or last is not None:
            window = _asked_window(first, last)
        body = {
            "count": len(rows),
            "date_from": window[0],
            "date_to": window[1],
            "results": rows,
        }
        return Response(BlackSpotListSerializer(body).data)

    @extend_schema(
        summary="One black spot of the rolling window", responses={200: BlackSpotSerializer}
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = black_spots.listed_one(self.get_object())
        return Response(BlackSpotSerializer(row).data)

    @extend_schema(
        summary="Open a hazard investigation at a black spot",
        description=(
            "Creates a hazard (source: accident analysis) at the spot's centre, its "
            "accidents listed and linked. 409 with the hazard when one is still open there."
        ),
        request=None,
        responses={201: SpotHazardSerializer, 409: SpotConflictSerializer},
    )
    @action(detail=True, methods=["post"], url_path="open-hazard")
    def open_hazard(self, request: Request, pk: str | None = None) -> Response:
        spot = self.get_object()
        try:
            hazard = services.black_spot_open_hazard(spot=spot, by=request.user)
        except services.SpotInvestigated as refused:
            body = {
                "detail": refused.message,
                "state": refused.state,
                "hazard": vars(refused.hazard),
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(
            SpotHazardSerializer(vars(hazard)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": hazard.api_url},
        )


def _asked_window(first: Any, last: Any) -> tuple[Any, Any]:
    window = black_spots.rolling_window(last)
    return (first or window[0], last or window[1])
