"""The map of open hazards and its points."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from brigade.core.permissions import RoleRequiredMixin
from hazards.choices import HazardStatus, Severity
from hazards.models import Hazard
from hazards.views.common import RequestUser

# --- the map ---------------------------------------------------------------------------------


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


class HazardMapView(RoleRequiredMixin, TemplateView):
    template_name = "hazards/hazard_map.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        points = map_points(self.request.user)
        context.update(
            page_title=_("Map of open hazards"),
            points=points,
            map_config={
                "tiles": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
                "center": list(settings.MAP_CENTER),
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
