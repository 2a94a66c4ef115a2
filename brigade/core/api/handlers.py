"""Django's error views (handler400/403/404/500 in brigade/urls.py), answering in JSON
under the API's prefixes.

DRF's exception handler covers errors raised inside an API view; these cover the rest:
a URL under /api/ that matches no route (``/api/v1/hazards/hazards/1.5/``), a request
Django refuses before any view runs, and an unhandled exception. A client of the API
then always reads ``{"detail": ...}`` as the schema says, never an HTML page; a client of
the Open311 endpoint (/open311/) reads GeoReport's error list, in XML under a ``.xml``
path (``open311_error``).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions

from brigade.core.params import BadParameter

OPEN311_PREFIX = "/open311/"
API_PREFIXES = ("/api/", OPEN311_PREFIX)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


def is_open311(request: HttpRequest) -> bool:
    return request.path.startswith(OPEN311_PREFIX)


def open311_error(request: HttpRequest, status: int, description: str) -> HttpResponse:
    """GeoReport v2's error list, ``[{"code": 413, "description": "..."}]``, or under a
    ``.xml`` path ``<errors><error><code/><description/></error></errors>``: the shape
    the Open311 views answer in (petitions/api/open311.py), for a refusal made before
    one of them ran."""
    if request.path.endswith(".xml"):
        root = Element("errors")
        error = SubElement(root, "error")
        SubElement(error, "code").text = str(status)
        SubElement(error, "description").text = description
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="unicode")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse([{"code": status, "description": description}], status=status, safe=False)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a parameter that is not what it must be (``BadParameter``) is named with its
    message, as the API's field messages are; any other refusal says the request was
    malformed."""
    if isinstance(exception, BadParameter):
        if is_open311(request):
            return open311_error(request, 400, f"{exception.name}: {exception.message}")
        if is_api(request):
            return JsonResponse({exception.name: [exception.message]}, status=400)
        return render(request, "400.html", {"message": exception.message}, status=400)
    if is_open311(request):
        return open311_error(request, 400, str(exceptions.ParseError.default_detail))
    if is_api(request):
        return JsonResponse({"detail": str(exceptions.ParseError.default_detail)}, status=400)
    return render(request, "400.html", {"message": ""}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_open311(request):
        return open311_error(request, 403, str(exceptions.PermissionDenied.default_detail))
    if is_api(request):
        return JsonResponse({"detail": str(exceptions.PermissionDenied.default_detail)}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_open311(request):
        return open311_error(request, 404, str(exceptions.NotFound.default_detail))
    if is_api(request):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_open311(request):
        return open311_error(request, 500, _("Server error"))
    if is_api(request):
        return JsonResponse({"detail": _("Server error")}, status=500)
    return defaults.server_error(request)
