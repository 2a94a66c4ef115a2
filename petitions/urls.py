"""Pages of the petitions app, mounted at /petitions/ (namespace ``petitions``)."""

from django.urls import path

from petitions import views

app_name = "petitions"

ACTIONS = (
    "sign",
    "assign",
    "reply",
    "close",
    "callback",
    "return",
    "extend",
    "decide",
    "reopen",
    "reveal",
)

urlpatterns = [
    path("", views.TicketListView.as_view(), name="ticket_list"),
    path("weekly/", views.WeeklySummaryView.as_view(), name="weekly_summary"),
    path("tickets/new/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("tickets/import/", views.TicketImportView.as_view(), name="ticket_import"),
    path("tickets/<int:pk>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    *[
        path(
            f"tickets/<int:pk>/{action}/",
            views.TicketActionView.as_view(action=action),
            name=f"ticket_{action}",
        )
        for action in ACTIONS
    ],
    path("consultations/", views.ConsultationListView.as_view(), name="consultation_list"),
    path("consultations/new/", views.ConsultationCreateView.as_view(), name="consultation_create"),
    path("proposals/", views.ProposalListView.as_view(), name="proposal_list"),
    path("proposals/new/", views.ProposalCreateView.as_view(), name="proposal_create"),
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal_detail"),
    path("proposals/<int:pk>/answer/", views.ProposalAnswerView.as_view(), name="proposal_answer"),
]
