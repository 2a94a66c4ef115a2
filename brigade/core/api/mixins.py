"""What every API viewset of every app shares: roles, pagination,
If-Match/ETag, one transaction per write, and the documented error answers.

Another app's viewset is ``class HazardViewSet(ScopedModelViewSet)`` plus its serializer
(whose model gives the rows and their default order), filterset, the joins its rows need
(``related``, ``prefetch``) and the roles that differ from the default.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

from django.db import models, transaction
from django.db.models import Prefetch
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction, OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brigade.core.api.exceptions import PreconditionFailed
from brigade.core.permissions import RolePermission
from brigade.core.querysets import BrigadeWideQuerySet, ScopedQuerySet
from brigade.core.roles import EVERYONE, STAFF
from brigade.core.versions import names, version_of


def positive_count(name: str, raw: str) -> int:
    """A query parameter that counts rows: digits only, at least 1, else a 400 on ``name``
    (DRF's IntegerField would also take "12.0" or " 12")."""
    field = serializers.IntegerField(min_value=1)
    try:
        if not raw.isascii() or not raw.isdigit():
            field.fail("invalid")
        return int(field.run_validation(raw))
    except serializers.ValidationError as error:
        raise serializers.ValidationError({name: error.detail}) from error


class PageSizePagination(PageNumberPagination):
    """``count/next/previous/results``; a client may ask for up to 200 rows a page.

    A ``page_size`` that is not a positive whole number is a 400 (DRF would quietly use
    the default); a larger one than 200 gets 200 rows.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int | None:
        raw = request.query_params.get(self.page_size_query_param)
        if raw:  # empty: the default, as for every optional parameter
            positive_count(self.page_size_query_param, raw)
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_query_param, self.page_size_query_param):
                parameter["schema"]["minimum"] = 1
        return parameters


# --- ETag / If-Match ----------------------------------------------------------------------


def etag_of(obj: models.Model) -> str:
    """The record's version tag (``brigade.core.versions``), sent as ``ETag``."""
    return version_of(obj)


def if_match_fails(header: str, obj: models.Model) -> bool:
    """Does ``If-Match`` fail? ``*`` or any listed tag passes.

    Tags are compared weakly (RFC 9110 asks for strong comparison, but ours are all weak
    by design: they stand for the record's version).
    """
    tags = [t for t in header.split(",") if t.strip()]
    if any(t.strip() == "*" for t in tags):
        return False
    return not names(header, obj)


class ConditionalWriteMixin:
    """Detail reads send an ``ETag``; a write whose ``If-Match`` is stale answers 412.

    The check sits in ``get_object`` so that updates, deletes and every transition
    ``@action`` (which all load the object through it) are covered once; it runs after
    the scoping, so an out-of-scope record still answers 404.
    """

    request: Any  # the host view's: a Django view's HttpRequest, an API view's Request

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]
        header = self.request.headers.get("If-Match")
        if header and self.request.method not in SAFE_METHODS and if_match_fails(header, obj):
            raise PreconditionFailed()
        return obj

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(instance)  # type: ignore[attr-defined]
        return Response(serializer.data, headers={"ETag": etag_of(instance)})


# --- OpenAPI ------------------------------------------------------------------------------


class DetailSerializer(serializers.Serializer):
    """Body of 401/403/404/412/429 answers."""

    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    """Body of a 409: why, and the state the record is in."""

    detail = serializers.CharField()
    state = serializers.CharField(allow_null=True)


def _error(
    serializer: type[serializers.Serializer] | OpenApiTypes, description: str
) -> OpenApiResponse:
    return OpenApiResponse(response=serializer, description=description)


VALIDATION_ERROR = _error(
    OpenApiTypes.OBJECT,
    "Invalid input: field name → list of messages; messages not about one field are "
    "under non_field_errors.",
)
NOT_AUTHENTICATED = _error(DetailSerializer, "No or invalid credentials.")
FORBIDDEN = _error(DetailSerializer, "Your role does not allow this.")
NOT_FOUND = _error(DetailSerializer, "No such record in your scope.")
CONFLICT = _error(
    ConflictSerializer, "Not allowed from the record's current state (named in state)."
)
PRECONDITION_FAILED = _error(DetailSerializer, "If-Match is stale: the record has changed.")
PRECONDITION_REQUIRED = _error(
    DetailSerializer, "This write must name the version it was decided on (If-Match)."
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="ETag from an earlier read; if the record has changed since, 412.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description="Version of the record, for If-Match on a later write.",
)


class ScopedAutoSchema(AutoSchema):
    """Adds the error answers every brigade endpoint can give, and If-Match/ETag.

    An explicit ``@extend_schema(responses=...)`` wins for the codes it names.
    """

    def _is_detail(self) -> bool:
        return "{" in self.path

    def get_tags(self) -> list[str]:
        # "/api/v1/brigade/patrols/{id}/end/" → "brigade/patrols": one section per resource.
        parts = [p for p in self.path.strip("/").split("/") if p and not p.startswith("{")]
        if "v1" in parts and len(parts) > parts.index("v1") + 2:
            start = parts.index("v1") + 1
            return ["/".join(parts[start : start + 2])]
        return super().get_tags()

    def get_override_parameters(self) -> list[Any]:
        params = super().get_override_parameters()
        if self._is_detail():
            params = [*params, IF_MATCH if self.method not in SAFE_METHODS else ETAG]
        return params

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        errors: dict[str, OpenApiResponse] = {"401": NOT_AUTHENTICATED, "403": FORBIDDEN}
        if self._is_detail():
            errors["404"] = NOT_FOUND
        if self.method not in SAFE_METHODS:
            if self.method != "DELETE":
                errors["400"] = VALIDATION_ERROR
            if self._is_detail():
                errors["412"] = PRECONDITION_FAILED
        if self.method == "DELETE":
            errors["409"] = _error(ConflictSerializer, "The record is still referenced.")
        for code, error in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return dict(sorted(responses.items()))


# --- The base viewset ---------------------------------------------------------------------


def with_current_values(
    serializer: serializers.BaseSerializer, instance: models.Model, changes: dict[str, Any]
) -> dict[str, Any]:
    """A (partial) update's ``changes`` completed with the record's current values of the
    fields ``serializer`` both reads and writes (a many-to-many one as a list), for a
    service that takes the whole record."""
    current: dict[str, Any] = {}
    for field in serializer.fields.values():  # type: ignore[attr-defined]
        if field.read_only or field.write_only:
            continue
        value = getattr(instance, field.source)
        many = isinstance(field, serializers.ManyRelatedField)
        current[field.source] = list(value.all()) if many else value
    return {**current, **changes}


class ScopedModelViewSet(ConditionalWriteMixin, viewsets.ModelViewSet):
    """CRUD over a ``visible_to(user)`` queryset, with ``read_roles``/``write_roles``.

    Subclasses give ``get_queryset`` (scoped), ``serializer_class``, ``filterset_class``,
    ``ordering_fields`` and roles. Writes answer with the record as a list row shows it
    (re-read through ``get_queryset``, so annotations are there) and its new ETag.
    """

    permission_classes = [RolePermission]
    pagination_class = PageSizePagination
    schema = ScopedAutoSchema()
    # Unless a viewset names others: everyone reads, those who command write.
    read_roles: Collection[str] = EVERYONE
    write_roles: Collection[str] = STAFF
    # The rows: the serializer's model's that the user may see, ``related`` joined and
    # ``prefetch`` read along; a viewset whose rows need more extends ``get_queryset``.
    related: tuple[str, ...] = ()
    prefetch: tuple[str | Prefetch, ...] = ()

    @property
    def ordering(self) -> Sequence[str] | None:
        # Unless a viewset names another: its model's own order, given to the ordering
        # filter so that it holds where grouped (annotated) rows would drop it.
        return self._model()._meta.ordering

    def _model(self) -> type[models.Model]:
        return self.serializer_class.Meta.model  # type: ignore[union-attr]

    def get_queryset(self) -> Any:
        every = cast("ScopedQuerySet | BrigadeWideQuerySet", self._model()._default_manager.all())
        rows = every.visible_to(self.request.user)
        if self.related:
            rows = rows.select_related(*self.related)
        if self.prefetch:
            rows = rows.prefetch_related(*self.prefetch)
        return rows

    def respond_with(
        self, instance: models.Model, status_code: int = status.HTTP_200_OK
    ) -> Response:
        fresh = self.get_queryset().get(pk=instance.pk)
        data = self.get_output_serializer(fresh).data
        return Response(data, status=status_code, headers={"ETag": etag_of(fresh)})

    def validated_input(
        self, serializer_class: type[serializers.Serializer], **kwargs: Any
    ) -> dict[str, Any]:
        """The validated body of an action (400 with field messages if invalid)."""
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def get_output_serializer(self, instance: models.Model) -> serializers.BaseSerializer:
        return self.serializer_class(instance, context=self.get_serializer_context())  # type: ignore[misc]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self.respond_with(serializer.instance, status.HTTP_201_CREATED)  # type: ignore[arg-type]

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(
            instance, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self.respond_with(serializer.instance)  # type: ignore[arg-type]

    # One transaction per write: the row and its history row land together or not at all.
    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            super().perform_create(serializer)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            super().perform_update(serializer)

    def perform_destroy(self, instance: models.Model) -> None:
        with transaction.atomic():
            super().perform_destroy(instance)
