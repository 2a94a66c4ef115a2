"""API of the outreach app, mounted at /api/v1/outreach/ (namespace ``outreach-api``)."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
