"""Open311 GeoReport v2 routes, mounted at /open311/v2/ (namespace ``open311``): each with
the spec's ``.json`` suffix, and without it (the suffixed route is listed last, so that
``reverse`` names it)."""

from django.urls import URLPattern, URLResolver, path, re_path
from django.views import View

from petitions.api import open311

app_name = "open311"


def _with_json_suffix(route: str, view: type[View], name: str) -> list[URLPattern]:
    return [
        path(route, view.as_view(), name=name),
        path(f"{route}.json", view.as_view(), name=name),
    ]


urlpatterns: list[URLPattern | URLResolver] = [
    *_with_json_suffix("services", open311.ServiceListView, "services"),
    *_with_json_suffix("requests", open311.RequestListView, "requests"),
    # a request's id without a dot, so that ``requests/<id>.json`` is the suffixed route
    re_path(r"^requests/(?P<pk>[^/.]+)$", open311.RequestDetailView.as_view(), name="request"),
    path("requests/<str:pk>.json", open311.RequestDetailView.as_view(), name="request"),
]
