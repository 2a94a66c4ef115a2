"""Open311 GeoReport v2 routes, mounted at /open311/v2/ (namespace ``open311``): each with
the spec's ``.json`` suffix, and without it (the suffixed route is listed last, so that
``reverse`` names it)."""

from django.urls import path, re_path

from petitions.api import open311

app_name = "open311"

urlpatterns = [
    path("services", open311.ServiceListView.as_view(), name="services"),
    path("services.json", open311.ServiceListView.as_view(), name="services"),
    path("requests", open311.RequestListView.as_view(), name="requests"),
    path("requests.json", open311.RequestListView.as_view(), name="requests"),
    re_path(r"^requests/(?P<pk>[^/.]+)$", open311.RequestDetailView.as_view(), name="request"),
    path("requests/<str:pk>.json", open311.RequestDetailView.as_view(), name="request"),
]
