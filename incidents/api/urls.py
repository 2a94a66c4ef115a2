"""API of the incidents app, mounted at /api/v1/incidents/ (namespace ``incidents-api``)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from incidents.api.views import AccidentViewSet, FundAdvanceViewSet, LedgerView, RecoveryViewSet

router = DefaultRouter()
router.register("accidents", AccidentViewSet, basename="accident")
router.register("fund-advances", FundAdvanceViewSet, basename="fund-advance")
router.register("recoveries", RecoveryViewSet, basename="recovery")

urlpatterns = [
    path("ledger/", LedgerView.as_view(), name="ledger"),
    *router.urls,
]
