"""The black-spot page: the ranked table, the map (the accidents as graduated circles, the
spots, the open hazards) and the one action, opening a hazard investigation."""

from __future__ import annotations

from typing import Any

import h3
from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from brigade.core.pageviews import RecordActionView
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import STAFF
from incidents import black_spots, services
from incidents.forms import BlackSpotWindowForm
from incidents.models import Accident, BlackSpot


def heat_cells(user: object, first: Any, last: Any) -> list[dict[str, object]]:
    """The user's accidents with injuries or deaths of the window, per map cell (its
    centre and count): one grouped query."""
    rows = (
        Accident.objects.visible_to(user)
        .serious()
        .occurred_between(first, last)
        .exclude(h3_cell="")
        .filter(h3_cell__isnull=False)
        .order_by()
        .values("h3_cell")
        .annotate(n=Count("pk"))
    )
    cells = []
    for row in rows:
        lat, lng = h3.cell_to_latlng(row["h3_cell"])
        cells.append({"lat": round(lat, 6), "lng": round(lng, 6), "n": row["n"]})
    return cells


class BlackSpotListView(RoleRequiredMixin, TemplateView):
    """The black spots in the user's scope, ranked, with the map."""

    template_name = "incidents/blackspot_list.html"
    read_roles = STAFF

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = BlackSpotWindowForm(self.request.GET or None)
        first = last = None
        if form.is_bound and form.is_valid():
            first, last = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        rows = black_spots.listed(self.request.user, first, last)
        window = black_spots.rolling_window(last)
        first, last = first or window[0], last or window[1]
        spots = [
            {
                "rank": row.rank,
                "lat": row.latitude,
                "lng": row.longitude,
                "name": row.name,
                "accidents": row.accidents,
            }
            for row in rows
            if row.latitude is not None and row.longitude is not None
        ]
        context.update(
            page_title=_("Black spots"),
            form=form,
            rows=rows,
            first=first,
            last=last,
            thresholds=black_spots.Thresholds.from_settings(),
            window_days=settings.BLACK_SPOT_WINDOW_DAYS,
            heat=heat_cells(self.request.user, first, last),
            spots=spots,
            map_config={
                "tiles": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
                "center": list(settings.MAP_CENTER),
                "hazards_url": reverse("hazards:hazard_map_points"),
            },
        )
        return context


class BlackSpotOpenHazardView(RecordActionView):
    """POST: open a hazard investigation at a black spot (commanders)."""

    model = BlackSpot
    write_roles = STAFF

    def get_landing_url(self) -> str:
        self.get_record()
        return reverse("incidents:blackspot_list")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        spot = self.get_record()
        try:
            hazard = services.black_spot_open_hazard(spot=spot, by=request.user)
        except services.SpotInvestigated as refused:
            messages.error(request, refused.message)
            return redirect(refused.hazard.url)
        messages.success(request, _("Hazard investigation #%(id)s opened.") % {"id": hazard.id})
        return redirect(hazard.url)
