"""API of the petitions app, mounted at /api/v1/petitions/ (namespace ``petitions-api``)."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
