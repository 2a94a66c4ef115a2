"""Sign-in for API clients (a token for a username and password) and the API's docs page."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brigade.core.api.exceptions import LockedOut
from brigade.core.api.mixins import VALIDATION_ERROR, DetailSerializer


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class TokenView(APIView):
    """Exchange a username and password for an API token (header ``Authorization: Token
    <token>``). Repeated failures lock the username out, as on the sign-in page."""

    # authenticate(request=...) is what lets django-axes count failures and refuse
    # a locked-out username.

    authentication_classes: list[type[BaseAuthentication]] = []  # the credentials are in the body
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token",
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
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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
