"""API of the outreach app, mounted at /api/v1/outreach/ (namespace ``outreach-api``)."""

from rest_framework.routers import DefaultRouter

from outreach.api import views

router = DefaultRouter()
router.register("events", views.PublicityEventViewSet, basename="event")
router.register("campaigns", views.OutreachCampaignViewSet, basename="campaign")
router.register("love-stations", views.LoveStationViewSet, basename="love-station")
router.register("assistance", views.AssistanceEventViewSet, basename="assistance")
router.register("commendations", views.CommendationViewSet, basename="commendation")

urlpatterns = router.urls
