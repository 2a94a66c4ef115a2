from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PetitionsConfig(AppConfig):
    """The 12345 hotline tickets, consultations and proposals."""

    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from petitions.kpis import register_metrics

        register_metrics()
        register_links()
        register_panels()


def register_links() -> None:
    """The petitions app's entries in the navigation and on the officer's duty page."""
    from brigade.choices import Role
    from brigade.nav import Link, navigation, quick_actions

    everyone = frozenset(Role)
    desk = frozenset({Role.CLERK, Role.COMMANDER, Role.ADMIN})
    navigation.register(
        Link(
            "tickets",
            _("12345 tickets"),
            "petitions:ticket_list",
            "telephone",
            desk,
            order=30,
            match="/petitions/",
        ),
        Link(
            "weekly-summary",
            _("Weekly summary"),
            "petitions:weekly_summary",
            "calendar-week",
            desk,
            order=33,
        ),
        Link(
            "consultations",
            pgettext_lazy("records", "Consultations"),
            "petitions:consultation_list",
            "chat-dots",
            everyone,
            order=31,
        ),
        Link(
            "proposals",
            _("Proposals"),
            "petitions:proposal_list",
            "envelope-paper",
            desk,
            order=32,
        ),
    )
    quick_actions.register(
        Link(
            "log-consultation",
            _("Log a question answered"),
            "petitions:consultation_create",
            "chat-dots",
            frozenset({Role.OFFICER, Role.COMMANDER}),
            order=60,
        ),
    )


def register_panels() -> None:
    from brigade.dashboard.panels import Panel, panels
    from petitions.panels import panel_context

    panels.register(
        Panel("petitions", "petitions/partials/dashboard_panel.html", panel_context, order=30)
    )
