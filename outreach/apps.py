from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from brigade.core.appconfig import DomainAppConfig
from brigade.core.nav import Link, NavGroup
from brigade.core.roles import DUTY, EVERYONE

# on the navigation and among the duty page's quick actions
LOVE_STATIONS = Link(
    "love-stations",
    _("Love stations"),
    "outreach:lovestation_list",
    "cup-hot",
    EVERYONE,
    group="outreach",
)


class OutreachConfig(DomainAppConfig):
    """Publicity events, campaigns, love stations, assistance and commendations."""

    name = "outreach"
    verbose_name = _("Outreach")
    panel_order = 50
    nav_groups = (NavGroup("outreach", _("Outreach"), "megaphone-fill", order=50),)
    nav_links = (
        Link(
            "outreach-events",
            _("Publicity"),
            "outreach:publicityevent_list",
            "megaphone-fill",
            EVERYONE,
            order=60,
            match="/outreach/events/",
            group="outreach",
        ),
        Link(
            "outreach-assistance",
            _("Assistance"),
            "outreach:assistanceevent_list",
            "heart-pulse",
            EVERYONE,
            order=61,
            match="/outreach/assistance/",
            group="outreach",
        ),
        Link(
            "outreach-campaigns",
            _("Outreach campaigns"),
            "outreach:outreachcampaign_list",
            "flag",
            EVERYONE,
            order=62,
            group="outreach",
        ),
        replace(LOVE_STATIONS, key="outreach-stations", order=63),
        Link(
            "outreach-commendations",
            _("Commendations"),
            "outreach:commendation_list",
            "award",
            EVERYONE,
            order=64,
            group="outreach",
        ),
    )
    quick_links = (
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
        replace(LOVE_STATIONS, order=84),
    )
