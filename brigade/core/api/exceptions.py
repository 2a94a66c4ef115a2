"""One mapping of errors to HTTP answers for every API view (settings.EXCEPTION_HANDLER).

The services raise Django's ``ValidationError`` (400, field messages),
``TransitionNotAllowed`` (409, with the state the record is in), ``PermissionDenied`` (403,
with the service's reason), ``StaleVersion`` (412) and ``VersionRequired`` (428); DRF's own
exceptions keep DRF's answers. Every body has either field keys or ``detail``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from brigade.core.errors import StaleVersion, TransitionNotAllowed, VersionRequired
from brigade.core.params import BadParameter

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PreconditionFailed(exceptions.APIException):
    """The client's ``If-Match`` names a version of the record that is no longer current."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("This record has been changed since you loaded it. Reload it and try again.")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    """A write that must name the version it was decided on (an approval) names none."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Send the ETag you read as If-Match.")
    default_code = "precondition_required"


class LockedOut(exceptions.APIException):
    """Too many failed sign-ins for this username from this address (django-axes)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _(
        "Too many failed sign-in attempts: this account is locked for now. "
        "Try again later or ask an administrator to unlock it."
    )
    default_code = "locked_out"

    def __init__(
        self, detail: StrOrPromise | None = None, *, retry_after: int | None = None
    ) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def validation_messages(exc: DjangoValidationError) -> dict[str, list[str]]:
    """Django's error structure as DRF's: field → messages, ``__all__`` → non_field_errors."""
    if hasattr(exc, "error_dict"):
        messages = exc.message_dict
    else:
        messages = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    if "__all__" in messages:
        messages[api_settings.NON_FIELD_ERRORS_KEY] = messages.pop("__all__")
    return messages


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, TransitionNotAllowed):
        return Response(
            {"detail": exc.message, "state": exc.state}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, ProtectedError | RestrictedError):
        # PROTECT foreign keys: the record is still referenced (a unit with officers...).
        return Response(
            {"detail": _("This record is in use by other records and cannot be deleted.")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=validation_messages(exc))
    elif isinstance(exc, BadParameter):
        exc = exceptions.ValidationError(detail={exc.name: [exc.message]})
    elif isinstance(exc, StaleVersion):
        exc = PreconditionFailed(exc.message)
    elif isinstance(exc, VersionRequired):
        exc = PreconditionRequired(exc.message)
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        # a service's refusal says why (four eyes): keep its words
        exc = exceptions.PermissionDenied(str(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, LockedOut) and exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response
