"""API routes, mounted at /api/: sign-in, the OpenAPI schema and its docs, then one
``v1/<app>/`` block per app, each from that app's own api/urls.py."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from brigade.core.api.auth import SwaggerView, TokenView

urlpatterns = [
    path("v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # --- one block per app ---
    path("v1/brigade/", include(("brigade.duty.api.urls", "brigade"), namespace="brigade-api")),
    path(
        "v1/dashboard/",
        include(("brigade.core.dashboard.api", "dashboard"), namespace="dashboard-api"),
    ),
    path(
        "v1/audit/",
        include(("brigade.core.reveal_log", "audit"), namespace="audit-api"),
    ),
    # the signed-in person's notices, at /api/v1/notifications/
    path("v1/", include(("brigade.core.notices.api", "notices"), namespace="notices-api")),
    path("v1/hazards/", include(("hazards.api.urls", "hazards"), namespace="hazards-api")),
    path("v1/incidents/", include(("incidents.api.urls", "incidents"), namespace="incidents-api")),
    path("v1/petitions/", include(("petitions.api.urls", "petitions"), namespace="petitions-api")),
    path("v1/outreach/", include(("outreach.api.urls", "outreach"), namespace="outreach-api")),
]
