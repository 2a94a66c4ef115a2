from django.utils.translation import gettext_lazy as _

from brigade.core.appconfig import DomainAppConfig
from brigade.core.nav import Link, NavGroup
from brigade.core.roles import EVERYONE, ON_ROAD, STAFF


class HazardsConfig(DomainAppConfig):
    """Hazard investigation and rectification, key vehicles and facility works."""

    name = "hazards"
    verbose_name = _("Hazards")
    panel_order = 20
    nav_groups = (NavGroup("hazards", _("Hazards"), "exclamation-triangle", order=30),)
    nav_links = (
        Link(
            "hazards",
            _("Hazards"),
            "hazards:hazard_list",
            "exclamation-triangle",
            EVERYONE,
            order=40,
            match="/hazards/",
            group="hazards",
        ),
        Link(
            "key-vehicles",
            _("Key vehicles"),
            "hazards:keyvehicle_list",
            "truck",
            STAFF,
            order=41,
            group="hazards",
        ),
        Link(
            "facility-works",
            _("Facility works"),
            "hazards:facilitywork_list",
            "sign-stop-lights",
            STAFF,
            order=42,
            group="hazards",
        ),
    )
    quick_links = (
        Link(
            "report-hazard",
            _("Report a hazard"),
            "hazards:hazard_report",
            "exclamation-triangle",
            ON_ROAD,
            order=10,
            primary=True,
        ),
        Link("hazard-map", _("Hazard map"), "hazards:hazard_map", "map", ON_ROAD, order=84),
    )

    def ready(self) -> None:
        super().ready()
        from hazards import investigations

        investigations.register()
