from dataclasses import replace

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brigade.core.appconfig import DomainAppConfig
from brigade.core.nav import Link, NavGroup
from brigade.core.roles import CLERKS, DESK, EVERYONE, ON_ROAD

# the clerk's landing page is the work queue
TICKETS = Link(
    "tickets",
    _("12345 tickets"),
    "petitions:ticket_list",
    "telephone",
    DESK,
    order=30,
    group="petitions",
)


class PetitionsConfig(DomainAppConfig):
    """The 12345 hotline tickets, consultations and proposals."""

    name = "petitions"
    verbose_name = _("Petitions")
    panel_order = 30
    landing_links = (TICKETS,)
    # the clerk's own work: the first group they see
    nav_groups = (
        NavGroup("petitions", _("12345 hotline"), "telephone", order=20, roles_first=CLERKS),
    )
    nav_links = (
        replace(TICKETS, match="/petitions/"),
        Link(
            "weekly-summary",
            _("Weekly summary"),
            "petitions:weekly_summary",
            "calendar-week",
            DESK,
            order=33,
            group="petitions",
        ),
        Link(
            "consultations",
            pgettext_lazy("records", "Consultations"),
            "petitions:consultation_list",
            "chat-dots",
            EVERYONE,
            order=31,
            group="petitions",
        ),
        Link(
            "proposals",
            _("Proposals"),
            "petitions:proposal_list",
            "envelope-paper",
            DESK,
            order=32,
            group="petitions",
        ),
    )
    record_pages = {"ticket": "petitions:ticket_detail"}
    quick_links = (
        Link(
            "log-consultation",
            _("Log a question answered"),
            "petitions:consultation_create",
            "chat-dots",
            ON_ROAD,
            order=60,
        ),
    )

    def ready(self) -> None:
        from petitions.weekly import register_lists

        super().ready()
        register_lists()  # the weekly summary's figures, listed like the metrics'
