from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    """Publicity events, campaigns, love stations, assistance and commendations."""

    name = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        # Metrics (kpis.py), navigation and the other registries are filled here.
        pass
