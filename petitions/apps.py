from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    """The 12345 hotline tickets, consultations and proposals."""

    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        # Metrics (kpis.py), navigation and the other registries are filled here.
        pass
