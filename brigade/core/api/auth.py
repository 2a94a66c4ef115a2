"""Sign-in and sign-out for API clients (a token for a username and password, revoked on
request) and the API's docs page."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.utils.translation import gettext_lazy as _
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brigade.core.api.exceptions import LockedOut
from brigade.core.api.mixins import VALIDATION_ERROR, DetailSerializer
from brigade.core.tokens import TokenAuthentication, issue_token


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)  # the user model's own limit
    password = serializers.CharField(
        max_length=4096, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class TokenView(APIView):
    """Exchange a username and password for an API token (header ``Authorization: Token
    <token>``), or revoke the token sent. Each sign-in gets a token of its own, which
    expires after ``API_TOKEN_IDLE_HOURS`` without use. Repeated failures lock the username
    out from the client's address, as on the sign-in page."""

    # authenticate(request=...) is what lets django-axes count failures and refuse
    # a locked-out username.

    def _revoking(self) -> bool:
        # the request may not be set yet: the schema generator builds its own
        return getattr(getattr(self, "request", None), "method", None) == "DELETE"

    def get_authenticators(self) -> list[BaseAuthentication]:
        if self._revoking():
            return [TokenAuthentication()]  # the token to revoke is the one sent
        return []  # the credentials are in the body

    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated()] if self._revoking() else [AllowAny()]

    @extend_schema(
        operation_id="auth_token",
        description="Exchange a username and password for a new API token, sent as "
        "``Authorization: Token <token>``. Each sign-in gets a token of its own, which expires "
        "after API_TOKEN_IDLE_HOURS (default 12) without use; a password change or the "
        "user's deactivation revokes all of them. Repeated failures lock the username out "
        "from the client's address (429, Retry-After).",
        tags=["auth"],
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: VALIDATION_ERROR,
            429: OpenApiResponse(
                DetailSerializer, description="Locked out after repeated failures."
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        credentials = TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request=request, **credentials.validated_data)
        if user is None:
            if getattr(request, "axes_locked_out", False):
                from axes.helpers import get_cool_off

                cool_off = get_cool_off(request)
                raise LockedOut(retry_after=int(cool_off.total_seconds()) if cool_off else None)
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to sign in with this username and password.")]}
            )
        # As a page sign-in does: last_login, and axes clears the failures counted so far.
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response({"token": issue_token(user)})

    @extend_schema(
        operation_id="auth_token_revoke",
        description="Revoke the token sent in ``Authorization: Token <token>`` (a sign-out): "
        "it answers 401 from then on. The user's other tokens stay valid.",
        tags=["auth"],
        request=None,
        responses={
            204: OpenApiResponse(description="The token sent is revoked."),
            401: OpenApiResponse(DetailSerializer, description="No valid token was sent."),
        },
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, AuthToken):
            raise NotAuthenticated()  # signed in some other way: no token to revoke
        request.auth.delete()
        user_logged_out.send(sender=type(request.user), request=request, user=request.user)
        return Response(status=204)


class SwaggerView(LoginRequiredMixin, SpectacularSwaggerView):
    """Swagger UI from this server's static files (drf-spectacular-sidecar), no CDN;
    and no online validator badge, which would send the schema's address outside.

    For signed-in users only (the schema it loads needs a sign-in too): anyone else is
    sent to the sign-in page. Its inline script and style carry the answer's
    Content-Security-Policy nonce (templates/api/docs.html)."""

    template_name = "api/docs.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        ui_settings = spectacular_settings.SWAGGER_UI_SETTINGS
        if isinstance(ui_settings, dict):
            response.data["settings"] = json.dumps({**ui_settings, "validatorUrl": None})
        return response
