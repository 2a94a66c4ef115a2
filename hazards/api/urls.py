"""API of the hazards app, mounted at /api/v1/hazards/ (namespace ``hazards-api``)."""

from brigade.core.urls import api_routes
from hazards.api import views

urlpatterns = api_routes(
    {
        "hazards": views.HazardViewSet,
        "key-vehicles": views.KeyVehicleViewSet,
        "facility-works": views.FacilityWorkViewSet,
    }
)
