from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brigade.core.roles import DESK, EVERYONE, ON_ROAD


class PetitionsConfig(AppConfig):
    """The 12345 hotline tickets, consultations and proposals."""

    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from petitions.kpis import register_metrics
        from petitions.weekly import register_lists

        register_metrics()
        register_lists()  # the weekly summary's figures, listed like the metrics'
        register_links()
        register_panels()


def register_links() -> None:
    """The petitions app's entries in the navigation and on the officer's duty page."""
    from brigade.core.nav import Link, landing_pages, navigation, quick_actions

    # the clerk's landing page is the work queue
    landing_pages.register(
        Link("tickets", _("12345 tickets"), "petitions:ticket_list", "telephone", DESK, order=30)
    )
    navigation.register(
        Link(
            "tickets",
            _("12345 tickets"),
            "petitions:ticket_list",
            "telephone",
            DESK,
            order=30,
            match="/petitions/",
        ),
        Link(
            "weekly-summary",
            _("Weekly summary"),
            "petitions:weekly_summary",
            "calendar-week",
            DESK,
            order=33,
        ),
        Link(
            "consultations",
            pgettext_lazy("records", "Consultations"),
            "petitions:consultation_list",
            "chat-dots",
            EVERYONE,
            order=31,
        ),
        Link(
            "proposals",
            _("Proposals"),
            "petitions:proposal_list",
            "envelope-paper",
            DESK,
            order=32,
        ),
    )
    quick_actions.register(
        Link(
            "log-consultation",
            _("Log a question answered"),
            "petitions:consultation_create",
            "chat-dots",
            ON_ROAD,
            order=60,
        ),
    )


def register_panels() -> None:
    from brigade.core.dashboard.panels import Panel, panels
    from petitions.panels import panel_context

    panels.register(
        Panel("petitions", "petitions/partials/dashboard_panel.html", panel_context, order=30)
    )
