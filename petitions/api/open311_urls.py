"""Open311 GeoReport v2 routes, mounted at /open311/v2/ (namespace ``open311``): each with
the spec's ``.xml`` and ``.json`` suffixes (the ``format`` they answer in), and without one
(JSON unless the client's Accept header asks for XML). The ``.json`` route is listed last,
so that ``reverse`` names it."""

from django.urls import URLPattern, URLResolver, path, re_path
from django.views import View

from petitions.api import open311

app_name = "open311"


def _suffixed(
    route: str, view: type[View], name: str, plain: str | None = None
) -> list[URLPattern]:
    """``route``, ``route.xml`` and ``route.json``; ``plain``: the unsuffixed route as a
    regular expression, for a route whose last part is a value (which then holds no dot,
    so that ``<value>.json`` is the suffixed route)."""
    callback = view.as_view()
    return [
        re_path(plain, callback, name=name) if plain else path(route, callback, name=name),
        path(f"{route}.xml", callback, {"format": "xml"}, name=name),
        path(f"{route}.json", callback, {"format": "json"}, name=name),
    ]


urlpatterns: list[URLPattern | URLResolver] = [
    *_suffixed("discovery", open311.DiscoveryView, "discovery"),
    *_suffixed("services", open311.ServiceListView, "services"),
    *_suffixed(
        "services/<str:code>",
        open311.ServiceDefinitionView,
        "service",
        plain=r"^services/(?P<code>[^/.]+)$",
    ),
    *_suffixed("requests", open311.RequestListView, "requests"),
    *_suffixed(
        "requests/<str:pk>",
        open311.RequestDetailView,
        "request",
        plain=r"^requests/(?P<pk>[^/.]+)$",
    ),
]
