"""Work panels on the commanders' dashboard: what awaits them (overdue hazards, tickets past
their deadline, advances to approve...).

Each app registers its panels from ``AppConfig.ready()``; a panel is a template and a
function that returns its context for the signed-in user and the chosen unit, or ``None``
to stay hidden. A panel's function runs a fixed number of queries, however many rows it
shows (it lists the first few and counts the rest).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from brigade.core.typing import Visitor

PanelContext = Callable[[Visitor, "int | None"], "Mapping[str, object] | None"]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: PanelContext
    order: int = 100


class PanelRegistry:
    def __init__(self) -> None:
        self._panels: dict[str, Panel] = {}

    def register(self, *panels: Panel) -> None:
        for panel in panels:
            if panel.key in self._panels:
                raise ValueError(f"dashboard panel {panel.key} is registered twice")
            self._panels[panel.key] = panel

    def all(self) -> list[Panel]:
        return sorted(self._panels.values(), key=lambda p: (p.order, p.key))

    def render(self, user: Visitor, unit_id: int | None) -> list[dict[str, object]]:
        """The visible panels: ``{"key", "template", **context}`` each."""
        out = []
        for panel in self.all():
            context = panel.context(user, unit_id)
            if context is not None:
                out.append({"key": panel.key, "template": panel.template, **context})
        return out


panels = PanelRegistry()
