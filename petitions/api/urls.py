"""API of the petitions app, mounted at /api/v1/petitions/ (namespace ``petitions-api``)."""

from brigade.core.urls import api_routes
from petitions.api import views

urlpatterns = api_routes(
    {
        "tickets": views.TicketViewSet,
        "categories": views.TicketCategoryViewSet,
        "consultations": views.ConsultationViewSet,
        "proposals": views.ProposalViewSet,
        "platform-exports": views.PlatformExportViewSet,
    }
)
