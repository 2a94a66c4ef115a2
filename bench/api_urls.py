"""The project's URLs plus ``/bench/bare/``: an authenticated JSON view with the dashboard
API's authentication, permission and middleware, and no query of its own. Benchmark only."""

from __future__ import annotations

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response

from brigade.core.dashboard.api import DashboardView
from brigade.urls import urlpatterns as project_urlpatterns


class BareView(DashboardView):
    """What every dashboard API request costs before its own work."""

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [path("bench/bare/", BareView.as_view(), name="bench-bare"), *project_urlpatterns]
