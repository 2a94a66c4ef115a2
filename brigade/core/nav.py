"""Registries of links that apps add to shared pages: the main navigation, the officer's
quick actions on "my duty today", and the page of a record of any app.

Each app registers its entries from ``AppConfig.ready()``, so base.html and the duty page
know no app by name (NetBox's menu registry, in small).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

from brigade.core.scope import Scope


@dataclass(frozen=True)
class Link:
    """A link shown to the roles that may follow it.

    ``key`` names it in tests (``data-testid="nav-<key>"`` / ``"quick-<key>"``); ``match``
    is the path prefix that marks it active (default: its own URL); ``needs_officer``
    hides it from users without an officer profile (the duty pages act as an officer).
    """

    key: str
    label: Promise | str
    url_name: str
    icon: str
    roles: frozenset[str]
    order: int = 100
    match: str = ""
    needs_officer: bool = False
    # a second label for commanders, where they see more than their own (“Patrols”)
    commander_label: Promise | str | None = None
    # a main action (report a hazard), drawn solid rather than outlined
    primary: bool = False

    def visible_to(self, scope: Scope) -> bool:
        if self.needs_officer and scope.officer is None:
            return False
        return scope.has_any(*self.roles)

    def render(self, scope: Scope, path: str) -> dict[str, Any]:
        url = reverse(self.url_name)
        prefix = self.match or url
        label = self.label
        if self.commander_label is not None and scope.is_commander:
            label = self.commander_label
        return {
            "key": self.key,
            "label": label,
            "url": url,
            "icon": self.icon,
            "primary": self.primary,
            "active": path == url or (prefix != "/" and path.startswith(prefix)),
        }


class LinkRegistry:
    def __init__(self) -> None:
        self._links: dict[str, Link] = {}

    def register(self, *links: Link) -> None:
        for link in links:
            if link.key in self._links:
                raise ValueError(f"link {link.key} is registered twice")
            self._links[link.key] = link

    def all(self) -> list[Link]:
        return sorted(self._links.values(), key=lambda link: (link.order, link.key))

    def for_scope(self, scope: Scope, path: str = "") -> list[dict[str, Any]]:
        return [link.render(scope, path) for link in self.all() if link.visible_to(scope)]


# The main navigation bar (base.html).
navigation = LinkRegistry()
# Big buttons on the officer's "my duty today" page (brigade/duty.html).
quick_actions = LinkRegistry()
# Where "/" sends a signed-in user: the first landing page (by order) of one of their roles.
landing_pages = LinkRegistry()


class RecordPages:
    """The page of a record of a model ("app_label.model" → the URL name that takes the
    record's pk), for the core's pages that list records of any app by type and id (the
    log of phone numbers seen whole). An app declares its own (``record_pages``)."""

    def __init__(self) -> None:
        self._url_names: dict[str, str] = {}

    def register(self, model_label: str, url_name: str) -> None:
        self._url_names[model_label.lower()] = url_name

    def url(self, model_label: str, pk: int) -> str | None:
        url_name = self._url_names.get(model_label.lower())
        return reverse(url_name, args=[pk]) if url_name else None


record_pages = RecordPages()


def register_core_links() -> None:
    """The core's own pages: the dashboard, the period report and the log of phone numbers
    seen whole, for those who command."""
    from django.utils.translation import gettext_lazy as _

    from brigade.core.roles import STAFF

    navigation.register(
        Link("dashboard", _("Dashboard"), "dashboard", "speedometer2", STAFF, order=10),
        Link(
            "report", _("Period report"), "period_report", "file-earmark-bar-graph", STAFF, order=11
        ),
        Link("reveal-log", _("Phone number views"), "reveal_log", "eye", STAFF, order=12),
    )
    landing_pages.register(
        Link("dashboard", _("Dashboard"), "dashboard", "speedometer2", STAFF, order=10)
    )
