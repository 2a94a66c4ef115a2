"""Django's error views (handler400/403/404/500 in brigade/urls.py), answering in JSON
under the API's prefixes.

DRF's exception handler covers errors raised inside an API view; these cover the rest:
a URL under /api/ that matches no route (``/api/v1/hazards/hazards/1.5/``), a request
Django refuses before any view runs, and an unhandled exception. A client of the API
then always reads ``{"detail": ...}`` as the schema says, never an HTML page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions

from brigade.core.params import BadParameter

API_PREFIXES = ("/api/", "/open311/")


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a parameter that is not what it must be (``BadParameter``) is named with its
    message, as the API's field messages are; any other refusal says the request was
    malformed."""
    if isinstance(exception, BadParameter):
        if request.path.startswith("/open311/"):
            # GeoReport's error shape (petitions/api/open311.py)
            description = f"{exception.name}: {exception.message}"
            return JsonResponse([{"code": 400, "description": description}], status=400, safe=False)
        if is_api(request):
            return JsonResponse({exception.name: [exception.message]}, status=400)
        return render(request, "400.html", {"message": exception.message}, status=400)
    if is_api(request):
        return JsonResponse({"detail": str(exceptions.ParseError.default_detail)}, status=400)
    return render(request, "400.html", {"message": ""}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": str(exceptions.PermissionDenied.default_detail)}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": _("Server error")}, status=500)
    return defaults.server_error(request)
