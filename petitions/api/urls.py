"""API of the petitions app, mounted at /api/v1/petitions/ (namespace ``petitions-api``)."""

from rest_framework.routers import DefaultRouter

from petitions.api import views

router = DefaultRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("categories", views.TicketCategoryViewSet, basename="category")
router.register("consultations", views.ConsultationViewSet, basename="consultation")
router.register("proposals", views.ProposalViewSet, basename="proposal")

urlpatterns = router.urls
