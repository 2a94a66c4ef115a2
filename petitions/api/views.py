"""API of the petitions app: a viewset per model; a ticket's transitions are ``@action``s
that validate their input and call the service in petitions/services.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Model, Prefetch
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from brigade.core.api.mixins import (
    CONFLICT,
    ConditionalWriteMixin,
    PageSizePagination,
    ScopedAutoSchema,
    ScopedModelViewSet,
    positive_count,
)
from brigade.core.clientip import client_ip
from brigade.core.idempotency import not_kept
from brigade.core.permissions import RolePermission
from brigade.core.roles import ADMIN_ONLY, DESK, EVERYONE, REVEAL, STAFF
from brigade.core.spreadsheets import XLSX_TYPE
from petitions import services
from petitions.api.serializers import (
    AssignSerializer,
    CallbackSerializer,
    ConsultationSerializer,
    DecideSerializer,
    ExtendSerializer,
    ImportSerializer,
    PlatformExportCreateSerializer,
    PlatformExportSerializer,
    ProposalAnswerSerializer,
    ProposalSerializer,
    ReasonSerializer,
    ReopenSerializer,
    ReplySerializer,
    RevealSerializer,
    TicketCallbackSerializer,
    TicketCategorySerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketExtensionSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
)
from petitions.filtersets import ConsultationFilterSet, ProposalFilterSet, TicketFilterSet
from petitions.models import Consultation, PlatformExport, Proposal, Ticket, TicketExtension
from petitions.querysets import TicketQuerySet
from petitions.transitions import EXTENSION_DECIDERS, TICKET_TRANSITIONS
from petitions.views.platform import platform_download

QUEUE_PAGE = 50
QUEUE_MAX = 200


class TicketCategoryViewSet(ScopedModelViewSet):
    """Categories and their deadline rules: everyone reads, an administrator edits."""

    serializer_class = TicketCategorySerializer
    ordering_fields = ["code", "name"]
    write_roles = ADMIN_ONLY


class TicketViewSet(ScopedModelViewSet):
    """12345 tickets of the user's scope; names and phones masked (``reveal/`` unmasks,
    audited)."""

    serializer_class = TicketSerializer
    filterset_class = TicketFilterSet
    ordering_fields = ["received_at", "next_due", "close_due", "number", "status"]
    write_roles = DESK
    # a ticket's transitions: the roles of its transition table
    action_roles = {
        **TICKET_TRANSITIONS.roles(),
        "destroy": ADMIN_ONLY,
        "approve_extension": EXTENSION_DECIDERS,
        "reveal": REVEAL,
    }
    # a check of someone's request: also open to the second approver
    check_actions = frozenset({"approve_extension"})

    def get_queryset(self) -> TicketQuerySet:
        queryset = super().get_queryset().for_list()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                "replies",
                "callbacks",
                "supervisions",
                Prefetch(
                    "extensions",
                    queryset=TicketExtension.objects.select_related("requested_by", "decided_by"),
                ),
            )
        return queryset

    def get_serializer_class(self) -> type[TicketSerializer]:
        if self.action == "retrieve":
            return TicketDetailSerializer
        return TicketSerializer

    def get_output_serializer(self, instance: Model) -> TicketSerializer:
        return TicketSerializer(instance, context=self.get_serializer_context())

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input(TicketCreateSerializer)
        ticket = services.ticket_create(created_by=request.user, **data)
        return self.respond_with(ticket, status.HTTP_201_CREATED)

    @extend_schema(request=TicketUpdateSerializer, responses=TicketSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_object()
        data = self.validated_input(TicketUpdateSerializer, partial=kwargs.get("partial", False))
        return self.respond_with(services.ticket_update(ticket=ticket, **data))

    # --- transitions ----------------------------------------------------------------------

    @extend_schema(
        summary="Sign (签收)", request=None, responses={200: TicketSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        return self.respond_with(services.ticket_sign(ticket=self.get_object(), by=request.user))

    @extend_schema(
        summary="Assign a handler",
        request=AssignSerializer,
        responses={200: TicketSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        data = self.validated_input(AssignSerializer)
        return self.respond_with(
            services.ticket_assign(ticket=ticket, handler=data["handler"], by=request.user)
        )

    @extend_schema(
        summary="Reply to the citizen (反馈)",
        request=ReplySerializer,
        responses={200: TicketSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        data = self.validated_input(ReplySerializer)
        return self.respond_with(
            services.ticket_reply(ticket=ticket, text=data["text"], by=request.user)
        )

    @extend_schema(
        summary="Close (办结)", request=None, responses={200: TicketSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self.respond_with(services.ticket_close(ticket=self.get_object(), by=request.user))

    @extend_schema(
        summary="Undo a close just made",
        description=(
            "Only by whoever closed the ticket, within a few seconds of the close and before "
            "its callback; otherwise 409. The ticket is replied again."
        ),
        request=None,
        responses={200: TicketSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="undo-close", url_name="undo_close")
    def undo_close(self, request: Request, pk: str | None = None) -> Response:
        return self.respond_with(
            services.ticket_undo_close(ticket=self.get_object(), by=request.user)
        )

    @extend_schema(
        summary="Record the callback (回访)",
        description="Not by the ticket's handler (403). Dissatisfied reopens the ticket.",
        request=CallbackSerializer,
        responses={201: TicketCallbackSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def callback(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        data = self.validated_input(CallbackSerializer)
        callback = services.ticket_callback(ticket=ticket, by=request.user, **data)
        return Response(TicketCallbackSerializer(callback).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reopen a closed ticket",
        request=ReopenSerializer,
        responses={200: TicketSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        data = self.validated_input(ReopenSerializer)
        return self.respond_with(
            services.ticket_reopen(ticket=ticket, by=request.user, reason=data["reason"])
        )

    @extend_schema(
        summary="Return to the platform (退单)",
        request=ReasonSerializer,
        responses={200: TicketSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        data = self.validated_input(ReasonSerializer)
        return self.respond_with(
            services.ticket_return(ticket=ticket, reason=data["reason"], by=request.user)
        )

    @extend_schema(
        summary="Request an extension (延期)",
        request=ExtendSerializer,
        responses={201: TicketExtensionSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        data = self.validated_input(ExtendSerializer)
        extension = services.extension_request(ticket=ticket, by=request.user, **data)
        return Response(TicketExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve or reject the pending extension",
        request=DecideSerializer,
        responses={200: TicketExtensionSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="approve-extension")
    def approve_extension(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        data = self.validated_input(DecideSerializer)
        extension = TicketExtension.objects.pending().filter(ticket=ticket).first()
        if extension is None:
            return Response(
                {"detail": _("This ticket has no extension awaiting approval."), "state": None},
                status=status.HTTP_409_CONFLICT,
            )
        extension = services.extension_decide(
            extension=extension, approve=data["approve"], by=request.user
        )
        return Response(TicketExtensionSerializer(extension).data)

    @extend_schema(
        summary="Show the citizen's name and phone (audited)",
        request=None,
        responses={200: RevealSerializer},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        shown = services.reveal_phone(ticket=ticket, user=request.user, ip=client_ip(request))
        return not_kept(Response(shown))

    @extend_schema(
        summary="The clerk's queue",
        description="Open tickets by urgency (overdue, due today, due soon, the rest) with "
        "counts per state; keyset-paginated with ``after`` (the ``next_after`` of the "
        "previous page).",
        parameters=[
            OpenApiParameter("after", OpenApiTypes.STR, description="next_due,id"),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def queue(self, request: Request) -> Response:
        base = self.filter_queryset(Ticket.objects.visible_to(request.user))
        counts = base.state_counts()
        size = _page_size(request.query_params.get("page_size"))
        rows = list(
            queue_after(base.for_list().queue(), request.query_params.get("after"))[: size + 1]
        )
        more = len(rows) > size
        rows = rows[:size]
        data = TicketSerializer(rows, many=True, context=self.get_serializer_context()).data
        last = rows[-1] if rows else None
        return Response(
            {
                "counts": counts,
                "results": data,
                "next_after": f"{last.next_due.isoformat()},{last.pk}" if more and last else None,
            }
        )

    def filter_queryset(self, queryset: Any) -> Any:
        if self.action == "queue":
            # the queue has its own order; keep the filters, not the ordering backend
            backend = self.filter_backends[0]()
            return backend.filter_queryset(self.request, queryset, self)
        return super().filter_queryset(queryset)

    @extend_schema(
        summary="Import the 12345 platform's export (CSV/XLSX)",
        description="All or nothing; ``?dry_run=1`` previews. Errors are listed by row (400).",
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL)],
        request={"multipart/form-data": ImportSerializer},
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_(self, request: Request) -> Response:
        return self._imported(request, services.tickets_import)

    def _imported(self, request: Request, run: Callable[..., Any]) -> Response:
        """An import action: the uploaded file through ``run`` (all or nothing,
        ``?dry_run=1`` previews); 200 with its report, 400 with its row errors."""
        data = self.validated_input(ImportSerializer)
        report = run(upload=data["file"], by=request.user, dry_run=_dry_run(request))
        code = status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST
        return Response(report.as_dict(), status=code)

    @extend_schema(
        summary="Import the 12345 platform's supervision notices (督办, 催办)",
        description="By platform number, tickets of your scope only; all or nothing; "
        "``?dry_run=1`` previews. Errors are listed by row and column (400).",
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL)],
        request={"multipart/form-data": ImportSerializer},
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import-supervisions",
        url_name="import-supervisions",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_supervisions(self, request: Request) -> Response:
        return self._imported(request, services.supervisions_import)

    @extend_schema(
        summary="Import the 12345 platform's callback results",
        description="By platform number, tickets of your scope only; each is kept beside "
        "the brigade's callback and a disagreement flagged (``callback_mismatch``). All or "
        "nothing; ``?dry_run=1`` previews; errors by row and column (400).",
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL)],
        request={"multipart/form-data": ImportSerializer},
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import-platform-callbacks",
        url_name="import-platform-callbacks",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_platform_callbacks(self, request: Request) -> Response:
        return self._imported(request, services.platform_callbacks_import)


def _dry_run(request: Request) -> bool:
    return request.query_params.get("dry_run", "").lower() in {"1", "true", "yes"}


class PlatformExportViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Exports of the brigade's actions for the 12345 platform: the desk lists them,
    makes the next one (``POST``) and downloads each file; a unit's clerk sees and
    exports the unit's, someone who sees the whole brigade every unit's."""

    serializer_class = PlatformExportSerializer
    permission_classes = [RolePermission]
    pagination_class = PageSizePagination
    schema = ScopedAutoSchema()
    read_roles = DESK
    write_roles = DESK

    def get_queryset(self) -> Any:
        return PlatformExport.objects.visible_to(self.request.user).select_related("by", "unit")

    @extend_schema(
        summary="Make the next export",
        description="Takes every action of your scope done up to the end of ``until`` "
        "(default today) that no export has taken yet; possibly none.",
        request=PlatformExportCreateSerializer,
        responses={201: PlatformExportSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = PlatformExportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        export = services.platform_export(
            by=request.user, until=serializer.validated_data.get("until")
        )
        export = self.get_queryset().get(pk=export.pk)
        data = self.get_serializer(export).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download the export's file",
        parameters=[OpenApiParameter("as", OpenApiTypes.STR, enum=["xlsx", "csv"])],
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY, (200, "text/csv"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        return platform_download(self.get_object(), request.query_params.get("as", "xlsx"))


def _page_size(raw: str | None) -> int:
    """The rows asked for, at most QUEUE_MAX; not a whole number of at least 1: 400."""
    if not raw:
        return QUEUE_PAGE
    return min(positive_count("page_size", raw), QUEUE_MAX)


def queue_after(queryset: TicketQuerySet, after: str | None) -> TicketQuerySet:
    """Keyset pagination of the queue: the rows after ``next_due,id`` (no OFFSET)."""
    if not after:
        return queryset
    try:
        day_text, pk_text = after.split(",", 1)
        day, pk = dt.date.fromisoformat(day_text), int(pk_text)
    except ValueError as exc:
        raise serializers.ValidationError({"after": [_("Not a position in the queue.")]}) from exc
    return queryset.queue_after(day, pk)


class ConsultationViewSet(ScopedModelViewSet):
    """Questions answered by phone or in person; anyone on duty logs one."""

    serializer_class = ConsultationSerializer
    filterset_class = ConsultationFilterSet
    ordering_fields = ["at"]
    write_roles = EVERYONE
    action_roles = {"destroy": STAFF}
    related = ("unit", "answered_by")

    def perform_create(self, serializer: serializers.BaseSerializer[Consultation]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.consultation_log(
            at=data.pop("at", None) or timezone.now(), **data
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Consultation]) -> None:
        consultation = serializer.instance
        assert consultation is not None  # an update has its record
        serializer.instance = services.consultation_update(
            consultation=consultation, **serializer.validated_data
        )


class ProposalViewSet(ScopedModelViewSet):
    """Legislators' proposals and how each was answered."""

    serializer_class = ProposalSerializer
    filterset_class = ProposalFilterSet
    ordering_fields = ["received_on", "replied_at"]
    write_roles = DESK
    action_roles = {"destroy": ADMIN_ONLY}
    related = ("unit", "handler")

    def perform_create(self, serializer: serializers.BaseSerializer[Proposal]) -> None:
        serializer.instance = services.proposal_save(**serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Proposal]) -> None:
        serializer.instance = services.proposal_save(
            proposal=serializer.instance, **serializer.validated_data
        )

    @extend_schema(
        summary="Record the answer",
        request=ProposalAnswerSerializer,
        responses={200: ProposalSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        data = self.validated_input(ProposalAnswerSerializer)
        return self.respond_with(services.proposal_answer(proposal=proposal, **data))
