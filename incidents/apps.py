from django.utils.translation import gettext_lazy as _

from brigade.core.appconfig import DomainAppConfig
from brigade.core.nav import Link
from brigade.core.roles import EVERYONE, ON_ROAD


class IncidentsConfig(DomainAppConfig):
    """Accidents, hit-and-run cases and the road-accident relief fund."""

    name = "incidents"
    verbose_name = _("Incidents")
    panel_order = 30
    nav_links = (
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
    record_pages = {"accidentparty": "incidents:accidentparty_detail"}
    quick_links = (
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
