"""API of the hazards app, mounted at /api/v1/hazards/ (namespace ``hazards-api``)."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
