"""API of a person's own notices (``/api/v1/notifications/``): their list, unread first
then newest, filtered by ``unread`` and ``kind``; marking one read, or all of them. Every
role has notices; another person's notice answers 404, as a record out of scope does.
Repeating a mark (the same ``Idempotency-Key``, or none) changes nothing more."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from brigade.core.api.mixins import PageSizePagination, ScopedAutoSchema
from brigade.core.notices import inbox
from brigade.core.notices.filtersets import NoticeFilterSet
from brigade.core.notices.models import Notice
from brigade.core.permissions import RolePermission
from brigade.core.roles import EVERYONE


class NoticeItemSerializer(serializers.Serializer):
    """The record a notice is about: its type ("petitions.ticket") and id."""

    type = serializers.CharField(read_only=True)
    id = serializers.IntegerField(read_only=True)


class NoticeSerializer(serializers.ModelSerializer):
    item = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = (
            "id",
            "kind",
            "action",
            "title",
            "body",
            "url",
            "due",
            "level",
            "created_at",
            "read_at",
            "item",
        )
        read_only_fields = fields

    @extend_schema_field(NoticeItemSerializer(allow_null=True))
    def get_item(self, notice: Notice) -> dict[str, Any] | None:
        item_type = notice.item_type
        if item_type is None or notice.item_id is None:
            return None
        return {"type": f"{item_type.app_label}.{item_type.model}", "id": notice.item_id}


MarkedSerializer = inline_serializer("NoticesMarked", {"marked": serializers.IntegerField()})


class NoticeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in person's notices (nobody else's)."""

    serializer_class = NoticeSerializer
    filterset_class = NoticeFilterSet
    permission_classes = [RolePermission]
    read_roles = EVERYONE
    write_roles = EVERYONE
    pagination_class = PageSizePagination
    schema = ScopedAutoSchema()
    # the order is the inbox's (unread first, then newest): no client-chosen sort
    ordering_fields: list[str] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no person
            return Notice.objects.none()
        return inbox.notices_of(self.request.user)

    @extend_schema(summary="Mark one notice read (again: no change)", request=None)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notice = inbox.mark_read(self.get_object())
        return Response(self.get_serializer(notice).data)

    @extend_schema(
        summary="Mark every unread notice read; how many were",
        request=None,
        responses={200: MarkedSerializer},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": inbox.mark_all_read(request.user)})


router = SimpleRouter()
router.register("notifications", NoticeViewSet, basename="notification")

urlpatterns = [path("", include(router.urls))]
