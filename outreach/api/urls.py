"""API of the outreach app, mounted at /api/v1/outreach/ (namespace ``outreach-api``)."""

from brigade.core.urls import api_routes
from outreach.api import views

urlpatterns = api_routes(
    {
        "events": views.PublicityEventViewSet,
        "campaigns": views.OutreachCampaignViewSet,
        "love-stations": views.LoveStationViewSet,
        "assistance": views.AssistanceEventViewSet,
        "commendations": views.CommendationViewSet,
    }
)
