"""Who may call the Open311 endpoint, and how often.

- Credentials: the API token, in the ``Authorization: Token`` header or as the spec's
  ``api_key`` (a query parameter, or a field of a POST), or a signed-in session.
- ``OPEN311_PUBLIC`` on: reads of the services and requests (``public_read`` views) need
  no credentials; an anonymous reader sees the whole brigade, without personal data
  (the answers never carry any: petitions/api/open311_redact.py). Discovery is public
  always. Off: every read needs a role, as in the ticket API. A POST always does.
- Anonymous reads are throttled per client address (the one rule of
  brigade/core/clientip.py, which believes ``X-Forwarded-For`` from ``TRUSTED_PROXIES``
  only): at most ``OPEN311_PUBLIC_RATE``; over it, 429.
- ``jurisdiction_id``, when sent, must be ``OPEN311_JURISDICTION``: another is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from brigade.core.clientip import client_ip
from brigade.core.permissions import RolePermission
from brigade.core.tokens import TokenAuthentication

if TYPE_CHECKING:
    from knox.models import AuthToken

    from brigade.core.typing import User


def is_public() -> bool:
    return bool(settings.OPEN311_PUBLIC)


def anonymous(request: Request) -> bool:
    return not (request.user and request.user.is_authenticated)


class ApiKeyAuthentication(TokenAuthentication):
    """The API token sent as the spec's ``api_key``: a query parameter (any call), or a
    field of a POST's body, as GeoReport clients send it."""

    def authenticate(self, request: Request) -> tuple[User, AuthToken] | None:
        key = request.query_params.get("api_key")
        if not key and request.method == "POST" and hasattr(request.data, "get"):
            key = request.data.get("api_key")
        if not key:
            return None
        return self.authenticate_credentials(str(key).encode())


class Open311Permission(RolePermission):
    """A read of a ``public_read`` view needs nothing while ``OPEN311_PUBLIC`` is on (a
    ``always_public`` view's, ever); anything else needs the view's roles."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            if getattr(view, "always_public", False):
                return True
            if getattr(view, "public_read", False) and is_public():
                return True
        return super().has_permission(request, view)


class PublicReadThrottle(SimpleRateThrottle):
    """``OPEN311_PUBLIC_RATE`` calls per client address, for calls without credentials."""

    scope = "open311_public"

    def get_rate(self) -> str:
        return str(settings.OPEN311_PUBLIC_RATE)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not anonymous(request):
            return None
        address = client_ip(request._request) or "unknown"
        return self.cache_format % {"scope": self.scope, "ident": address}


def check_jurisdiction(request: Request) -> None:
    """404 for a ``jurisdiction_id`` that is not this endpoint's."""
    given = request.query_params.get("jurisdiction_id")
    if given is None and request.method == "POST" and hasattr(request.data, "get"):
        given = request.data.get("jurisdiction_id")
    given = str(given or "").strip()
    if given and given != settings.OPEN311_JURISDICTION:
        raise exceptions.NotFound(
            _("Unknown jurisdiction_id “%(value)s”.") % {"value": given[:100]}
        )
