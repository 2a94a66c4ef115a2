"""Pages of the incidents app, mounted at /incidents/ (namespace ``incidents``)."""

from django.urls import path

from brigade.core.urls import model_pages
from incidents import views

app_name = "incidents"

urlpatterns = [
    *model_pages(
        "accident", "", {"list": views.AccidentListView, "create": views.AccidentCreateView}
    ),
    path("quick/", views.QuickSettlementView.as_view(), name="accident_quick_settlement"),
    *model_pages(
        "accident", "", {"detail": views.AccidentDetailView, "edit": views.AccidentEditView}
    ),
    path("<int:pk>/parties/", views.PartyAddView.as_view(), name="accidentparty_create"),
    path("<int:pk>/documents/", views.DocumentAddView.as_view(), name="accidentdocument_create"),
    *model_pages("accident", "", {"solve": views.SolveView}),
    path("<int:pk>/advance/", views.AdvanceCreateView.as_view(), name="fundadvance_create"),
    path("documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="accidentdocument_file"),
    path("hit-and-run/", views.HitAndRunListView.as_view(), name="accident_hit_and_run_list"),
    *model_pages("fundadvance", "fund/", {"list": views.AdvanceListView}),
    path("fund/ledger/", views.LedgerView.as_view(), name="ledger"),
    *model_pages(
        "fundadvance",
        "fund/",
        {
            "detail": views.AdvanceDetailView,
            "approve": views.AdvanceApproveView,
            "reject": views.AdvanceRejectView,
            "pay": views.AdvancePayView,
        },
    ),
    path("fund/<int:pk>/recover/", views.RecoveryAddView.as_view(), name="recovery_create"),
]
