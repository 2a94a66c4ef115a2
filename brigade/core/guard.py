"""What a request may carry, checked before any view reads it.

``RequestSizeMiddleware`` (first in ``MIDDLEWARE``): a body larger than the request may
carry is refused from its ``Content-Length``, before a byte of it is read: 413, in JSON
under the API's prefixes or when the client asks for JSON (GeoReport's error list under
/open311/), else as a page. The limit is
``MAX_REQUEST_BODY`` for a multipart upload (photos, documents, spreadsheets: sized from
the largest legitimate one) and ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for any other body (forms
and JSON carry no files). A body sent without a ``Content-Length`` (``Transfer-Encoding:
chunked``) with a write is refused with 411: Django reads such a body as empty, so the
request would otherwise run without what was sent.

``NulCharacterMiddleware``: a NUL character in a query parameter, a form field or a JSON
string is a 400 naming the parameter. No text a person types holds one, PostgreSQL cannot
store one (a 500 wherever such a value reached a query), and Django's and DRF's text
fields refuse it only where a form or a serializer reads the value; this is the one place
that covers every value, whichever way a view reads it. Uploaded files' content is not
text and is not looked at (imports check their cells: brigade/core/imports.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from brigade.core.api.handlers import is_api, is_open311, open311_error
from brigade.core.params import BadParameter

MIB = 1024 * 1024
NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

Middleware = Callable[[HttpRequest], HttpResponseBase]


def max_request_body() -> int:
    """The largest body a multipart upload may have (``MAX_REQUEST_BODY``)."""
    return int(settings.MAX_REQUEST_BODY)


def body_limit(request: HttpRequest) -> int | None:
    """The largest body this request may carry: an upload's, or a form's or JSON's."""
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        return max_request_body()
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return None if limit is None else int(limit)


def _wants_json(request: HttpRequest) -> bool:
    if is_api(request):
        return True
    preferred = request.get_preferred_type(["text/html", "application/json"])
    return preferred == "application/json"


def refusal(request: HttpRequest, status: int, heading: str, message: str) -> HttpResponse:
    """The refusal of a request no view will see, in the client's language and format
    (GeoReport's error list under /open311/)."""
    if is_open311(request):
        return open311_error(request, status, message)
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "400.html", {"heading": heading, "message": message}, status=status)


def _megabytes(size: int) -> str:
    return f"{size / MIB:.1f}".removesuffix(".0")


class RequestSizeMiddleware:
    """413 from the ``Content-Length`` of a body over the limit; 411 for a body without
    one. Runs before anything reads the body (first in ``MIDDLEWARE``)."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        refused = self.refused(request)
        return refused if refused is not None else self.get_response(request)

    def refused(self, request: HttpRequest) -> HttpResponse | None:
        raw = request.META.get("CONTENT_LENGTH") or ""
        if not raw:
            chunked = request.META.get("HTTP_TRANSFER_ENCODING", "").strip()
            if chunked and request.method not in ("GET", "HEAD", "OPTIONS"):
                with translation.override(translation.get_language_from_request(request)):
                    return refusal(
                        request,
                        411,
                        _("Length required"),
                        _("Send the request body with a Content-Length header."),
                    )
            return None
        limit = body_limit(request)
        length = int(raw) if raw.isascii() and raw.isdigit() else None
        if length is not None and (limit is None or length <= limit):
            return None
        with translation.override(translation.get_language_from_request(request)):
            if length is None:
                return refusal(
                    request, 400, _("Bad request"), _("The Content-Length header is not a number.")
                )
            assert limit is not None
            return refusal(
                request,
                413,
                _("Too large"),
                _("The request is %(size)s MB; at most %(limit)s MB can be sent at once.")
                % {"size": _megabytes(length), "limit": _megabytes(limit)},
            )


# --- NUL characters ---------------------------------------------------------------------------


def _nul_in_json(value: Any, top: str | None = None) -> str | None:
    """The top-level field whose value (or key) holds a NUL, walked without recursion."""
    pending: list[tuple[Any, str | None]] = [(value, top)]
    while pending:
        item, name = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return name or "non_field_errors"
        elif isinstance(item, dict):
            for key, child in item.items():
                field = name or str(key)
                if NUL in str(key):
                    return field.replace(NUL, "")
                pending.append((child, field))
        elif isinstance(item, list):
            pending.extend((child, name) for child in item)
    return None


def _form_fields(request: HttpRequest) -> Iterator[tuple[str, str]]:
    yield from ((key, value) for key, values in request.GET.lists() for value in [key, *values])
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith(FORM_TYPES):
        # multipart: the text fields; the files' content is not text
        yield from ((key, v) for key, values in request.POST.lists() for v in [key, *values])
        for key, uploads in request.FILES.lists():
            yield from ((key, upload.name or "") for upload in uploads)


def nul_field(request: HttpRequest) -> str | None:
    """The name of the first parameter or field that holds a NUL character, if any."""
    for name, value in _form_fields(request):
        if NUL in value:
            return name.replace(NUL, "")
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method not in ("GET", "HEAD", "OPTIONS") and "json" in content_type:
        try:
            body = request.body  # within DATA_UPLOAD_MAX_MEMORY_SIZE (RequestSizeMiddleware)
        except RawPostDataException:
            return None  # read as a stream already: its parser checks its fields
        if b"\\u0000" not in body:  # JSON writes a NUL in a string only so
            return None
        try:
            return _nul_in_json(json.loads(body))
        except (ValueError, RecursionError):
            return None  # not JSON: the view's parser says so
    return None


class NulCharacterMiddleware:
    """400 naming the first parameter or field that holds a NUL character."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        name = nul_field(request)
        if name is not None:
            raise BadParameter(
                name,
                _("“%(name)s” contains a NUL character, which no text may hold.")
                % {"name": name or "?"},
            )
        return self.get_response(request)
