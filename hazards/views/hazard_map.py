"""The map of open hazards and its points."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from brigade.core import geo
from brigade.core.permissions import RoleRequiredMixin, has_role
from brigade.core.roles import STAFF
from hazards.choices import HazardStatus, Severity
from hazards.models import Hazard
from hazards.views.common import RequestUser

# --- the map ---------------------------------------------------------------------------------

# A point's fill says its severity, a red ring that it is overdue; a cluster takes the colour
# of its most severe point. The legend and the map's script read the same colours.
SEVERITY_COLOURS = {
    Severity.LOW: "#6c757d",
    Severity.MEDIUM: "#0d6efd",
    Severity.HIGH: "#fd7e14",
    Severity.CRITICAL: "#dc3545",
}
OVERDUE_COLOUR = "#dc3545"


def map_points(user: RequestUser) -> list[dict[str, object]]:
    """Open hazards with a position, in the user's scope (one query)."""
    rows = (
        Hazard.objects.visible_to(user)
        .open()
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("pk")
        .values("pk", "road", "location", "severity", "status", "latitude", "longitude", "deadline")
    )
    today = timezone.localdate()
    severity = dict(Severity.choices)
    status = dict(HazardStatus.choices)
    return [
        {
            "id": row["pk"],
            "lat": float(row["latitude"]),
            "lng": float(row["longitude"]),
            "road": row["road"],
            "location": row["location"],
            "severity": row["severity"],
            "severity_label": str(severity.get(row["severity"], row["severity"])),
            "status_label": str(status.get(row["status"], row["status"])),
            "overdue": bool(row["deadline"] and row["deadline"] < today),
            "url": reverse("hazards:hazard_detail", args=[row["pk"]]),
        }
        for row in rows
    ]


def map_legend(points: list[dict[str, object]]) -> dict[str, object]:
    """The colours on the map with the number of points of each, the most severe first."""
    counts = Counter(point["severity"] for point in points)
    return {
        "severities": [
            {
                "key": value,
                "label": label,
                "colour": SEVERITY_COLOURS[Severity(value)],
                "count": counts.get(value, 0),
            }
            for value, label in reversed(Severity.choices)
        ],
        "overdue": sum(1 for point in points if point["overdue"]),
        "overdue_colour": OVERDUE_COLOUR,
    }


class HazardMapView(RoleRequiredMixin, TemplateView):
    template_name = "hazards/hazard_map.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        points = map_points(self.request.user)
        context.update(
            page_title=_("Map of open hazards"),
            points=points,
            legend=map_legend(points),
            map_config={
                **geo.map_config(),
                "colours": {str(key): colour for key, colour in SEVERITY_COLOURS.items()},
                "severity_order": [value for value, _label in Severity.choices],
                "overdue_colour": OVERDUE_COLOUR,
                # %(count)s: the number of hazards a cluster holds
                "cluster_label": _("%(count)s hazards here: tap to zoom in"),
                # the black spots' heat layer, a layer to switch on (who sees black spots)
                "heat_url": reverse("incidents:blackspot_heat")
                if has_role(self.request.user, STAFF)
                else "",
                "heat_label": _("Accident heat"),
                "hazards_label": _("Open hazards"),
            },
            without_position=Hazard.objects.visible_to(self.request.user)
            .open()
            .filter(latitude__isnull=True)
            .count(),
        )
        return context


class HazardMapPointsView(RoleRequiredMixin, View):
    def get(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse({"points": map_points(request.user)})
