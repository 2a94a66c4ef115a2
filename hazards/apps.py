from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    """Hazard investigation and rectification, key vehicles and facility works."""

    name = "hazards"
    verbose_name = _("Hazards")

    def ready(self) -> None:
        # Metrics (kpis.py), navigation and the other registries are filled here.
        pass
