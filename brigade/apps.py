from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrigadeConfig(AppConfig):
    """The brigade: its people, posts and patrols."""

    name = "brigade"
    verbose_name = _("Brigade")

    def ready(self) -> None:
        from brigade.kpis import register_metrics

        register_metrics()
        register_links()


def register_links() -> None:
    """The brigade's entries in the navigation and on the duty page."""
    from brigade.choices import Role
    from brigade.nav import Link, navigation, quick_actions

    everyone = frozenset(Role)
    on_duty = frozenset({Role.OFFICER, Role.COMMANDER, Role.ADMIN})
    navigation.register(
        Link(
            "dashboard",
            _("Dashboard"),
            "dashboard",
            "speedometer2",
            frozenset({Role.COMMANDER, Role.ADMIN}),
            order=10,
        ),
        Link(
            "report",
            _("Period report"),
            "period_report",
            "file-earmark-bar-graph",
            frozenset({Role.COMMANDER, Role.ADMIN}),
            order=11,
        ),
        Link(
            "duty",
            _("My duty today"),
            "brigade:duty",
            "person-badge",
            frozenset({Role.OFFICER, Role.COMMANDER}),
            order=20,
            needs_officer=True,
        ),
        Link(
            "patrols",
            _("My patrols"),
            "brigade:patrollog_list",
            "signpost-split",
            on_duty,
            order=30,
            commander_label=_("Patrols"),
        ),
        Link(
            "posts", _("Posts and coverage"), "brigade:dutypost_list", "geo-alt", everyone, order=80
        ),
        Link(
            "zones",
            _("Road-works zones"),
            "brigade:roadworkszone_list",
            "cone-striped",
            everyone,
            order=81,
        ),
        Link("campaigns", _("Campaigns"), "brigade:campaign_list", "megaphone", everyone, order=82),
        Link(
            "trainings",
            _("Training"),
            "brigade:trainingsession_list",
            "mortarboard",
            on_duty,
            order=90,
        ),
    )
    quick_actions.register(
        Link(
            "my-patrols",
            _("My patrols"),
            "brigade:patrollog_list",
            "signpost-split",
            on_duty,
            order=80,
        ),
        Link(
            "posts", _("Posts and coverage"), "brigade:dutypost_list", "geo-alt", everyone, order=81
        ),
        Link(
            "zones",
            _("Road-works zones"),
            "brigade:roadworkszone_list",
            "cone-striped",
            everyone,
            order=82,
        ),
        Link(
            "trainings",
            _("Training"),
            "brigade:trainingsession_list",
            "mortarboard",
            on_duty,
            order=83,
        ),
    )
