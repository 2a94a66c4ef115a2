from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from brigade.core.roles import EVERYONE, ON_ROAD, STAFF


class HazardsConfig(AppConfig):
    """Hazard investigation and rectification, key vehicles and facility works."""

    name = "hazards"
    verbose_name = _("Hazards")

    def ready(self) -> None:
        from hazards.kpis import register_metrics

        register_metrics()
        register_links()
        register_panels()


def register_links() -> None:
    """The hazards app's entries in the navigation and on the officer's duty page."""
    from brigade.core.nav import Link, navigation, quick_actions

    navigation.register(
        Link(
            "hazards",
            _("Hazards"),
            "hazards:hazard_list",
            "exclamation-triangle",
            EVERYONE,
            order=40,
            match="/hazards/",
        ),
        Link(
            "key-vehicles",
            _("Key vehicles"),
            "hazards:keyvehicle_list",
            "truck",
            STAFF,
            order=41,
        ),
        Link(
            "facility-works",
            _("Facility works"),
            "hazards:facilitywork_list",
            "traffic-light",
            STAFF,
            order=42,
        ),
    )
    quick_actions.register(
        Link(
            "report-hazard",
            _("Report a hazard"),
            "hazards:hazard_report",
            "exclamation-triangle",
            ON_ROAD,
            order=10,
            primary=True,
        ),
        Link(
            "hazard-map",
            _("Hazard map"),
            "hazards:hazard_map",
            "map",
            ON_ROAD,
            order=84,
        ),
    )


def register_panels() -> None:
    from brigade.core.dashboard.panels import Panel, panels
    from hazards.panels import panel_context

    panels.register(
        Panel("hazards", "hazards/partials/dashboard_panel.html", panel_context, order=20)
    )
