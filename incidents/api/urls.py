"""API of the incidents app, mounted at /api/v1/incidents/ (namespace ``incidents-api``)."""

from django.urls import path

from brigade.core.urls import api_routes
from incidents.api.views import (
    AccidentViewSet,
    BlackSpotViewSet,
    FundAdvanceViewSet,
    LedgerView,
    RecoveryViewSet,
)

urlpatterns = [
    path("ledger/", LedgerView.as_view(), name="ledger"),
    *api_routes(
        {
            "accidents": AccidentViewSet,
            "fund-advances": FundAdvanceViewSet,
            "recoveries": RecoveryViewSet,
            "black-spots": BlackSpotViewSet,
        }
    ),
]
