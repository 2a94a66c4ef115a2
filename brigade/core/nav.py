"""Registries of links that apps add to shared pages: the main navigation (its links in
groups of the work: duty, 12345, hazards...), the officer's quick actions on "my duty today",
and the page of a record of any app.

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
    # the navigation group (``NavGroup.key``) it is listed under; none: a link of its own
    group: str = ""

    def visible_to(self, scope: Scope) -> bool:
        if self.needs_officer and scope.officer is None:
            return False
        return scope.has_any(*self.roles)

    def matches(self, path: str) -> int:
        """How closely ``path`` is this link's page: the length of the prefix it starts
        with (its own URL counts whole), 0 when it is not."""
        url = reverse(self.url_name)
        prefix = self.match or url
        if path == url:
            return len(path) + 1
        if prefix != "/" and path.startswith(prefix):
            return len(prefix)
        return 0

    def render(self, scope: Scope, path: str) -> dict[str, Any]:
        url = reverse(self.url_name)
        label = self.label
        if self.commander_label is not None and scope.is_commander:
            label = self.commander_label
        return {
            "key": self.key,
            "label": label,
            "url": url,
            "icon": self.icon,
            "primary": self.primary,
            "group": self.group,
            "active": bool(path) and self.matches(path) > 0,  # LinkRegistry: the closest only
        }


@dataclass(frozen=True)
class NavGroup:
    """A group of the navigation: the links of one line of work, under one menu.

    ``roles_first``: the roles that see this group before the others (the officer their
    duty, the clerk the 12345 queue, the commander the figures); the rest follow by ``order``.
    """

    key: str
    label: Promise | str
    icon: str
    order: int = 100
    roles_first: frozenset[str] = frozenset()

    def first_for(self, scope: Scope) -> bool:
        return bool(self.roles_first) and scope.has_any(*self.roles_first)


class GroupRegistry:
    def __init__(self) -> None:
        self._groups: dict[str, NavGroup] = {}

    def register(self, *groups: NavGroup) -> None:
        for group in groups:
            if group.key in self._groups:
                raise ValueError(f"navigation group {group.key} is registered twice")
            self._groups[group.key] = group

    def get(self, key: str) -> NavGroup | None:
        return self._groups.get(key)

    def all(self) -> list[NavGroup]:
        return sorted(self._groups.values(), key=lambda group: (group.order, group.key))


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
        """The links ``scope`` may follow, in order; of those ``path`` is under, the
        closest one is marked active (the fund's page, not also the accidents')."""
        links = [link for link in self.all() if link.visible_to(scope)]
        rendered = [link.render(scope, path) for link in links]
        closeness = [link.matches(path) if path else 0 for link in links]
        best = max(closeness, default=0)
        for shown, close in zip(rendered, closeness, strict=True):
            shown["active"] = best > 0 and close == best
        return rendered

    def grouped(
        self, scope: Scope, path: str = "", groups: GroupRegistry | None = None
    ) -> list[dict[str, Any]]:
        """The navigation of ``scope``: its groups, those of its roles first, each with the
        links it may follow (a group without any is left out). A link of no registered
        group stands as a group of its own."""
        groups = navigation_groups if groups is None else groups
        entries: dict[str, dict[str, Any]] = {}
        for shown in self.for_scope(scope, path):
            group = groups.get(shown["group"])
            key = group.key if group else f"link-{shown['key']}"
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = {
                    "key": key,
                    "label": group.label if group else shown["label"],
                    "icon": group.icon if group else shown["icon"],
                    "links": [],
                    "active": False,
                    "sort": (
                        0 if group and group.first_for(scope) else 1,
                        group.order if group else 1000,
                        key,
                    ),
                }
            entry["links"].append(shown)
            entry["active"] = entry["active"] or shown["active"]
        ordered = sorted(entries.values(), key=lambda entry: entry["sort"])
        for entry in ordered:
            del entry["sort"]
            # a group with one link the user may follow is that link
            entry["single"] = entry["links"][0] if len(entry["links"]) == 1 else None
        return ordered


# The main navigation bar (base.html), in its groups.
navigation = LinkRegistry()
navigation_groups = GroupRegistry()
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
    seen whole, for those who command, in the navigation's group of figures (the first
    group a commander sees)."""
    from django.utils.translation import gettext_lazy as _

    from brigade.core.roles import STAFF

    navigation_groups.register(
        NavGroup("figures", _("Figures"), "bar-chart-line", order=60, roles_first=STAFF)
    )
    navigation.register(
        Link(
            "dashboard",
            _("Dashboard"),
            "dashboard",
            "speedometer2",
            STAFF,
            order=10,
            group="figures",
        ),
        Link(
            "report",
            _("Period report"),
            "period_report",
            "file-earmark-bar-graph",
            STAFF,
            order=11,
            group="figures",
        ),
        Link(
            "reveal-log",
            _("Phone number views"),
            "reveal_log",
            "eye",
            STAFF,
            order=12,
            group="figures",
        ),
    )
    landing_pages.register(
        Link("dashboard", _("Dashboard"), "dashboard", "speedometer2", STAFF, order=10)
    )
