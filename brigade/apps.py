from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrigadeConfig(AppConfig):
    """The project's own app (label ``brigade``): the shared core (``brigade.core``) and the
    duty domain (``brigade.duty``: units, officers, posts, shifts, patrols, training)."""

    name = "brigade"
    verbose_name = _("Brigade")
    # the duty domain's part of seed_demo (units, officers, posts, patrols, training)
    demo_module = "brigade.duty.demo"

    def ready(self) -> None:
        # the engine watches the models of every metric the apps register from here on
        from brigade.core.kpi import engine  # noqa: F401
        from brigade.core.nav import register_core_links
        from brigade.duty.apps import register

        register_core_links()
        register()
        # API tokens revoked when their user's password changes or the user is deactivated
        import brigade.core.tokens

        # every task registered under its name in every process (the engine enqueues by name)
        import brigade.tasks  # noqa: F401
