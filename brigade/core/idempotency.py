"""Safe repetition of writes: a request sent again with the same ``Idempotency-Key``
gets the first answer again and writes nothing.

A phone on a weak connection resends a request whose answer it never received; a clerk
double-clicks a button. Every state-changing request (POST, PUT, PATCH, DELETE) from the
pages and the API may carry a key, as the ``Idempotency-Key`` header or, from a plain page
form, as the hidden field ``idempotency_key`` (brigade/static/brigade/app.js adds one to
every form a page renders and sends it as the header from htmx):

- the first request with a key runs and its answer is kept for 24 hours, per user;
- a repeat (same user, key, method, path and body) gets that answer back, with
  ``Idempotent-Replayed: true``, and the view does not run;
- the same key with another method, path or body answers 422 and writes nothing;
- a repeat that arrives while the first still runs waits for it (up to
  ``IDEMPOTENCY_WAIT_SECONDS``) and then answers as above; past that, 409 with
  ``Retry-After``;
- a key that is not 1 to 255 characters of visible ASCII answers 400.

One mechanism for pages and API: this middleware. It finds the user the way the view
will: DRF authenticates inside the view, so for a request that carries credentials of
the API's authenticators (``Authorization: Token ...``) the middleware asks those same
authenticators (``REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES']`` less the session one);
otherwise it takes the session's user. Its work is in ``process_view``, after
``CsrfViewMiddleware`` has passed the request; for views exempt from Django's CSRF check
(DRF's), a session user's request must pass DRF's check first, as in the view. A request
with no user (anonymous, a sign-in form) is never stored: the view answers it as usual.

What is kept: a fingerprint of the request (method, path with query string, a hash of
the body; for multipart, the hash of the raw body with its boundary taken out, since a
browser picks a new boundary each time it sends the same form), the status, the headers
that make the answer (Content-Type, Content-Language, Location, ETag, htmx's HX-*) and the
body. Only answers that are the outcome of the request are kept: 2xx, 3xx (a page's
redirect after a write) and 4xx, including 409 (not allowed from the record's state: the
outcome of that request, which would be the same again) and 412 (a stale ``If-Match``
stays stale). Not kept, so that a retry runs again: 5xx, 408, 425 and 429, an
exception, and an answer a view marks with ``not_kept`` (a citizen's phone number, shown
on request and audited each time, is not stored here). An answer larger than
``IDEMPOTENCY_MAX_RESPONSE_BYTES`` (or streamed) is not kept either, but the key is: a
repeat answers 409 saying the request was carried out, with the first answer's
``Location`` if it had one, so that nothing is written twice.

Keys older than 24 hours are ignored (the request runs as a new one) and deleted by
``prune_idempotency_keys_task`` (hourly, beat) or ``manage.py prune_idempotency_keys``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brigade.core.typing import User

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
REPLAYED = "Idempotent-Replayed"
REFUSED = "Idempotency-Refused"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
TTL = dt.timedelta(hours=24)
# Answers that say what became of the request; the others (5xx, timeouts, throttling) are
# not kept, so that a retry with the same key runs again.
NOT_FINAL = frozenset({408, 425, 429})
KEPT_HEADERS = ("Content-Type", "Content-Language", "Location", "ETag")
# Views whose answer changes the client's cookies (session, language) or hands out a
# secret (a token): never kept nor replayed.
EXEMPT_URL_NAMES = frozenset({"login", "logout", "set_language", "api-token"})
API_PREFIXES = ("/api/", "/open311/")
AnyResponse = TypeVar("AnyResponse", bound=HttpResponseBase)
AnyView = TypeVar("AnyView", bound=Callable[..., object])


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


class IdempotencyKey(models.Model):
    """One user's ``Idempotency-Key`` and the answer its first request got (24 hours)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # empty while the first request runs
    completed_at = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    headers = models.JSONField(default=list, blank=True)
    body = models.BinaryField(null=True, blank=True)
    # the answer was too large (or streamed) to keep: a repeat is told so (409)
    body_kept = models.BooleanField(default=True)

    class Meta:
        verbose_name = gettext_lazy("idempotency key")
        verbose_name_plural = gettext_lazy("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


# --- the request ----------------------------------------------------------------------------


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


def _parsed_digest(request: HttpRequest) -> str:
    """SHA-256 of a form already parsed from its stream: its fields and files' bytes."""
    digest = hashlib.sha256()
    for name, values in sorted(request.POST.lists()):
        digest.update(repr((name, values)).encode("utf-8", "surrogateescape"))
    for name, files in sorted(request.FILES.lists()):
        for upload in files:
            digest.update(repr((name, upload.name, upload.size)).encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def read_body_early(request: HttpRequest) -> None:
    """Read a write's body before anything parses it as a form (Django's CSRF check reads
    ``request.POST``, after which a multipart body can no longer be read whole)."""
    if request.method not in UNSAFE_METHODS:
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if length > 0 and (limit is None or length <= limit):
        with contextlib.suppress(RawPostDataException, RequestDataTooBig, OSError):
            request.body  # noqa: B018 (cached on the request)


def body_digest(request: HttpRequest) -> str:
    """SHA-256 of the body; of a multipart body without its boundary (a browser draws a
    new one for each send of the same form)."""
    try:
        body = request.body
    except (RawPostDataException, RequestDataTooBig):
        return _parsed_digest(request)
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/"):
        match = re.search(r"boundary=\"?([^\";,]+)", content_type)
        if match:
            body = body.replace(match.group(1).encode("latin-1", "replace"), b"")
    return hashlib.sha256(body).hexdigest()


def fingerprint(request: HttpRequest) -> str:
    """What makes two requests the same request: method, path with query, body."""
    text = "\n".join([request.method or "", request.get_full_path(), body_digest(request)])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def requested_key(request: HttpRequest) -> str | None:
    """The key the request carries (header first, then a page form's hidden field)."""
    key = request.headers.get(HEADER)
    if key is None and request.META.get("CONTENT_TYPE", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        key = request.POST.get(FIELD)
    return key


def _token_user(request: HttpRequest) -> User | None:
    """The user DRF's non-session authenticators find in the request (None if none)."""
    from rest_framework.authentication import BaseAuthentication, SessionAuthentication
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    if "HTTP_AUTHORIZATION" not in request.META:
        return None
    drf_request = Request(request)
    # settings hold the imported classes, typed as their dotted paths
    configured = api_settings.DEFAULT_AUTHENTICATION_CLASSES
    authenticators: list[type[BaseAuthentication]] = list(configured)  # type: ignore[arg-type]
    for authenticator_class in authenticators:
        if issubclass(authenticator_class, SessionAuthentication):
            continue
        try:
            found = authenticator_class().authenticate(drf_request)
        except APIException:
            return None
        if found is not None:
            return found[0]
    return None


def _session_user(request: HttpRequest, view_func: Callable[..., object]) -> User | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if getattr(view_func, "csrf_exempt", False):
        # DRF's views skip Django's CSRF check and run their own for session users: a
        # replay must not answer a request that check would refuse.
        from rest_framework.authentication import SessionAuthentication
        from rest_framework.exceptions import PermissionDenied

        try:
            # it reads only what the HttpRequest has (cookie, header, form field)
            SessionAuthentication().enforce_csrf(request)  # type: ignore[arg-type]
        except PermissionDenied:
            return None
    return user


# --- the answers ----------------------------------------------------------------------------


def refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """400/409/422 of the key itself: JSON ``{"detail"}`` for the API; for a page, the
    message on a page (or, from htmx, above the page's content)."""
    if _is_api(request):
        response: HttpResponse = JsonResponse({"detail": message}, status=status)
    elif request.headers.get("HX-Request") == "true":
        response = render(
            request, "brigade/partials/idempotency_refused.html", {"message": message}
        )
        response.status_code = status
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "afterbegin"
    else:
        response = render(
            request, "brigade/idempotency_refused.html", {"message": message}, status=status
        )
    response[REFUSED] = "true"
    return response


def replay(request: HttpRequest, row: IdempotencyKey) -> HttpResponse:
    """The first answer again."""
    if not row.body_kept:
        response = refusal(
            request,
            _(
                "This request was already carried out; its answer is too large to repeat. "
                "Reload the record to see it."
            ),
            409,
        )
        for name, value in row.headers:
            if name == "Location":
                response[name] = value
        return response
    response = HttpResponse(bytes(row.body or b""), status=row.status_code or 200)
    for name, value in row.headers:
        response[name] = value
    response[REPLAYED] = "true"
    return response


def _kept_headers(response: HttpResponseBase) -> list[list[str]]:
    return [
        [name, value]
        for name, value in response.headers.items()
        if name in KEPT_HEADERS or name.upper().startswith("HX-")
    ]


# --- the store ------------------------------------------------------------------------------


def _claim(*, user: User, key: str, request: HttpRequest, print_: str) -> IdempotencyKey | None:
    """Insert the key as "running"; None if the user already has it."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user=user,
                key=key,
                fingerprint=print_,
                method=request.method or "",
                path=request.get_full_path()[:2000],
            )
    except IntegrityError:
        return None


def _stale(row: IdempotencyKey, now: dt.datetime) -> bool:
    """Expired, or left running by a process that died."""
    if row.created_at <= now - TTL:
        return True
    running_for = dt.timedelta(seconds=_setting("IDEMPOTENCY_LOCK_SECONDS", 120))
    return row.completed_at is None and row.created_at <= now - running_for


def begin(request: HttpRequest, *, user: User, key: str) -> IdempotencyKey | HttpResponse:
    """Claim ``key`` for this request (the row to complete), or the answer to give now:
    the first answer, 422 for another request under the key, 409 while it still runs."""
    print_ = fingerprint(request)
    deadline = time.monotonic() + _setting("IDEMPOTENCY_WAIT_SECONDS", 10)
    pause = 0.02
    while True:
        claimed = _claim(user=user, key=key, request=request, print_=print_)
        if claimed is not None:
            return claimed
        row = IdempotencyKey.objects.filter(user=user, key=key).first()
        if row is None:  # deleted meanwhile (expired, or its request failed): claim again
            continue
        if _stale(row, timezone.now()):
            IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).delete()
            continue
        if row.fingerprint != print_:
            return refusal(
                request,
                _(
                    "This Idempotency-Key was already used for a different request "
                    "(%(method)s %(path)s, or another body). Use a new key for a new request."
                )
                % {"method": row.method, "path": row.path},
                422,
            )
        if row.completed_at is not None:
            return replay(request, row)
        if time.monotonic() >= deadline:
            response = refusal(
                request,
                _("The same request is still being carried out. Try again in a moment."),
                409,
            )
            response["Retry-After"] = "1"
            return response
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def not_kept(response: AnyResponse) -> AnyResponse:
    """Mark an answer that must not be stored (personal data shown on request, audited
    each time): its key is given up, and a repeat runs again."""
    response.idempotency_not_kept = True  # type: ignore[attr-defined]
    return response


def finish(row: IdempotencyKey, response: HttpResponseBase) -> None:
    """Keep the answer under the key, or give the key up if the answer is no outcome."""
    status = response.status_code
    not_final = status >= 500 or status < 200 or status in NOT_FINAL
    if not_final or getattr(response, "idempotency_not_kept", False):
        IdempotencyKey.objects.filter(pk=row.pk).delete()
        return
    limit = _setting("IDEMPOTENCY_MAX_RESPONSE_BYTES", 1024 * 1024)
    body: bytes | None = None
    if not response.streaming:
        body = response.content  # type: ignore[attr-defined]
    kept = body is not None and len(body) <= limit
    IdempotencyKey.objects.filter(pk=row.pk).update(
        completed_at=timezone.now(),
        status_code=status,
        headers=_kept_headers(response),
        body=body if kept else None,
        body_kept=kept,
    )


def abandon(row: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=row.pk).delete()


def prune(*, now: dt.datetime | None = None) -> int:
    """Delete keys older than 24 hours; returns how many."""
    now = now or timezone.now()
    deleted, _counts = IdempotencyKey.objects.filter(created_at__lte=now - TTL).delete()
    return deleted


# --- the middleware -------------------------------------------------------------------------


class IdempotencyMiddleware:
    """Honours ``Idempotency-Key`` on every write of the pages and the API (see above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        read_body_early(request)
        try:
            response = self.get_response(request)
        except BaseException:
            row = getattr(request, "_idempotency_row", None)
            if row is not None:
                abandon(row)
            raise
        row = getattr(request, "_idempotency_row", None)
        if row is not None:
            finish(row, response)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., object],
        view_args: Sequence[object],
        view_kwargs: Mapping[str, object],
    ) -> HttpResponseBase | None:
        if request.method not in UNSAFE_METHODS:
            return None
        match = request.resolver_match
        if getattr(view_func, "idempotency_exempt", False) or (
            match is not None and match.url_name in EXEMPT_URL_NAMES
        ):
            return None
        key = requested_key(request)
        if key is None:
            return None
        if not KEY_PATTERN.fullmatch(key):
            return refusal(
                request,
                _("An Idempotency-Key is 1 to 255 visible ASCII characters."),
                400,
            )
        user = _token_user(request) or _session_user(request, view_func)
        if user is None:
            return None
        outcome = begin(request, user=user, key=key)
        if isinstance(outcome, HttpResponse):
            return outcome
        request._idempotency_row = outcome  # type: ignore[attr-defined]
        return None


def idempotency_exempt(view: AnyView) -> AnyView:
    """Mark a view whose answers must never be replayed."""
    view.idempotency_exempt = True  # type: ignore[attr-defined]
    return view
