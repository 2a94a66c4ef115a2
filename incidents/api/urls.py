"""API of the incidents app, mounted at /api/v1/incidents/ (namespace ``incidents-api``)."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
