from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from brigade.core.roles import EVERYONE, ON_ROAD


class IncidentsConfig(AppConfig):
    """Accidents, hit-and-run cases and the road-accident relief fund."""

    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from incidents.kpis import register_metrics

        register_metrics()
        register_links()
        register_panels()


def register_links() -> None:
    """The incidents app's entries in the navigation and on the officer's duty page."""
    from brigade.core.nav import Link, navigation, quick_actions

    navigation.register(
        Link(
            "incidents",
            _("Accidents"),
            "incidents:accident_list",
            "car-front",
            EVERYONE,
            order=50,
            match="/incidents/",
        ),
    )
    quick_actions.register(
        Link(
            "quick-settlement",
            _("Quick settlement"),
            "incidents:accident_quick_settlement",
            "lightning-charge",
            ON_ROAD,
            order=15,
            primary=True,
        ),
    )


def register_panels() -> None:
    from brigade.core.dashboard.panels import Panel, panels
    from incidents.panels import panel_context

    panels.register(
        Panel("incidents", "incidents/partials/dashboard_panel.html", panel_context, order=30)
    )
