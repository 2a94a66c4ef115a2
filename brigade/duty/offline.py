"""The officer's pages as an installable app that works in a dead zone.

- ``/manifest.webmanifest``: the web app manifest (name, colours, the duty page as start);
- ``/icons/app-<size>.png``: its icons, drawn here from the favicon's shapes with Pillow
  (no image file in the repository to keep in step; cached in memory per size);
- ``/sw.js``: the service worker, at the site's root so that its scope covers every page.
  It is built with Workbox (node_modules, served under /static/vendor/workbox/): the duty
  page's static files are precached, the officer's pages are network-first with the last
  copy loaded as the fallback offline.

The queue of actions taken offline lives in the page (brigade/static/brigade/offline.js,
IndexedDB): the service worker only serves the page and its files, so nothing is ever sent
twice by two senders.
"""

from __future__ import annotations

import hashlib
import io
import json
from functools import cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

THEME_COLOUR = "#0d6efd"
ICON_SIZES = (192, 512)
# What the duty page needs to open offline: precached by the service worker.
SHELL_FILES = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff",
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/idb-keyval/umd.js",
    "brigade/app.css",
    "brigade/app.js",
    "brigade/duty.js",
    "brigade/position.js",
    "brigade/offline.js",
    "brigade/favicon.svg",
)
WORKBOX_MODULES = ("core", "routing", "strategies", "precaching", "expiration")


@cache
def _icon(size: int) -> bytes:
    """The favicon's shield and tick on the brigade's blue, ``size`` pixels square; the
    shapes keep inside the middle 80% so the icon may be cut round (``maskable``)."""
    from PIL import Image, ImageDraw

    scale = size / 64
    image = Image.new("RGB", (size, size), THEME_COLOUR)
    draw = ImageDraw.Draw(image)

    def at(x: float, y: float) -> tuple[float, float]:
        # the 64-unit drawing, shrunk to 70% about the centre
        return (32 + (x - 32) * 0.7) * scale, (32 + (y - 32) * 0.7) * scale

    shield = [at(32, 8), at(12, 15), at(12, 30), at(18, 46), at(32, 56), at(46, 46), at(52, 30)]
    shield.append(at(52, 15))
    draw.polygon(shield, fill="#ffffff")
    draw.line([at(22, 32), at(29, 39), at(43, 25)], fill=THEME_COLOUR, width=round(4 * scale))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@cache_control(public=True, max_age=86400)
@require_safe
def app_icon(request: HttpRequest, size: int) -> HttpResponse:
    if size not in ICON_SIZES:
        raise Http404
    return HttpResponse(_icon(size), content_type="image/png")


@cache_control(no_cache=True)
@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installs the duty page on the phone's home screen."""
    icons = [
        {
            "src": reverse("brigade:app_icon", kwargs={"size": size}),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any maskable",
        }
        for size in ICON_SIZES
    ]
    icons.append({"src": static("brigade/favicon.svg"), "sizes": "any", "type": "image/svg+xml"})
    body = {
        "name": _("Brigade Ops duty"),
        "short_name": _("Duty"),
        "description": settings.BRIGADE_NAME,
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("brigade:duty"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": icons,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def _service_worker_source() -> str:
    shell = [static(name) for name in SHELL_FILES]
    # a new revision whenever a file's URL changes (hashed names in production) or the list
    revision = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:16]
    config = {
        "workbox": static("vendor/workbox/workbox-sw.js"),
        "modules": static("vendor/workbox/workbox-sw.js").rsplit("/", 1)[0] + "/",
        "precache": [{"url": url, "revision": revision} for url in shell],
        "pages": [reverse("brigade:duty"), "/hazards/", "/outreach/"],
        "login": reverse("login"),
        "debug": False,
    }
    return render_to_string("brigade/sw.js", {"config": json.dumps(config)})


@cache_control(no_cache=True)
@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: served from the root, so its scope is the whole site."""
    response = HttpResponse(_service_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response
