"""``GET /favicon.ico``: the brigade's icon, where browsers and bookmarks ask for it without
reading the page (pages name theirs too: base.html's ``<link rel=icon>``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = Path(__file__).resolve().parent.parent / "static" / "brigade" / "favicon.ico"


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@cache_control(public=True, max_age=86400)
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_icon(), content_type="image/x-icon")
