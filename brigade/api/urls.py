"""API routes, mounted at /api/: sign-in, the OpenAPI schema and its docs, then one
``v1/<app>/`` block per app.

Another app adds its own block next to the brigade's, from its own api/urls.py:
``path("v1/hazards/", include("hazards.api.urls"))``.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from brigade.api import views

brigade_router = DefaultRouter()
brigade_router.register("units", views.UnitViewSet, basename="unit")
brigade_router.register("officers", views.OfficerViewSet, basename="officer")
brigade_router.register("posts", views.DutyPostViewSet, basename="post")
brigade_router.register("shifts", views.ShiftViewSet, basename="shift")
brigade_router.register("patrols", views.PatrolViewSet, basename="patrol")
brigade_router.register("campaigns", views.CampaignViewSet, basename="campaign")
brigade_router.register("zones", views.RoadWorksZoneViewSet, basename="zone")
brigade_router.register("trainings", views.TrainingSessionViewSet, basename="training")
brigade_router.register("attendances", views.AttendanceViewSet, basename="attendance")
brigade_router.register("school-breaks", views.SchoolBreakViewSet, basename="school-break")

urlpatterns = [
    path("v1/auth/token/", views.TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", views.SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # --- one block per app ---
    path("v1/brigade/", include((brigade_router.urls, "brigade"), namespace="brigade-api")),
    path(
        "v1/dashboard/", include(("brigade.api.dashboard", "dashboard"), namespace="dashboard-api")
    ),
    path("v1/hazards/", include(("hazards.api.urls", "hazards"), namespace="hazards-api")),
    path("v1/incidents/", include(("incidents.api.urls", "incidents"), namespace="incidents-api")),
    path("v1/petitions/", include(("petitions.api.urls", "petitions"), namespace="petitions-api")),
    path("v1/outreach/", include(("outreach.api.urls", "outreach"), namespace="outreach-api")),
]
