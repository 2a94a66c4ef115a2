"""The AppConfig of a domain app: what it brings to the core's registries when the project
starts, declared on the class (its metrics, its links, its dashboard panel)."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import ClassVar

from django.apps import AppConfig

from brigade.core.dashboard.panels import Panel, panels
from brigade.core.nav import (
    Link,
    NavGroup,
    landing_pages,
    navigation,
    navigation_groups,
    quick_actions,
    record_pages,
)


class DomainAppConfig(AppConfig):
    """On ``ready()``: registers the app's metrics (``<app>.kpis.register_metrics``), its
        groups and links in the navigation, on the officer's duty page and as landing pages,
        its due items (``<app>.notices.register_notices``, when the module exists),
        and, when ``panel_order`` is set, its dashboard panel (``<app>.panels.panel_context``
        drawn by ``<app>/partials/dashboard_panel.html``), and the pages its records' personal
    data is shown on (``record_pages``, for the log of it)."""

    # the navigation's groups this app brings (its links name theirs: ``Link.group``)
    nav_groups: ClassVar[tuple[NavGroup, ...]] = ()
    nav_links: ClassVar[tuple[Link, ...]] = ()
    quick_links: ClassVar[tuple[Link, ...]] = ()
    landing_links: ClassVar[tuple[Link, ...]] = ()
    # model name → its page's URL name, where the log of phone numbers seen links to
    record_pages: ClassVar[dict[str, str]] = {}
    panel_order: ClassVar[int | None] = None

    def ready(self) -> None:
        import_module(f"{self.name}.kpis").register_metrics()
        # the items it has due, for reminders, escalation and the digest (when it has any)
        if find_spec(f"{self.name}.notices") is not None:
            import_module(f"{self.name}.notices").register_notices()
        navigation_groups.register(*self.nav_groups)
        navigation.register(*self.nav_links)
        quick_actions.register(*self.quick_links)
        landing_pages.register(*self.landing_links)
        for model_name, url_name in self.record_pages.items():
            record_pages.register(f"{self.label}.{model_name}", url_name)
        if self.panel_order is not None:
            context = import_module(f"{self.name}.panels").panel_context
            template = f"{self.label}/partials/dashboard_panel.html"
            panels.register(Panel(self.label, template, context, order=self.panel_order))
