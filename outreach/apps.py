from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from brigade.core.roles import DUTY, EVERYONE


class OutreachConfig(AppConfig):
    """Publicity events, campaigns, love stations, assistance and commendations."""

    name = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from outreach.kpis import register_metrics

        register_metrics()
        register_links()
        register_panels()


def register_panels() -> None:
    from brigade.core.dashboard.panels import Panel, panels
    from outreach.panels import panel_context

    panels.register(
        Panel("outreach", "outreach/partials/dashboard_panel.html", panel_context, order=50)
    )


def register_links() -> None:
    """The outreach entries in the navigation and the officer's duty-page quick actions."""
    from brigade.core.nav import Link, navigation, quick_actions

    navigation.register(
        Link(
            "outreach-events",
            _("Publicity"),
            "outreach:publicityevent_list",
            "megaphone-fill",
            EVERYONE,
            order=60,
            match="/outreach/events/",
        ),
        Link(
            "outreach-assistance",
            _("Assistance"),
            "outreach:assistanceevent_list",
            "heart-pulse",
            EVERYONE,
            order=61,
            match="/outreach/assistance/",
        ),
        Link(
            "outreach-stations",
            _("Love stations"),
            "outreach:lovestation_list",
            "cup-hot",
            EVERYONE,
            order=63,
        ),
        Link(
            "outreach-commendations",
            _("Commendations"),
            "outreach:commendation_list",
            "award",
            EVERYONE,
            order=64,
        ),
    )
    quick_actions.register(
        Link(
            "log-assistance",
            _("Log assistance"),
            "outreach:assistanceevent_create",
            "heart-pulse",
            DUTY,
            order=20,
            primary=True,
        ),
        Link(
            "log-outreach",
            _("Log outreach event"),
            "outreach:publicityevent_create",
            "megaphone",
            DUTY,
            order=21,
            primary=True,
        ),
        Link(
            "love-stations",
            _("Love stations"),
            "outreach:lovestation_list",
            "cup-hot",
            EVERYONE,
            order=84,
        ),
    )
