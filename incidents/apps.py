from django.utils.translation import gettext_lazy as _

from brigade.core.appconfig import DomainAppConfig
from brigade.core.nav import Link, NavGroup
from brigade.core.roles import DESK, EVERYONE, ON_ROAD, STAFF


class IncidentsConfig(DomainAppConfig):
    """Accidents, hit-and-run cases and the road-accident relief fund."""

    name = "incidents"
    verbose_name = _("Incidents")
    panel_order = 30
    nav_groups = (NavGroup("incidents", _("Accidents and fund"), "car-front", order=40),)
    nav_links = (
        Link(
            "incidents",
            _("Accidents"),
            "incidents:accident_list",
            "car-front",
            EVERYONE,
            order=50,
            match="/incidents/",
            group="incidents",
        ),
        Link(
            "hit-and-run",
            _("Hit-and-run cases"),
            "incidents:accident_hit_and_run_list",
            "sign-dead-end",
            EVERYONE,
            order=51,
            group="incidents",
        ),
        Link(
            "fund-advances",
            _("Relief-fund advances"),
            "incidents:fundadvance_list",
            "cash-coin",
            DESK,
            order=52,
            group="incidents",
        ),
        Link(
            "fund-ledger",
            _("Relief-fund ledger"),
            "incidents:ledger",
            "journal-text",
            DESK,
            order=53,
            group="incidents",
        ),
        Link(
            "black-spots",
            _("Black spots"),
            "incidents:blackspot_list",
            "geo-alt",
            STAFF,
            order=54,
            group="incidents",
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

    def ready(self) -> None:
        super().ready()
        from brigade.core.investigations import AccidentCounts, register_accident_counts
        from incidents import black_spots, tasks  # noqa: F401 (the tasks, for Celery)

        black_spots.watch()
        register_accident_counts(
            AccidentCounts(
                around=black_spots.accidents_around, records_api=black_spots.around_records_api
            )
        )
