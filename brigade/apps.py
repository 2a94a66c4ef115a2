from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrigadeConfig(AppConfig):
    """The brigade: its people, posts and patrols."""

    name = "brigade"
    verbose_name = _("Brigade")

    def ready(self) -> None:
        from brigade.kpis import register_metrics

        register_metrics()
