"""Pages of the petitions app: the clerk's queue (the clerk's landing page) with its side
panel, a ticket's page with its actions and history, the import with its preview,
consultations and proposals, the weekly summary. Views read input and call the services;
nothing more. Each topic has its module; this package names the views urls.py mounts."""

from petitions.views.consultations import (
    ConsultationCreateView,
    ConsultationListView,
    ProposalAnswerView,
    ProposalCreateView,
    ProposalDetailView,
    ProposalListView,
)
from petitions.views.platform import (
    PlatformExportCreateView,
    PlatformExportDownloadView,
    PlatformExportListView,
    PlatformImportView,
)
from petitions.views.queue import QUEUE_PAGE, TicketListView, next_action
from petitions.views.tickets import (
    TicketActionView,
    TicketCreateView,
    TicketDetailView,
    TicketImportView,
    ticket_context,
)
from petitions.views.weekly import WeeklySummaryView, weekly_export

__all__ = [
    "QUEUE_PAGE",
    "ConsultationCreateView",
    "ConsultationListView",
    "PlatformExportCreateView",
    "PlatformExportDownloadView",
    "PlatformExportListView",
    "PlatformImportView",
    "ProposalAnswerView",
    "ProposalCreateView",
    "ProposalDetailView",
    "ProposalListView",
    "TicketActionView",
    "TicketCreateView",
    "TicketDetailView",
    "TicketImportView",
    "TicketListView",
    "WeeklySummaryView",
    "next_action",
    "ticket_context",
    "weekly_export",
]
