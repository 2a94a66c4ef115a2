"""Pages of the incidents app, mounted at /incidents/ (namespace ``incidents``)."""

from django.urls import path

from brigade.core.urls import model_pages
from incidents import views

app_name = "incidents"

urlpatterns = [
    *model_pages(
        "accident",
        "",
        {
            "list": views.AccidentListView,
            "create": views.AccidentCreateView,
            "quick_settlement": ("quick/", views.QuickSettlementView),
            "detail": views.AccidentDetailView,
            "edit": views.AccidentEditView,
            "solve": views.SolveView,
            "hit_and_run_list": ("hit-and-run/", views.HitAndRunListView),
        },
    ),
    path("<int:pk>/parties/", views.PartyAddView.as_view(), name="accidentparty_create"),
    path("parties/<int:pk>/", views.PartyDetailView.as_view(), name="accidentparty_detail"),
    path("parties/<int:pk>/reveal/", views.PartyRevealView.as_view(), name="accidentparty_reveal"),
    path("<int:pk>/documents/", views.DocumentAddView.as_view(), name="accidentdocument_create"),
    path("<int:pk>/advance/", views.AdvanceCreateView.as_view(), name="fundadvance_create"),
    path("documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="accidentdocument_file"),
    path("fund/ledger/", views.LedgerView.as_view(), name="ledger"),
    *model_pages(
        "fundadvance",
        "fund/",
        {
            "list": views.AdvanceListView,
            "detail": views.AdvanceDetailView,
            "approve": views.AdvanceApproveView,
            "reject": views.AdvanceRejectView,
            "pay": views.AdvancePayView,
        },
    ),
    path("fund/<int:pk>/recover/", views.RecoveryAddView.as_view(), name="recovery_create"),
    *model_pages(
        "blackspot",
        "black-spots/",
        {
            "list": ("", views.BlackSpotListView),
            "heat": ("heat/", views.BlackSpotHeatView),
            "open_hazard": ("<int:pk>/open-hazard/", views.BlackSpotOpenHazardView),
        },
    ),
]
