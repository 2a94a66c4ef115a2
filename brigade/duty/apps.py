"""What the duty domain brings to the shared core, registered when the project's app is
ready (``brigade.apps.BrigadeConfig``), as each domain app does from its own AppConfig:
the organisation (units and officers) behind every scope, the metrics, the links."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from brigade.core.nav import (
    Link,
    NavGroup,
    landing_pages,
    navigation,
    navigation_groups,
    quick_actions,
)
from brigade.core.roles import DUTY, EVERYONE, OFFICERS, ON_ROAD
from brigade.core.scope import Organisation, register_organisation


def register() -> None:
    from brigade.duty.kpis import register_metrics
    from brigade.duty.notice_channels import register_channels
    from brigade.duty.notices import register_notices

    register_organisation(organisation())
    register_metrics()
    register_notices()
    register_channels()
    register_links()


def organisation() -> Organisation:
    from brigade.duty.choices import UnitKind
    from brigade.duty.models import Officer, Unit

    def member_of(user: object) -> Officer | None:
        return Officer.objects.select_related("unit").filter(user=user, is_active=True).first()

    def at_headquarters(officer: Officer) -> bool:
        return officer.unit.kind == UnitKind.HEADQUARTERS

    return Organisation(
        member_of=member_of,
        at_headquarters=at_headquarters,  # type: ignore[arg-type]
        units_of=lambda user: Unit.objects.visible_to(user).order_by("kind", "code"),
    )


def register_links() -> None:
    """The duty domain's entries in the navigation (its group "duty", the first an officer
    sees) and on the duty page, and the officer's landing page."""
    posts = Link(
        "posts",
        _("Posts and coverage"),
        "brigade:dutypost_list",
        "geo-alt",
        EVERYONE,
        order=80,
        group="duty",
    )
    zones = Link(
        "zones",
        _("Road-works zones"),
        "brigade:roadworkszone_list",
        "cone-striped",
        EVERYONE,
        order=81,
        group="duty",
    )
    trainings = Link(
        "trainings",
        _("Training"),
        "brigade:trainingsession_list",
        "mortarboard",
        DUTY,
        order=90,
        group="duty",
    )
    navigation_groups.register(
        NavGroup("duty", _("Duty"), "person-badge", order=10, roles_first=OFFICERS)
    )
    navigation.register(
        Link(
            "duty",
            _("My duty today"),
            "brigade:duty",
            "person-badge",
            ON_ROAD,
            order=20,
            needs_officer=True,
            group="duty",
        ),
        Link(
            "patrols",
            _("My patrols"),
            "brigade:patrollog_list",
            "signpost-split",
            DUTY,
            order=30,
            commander_label=_("Patrols"),
            group="duty",
        ),
        posts,
        zones,
        Link(
            "campaigns",
            _("Campaigns"),
            "brigade:campaign_list",
            "megaphone",
            EVERYONE,
            order=82,
            group="duty",
        ),
        trainings,
    )
    quick_actions.register(
        Link(
            "my-patrols",
            _("My patrols"),
            "brigade:patrollog_list",
            "signpost-split",
            DUTY,
            order=80,
        ),
        replace(posts, order=81),
        replace(zones, order=82),
        replace(trainings, order=83),
    )
    landing_pages.register(
        Link("duty", _("My duty today"), "brigade:duty", "person-badge", ON_ROAD, order=20)
    )
