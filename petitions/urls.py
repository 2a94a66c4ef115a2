"""Pages of the petitions app, mounted at /petitions/ (namespace ``petitions``)."""

from django.urls import path

from brigade.core.urls import model_pages, page_path
from petitions import views

app_name = "petitions"

ACTIONS = (
    "sign",
    "assign",
    "reply",
    "close",
    "undo_close",
    "callback",
    "return",
    "extend",
    "decide",
    "reopen",
    "reveal",
)

urlpatterns = [
    # the clerk's queue is the app's first page
    path("", views.TicketListView.as_view(), name="ticket_list"),
    path("weekly/", views.WeeklySummaryView.as_view(), name="weekly_summary"),
    *model_pages(
        "ticket", "tickets/", {"create": views.TicketCreateView, "detail": views.TicketDetailView}
    ),
    path("tickets/import/", views.TicketImportView.as_view(), name="ticket_import"),
    # the round trip with the 12345 platform
    *model_pages(
        "platformexport",
        "platform/",
        {
            "list": views.PlatformExportListView,
            "create": views.PlatformExportCreateView,
            "download": views.PlatformExportDownloadView,
        },
    ),
    path(
        "platform/supervisions/import/",
        views.PlatformImportView.as_view(kind="supervisions"),
        name="platform_supervisions_import",
    ),
    path(
        "platform/callbacks/import/",
        views.PlatformImportView.as_view(kind="callbacks"),
        name="platform_callbacks_import",
    ),
    *[
        path(
            f"tickets/{page_path(action)}",
            views.TicketActionView.as_view(action=action),
            name=f"ticket_{action}",
        )
        for action in ACTIONS
    ],
    *model_pages(
        "consultation",
        "consultations/",
        {"list": views.ConsultationListView, "create": views.ConsultationCreateView},
    ),
    *model_pages(
        "proposal",
        "proposals/",
        {
            "list": views.ProposalListView,
            "create": views.ProposalCreateView,
            "detail": views.ProposalDetailView,
            "answer": views.ProposalAnswerView,
        },
    ),
]
