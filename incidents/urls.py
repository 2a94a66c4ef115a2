"""Pages of the incidents app, mounted at /incidents/ (namespace ``incidents``)."""

from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.AccidentListView.as_view(), name="accident_list"),
    path("new/", views.AccidentCreateView.as_view(), name="accident_create"),
    path("quick/", views.QuickSettlementView.as_view(), name="accident_quick_settlement"),
    path("<int:pk>/", views.AccidentDetailView.as_view(), name="accident_detail"),
    path("<int:pk>/edit/", views.AccidentEditView.as_view(), name="accident_edit"),
    path("<int:pk>/parties/", views.PartyAddView.as_view(), name="accidentparty_create"),
    path("<int:pk>/documents/", views.DocumentAddView.as_view(), name="accidentdocument_create"),
    path("<int:pk>/solve/", views.SolveView.as_view(), name="accident_solve"),
    path("<int:pk>/advance/", views.AdvanceCreateView.as_view(), name="fundadvance_create"),
    path("documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="accidentdocument_file"),
    path("hit-and-run/", views.HitAndRunListView.as_view(), name="accident_hit_and_run_list"),
    path("fund/", views.AdvanceListView.as_view(), name="fundadvance_list"),
    path("fund/ledger/", views.LedgerView.as_view(), name="ledger"),
    path("fund/<int:pk>/", views.AdvanceDetailView.as_view(), name="fundadvance_detail"),
    path("fund/<int:pk>/approve/", views.AdvanceApproveView.as_view(), name="fundadvance_approve"),
    path("fund/<int:pk>/reject/", views.AdvanceRejectView.as_view(), name="fundadvance_reject"),
    path("fund/<int:pk>/pay/", views.AdvancePayView.as_view(), name="fundadvance_pay"),
    path("fund/<int:pk>/recover/", views.RecoveryAddView.as_view(), name="recovery_create"),
]
