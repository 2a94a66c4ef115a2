from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """Accidents, hit-and-run cases and the road-accident relief fund."""

    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        # Metrics (kpis.py), navigation and the other registries are filled here.
        pass
