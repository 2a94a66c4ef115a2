"""API of the hazards app, mounted at /api/v1/hazards/ (namespace ``hazards-api``)."""

from rest_framework.routers import DefaultRouter

from hazards.api import views

router = DefaultRouter()
router.register("hazards", views.HazardViewSet, basename="hazard")
router.register("key-vehicles", views.KeyVehicleViewSet, basename="key-vehicle")
router.register("facility-works", views.FacilityWorkViewSet, basename="facility-work")

urlpatterns = router.urls
