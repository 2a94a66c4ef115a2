"""The black-spot page: the ranked table, the map (the accidents as a heat layer, the
spots, the open hazards) and the one action, opening a hazard investigation; and the heat
layer's points as JSON, for the hazard map."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from brigade.core import geo
from brigade.core.errors import TransitionNotAllowed
from brigade.core.pageviews import RecordActionView
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import STAFF
from incidents import black_spots, services
from incidents.choices import Severity
from incidents.forms import BlackSpotWindowForm
from incidents.models import Accident, BlackSpot

# How much an accident warms the heat layer: a fatal one twice as much as one with injuries.
HEAT_WEIGHTS = {Severity.FATAL: 1.0, Severity.INJURY: 0.5}
# How both maps draw them (Leaflet.heat's options): full strength from the town's zoom up;
# a place is at its hottest from a weight of 2 (four with injuries, or two fatal).
HEAT_LAYER = {"radius": 25, "blur": 18, "maxZoom": 12, "max": 2.0}


def heat_points(user: object, first: dt.date, last: dt.date) -> list[list[float]]:
    """The heat layer's points: the user's accidents with injuries or deaths of ``first`` ..
    ``last`` that have a point, each as [lat, lng, weight] (``HEAT_WEIGHTS``). One query;
    the black-spot page embeds them and the hazard map reads them from ``BlackSpotHeatView``."""
    rows = (
        Accident.objects.visible_to(user)
        .serious()
        .occurred_between(first, last)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("occurred_at", "pk")
        .values_list("latitude", "longitude", "severity")
    )
    return [
        [round(float(lat), 6), round(float(lng), 6), HEAT_WEIGHTS[Severity(severity)]]
        for lat, lng, severity in rows
    ]


def window(request: HttpRequest) -> tuple[BlackSpotWindowForm, dt.date | None, dt.date | None]:
    """The period asked for (``date_from``/``date_to``), each None when not given or not
    valid, with its form."""
    form = BlackSpotWindowForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    return form, None, None


def filled(first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period with its missing ends taken from the rolling window."""
    rolling = black_spots.rolling_window(last)
    return first or rolling[0], last or rolling[1]


class BlackSpotListView(RoleRequiredMixin, TemplateView):
    """The black spots in the user's scope, ranked, with the map."""

    template_name = "incidents/blackspot_list.html"
    read_roles = STAFF

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form, first, last = window(self.request)
        rows = black_spots.listed(self.request.user, first, last)
        first, last = filled(first, last)
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
            heat=heat_points(self.request.user, first, last),
            spots=spots,
            map_config={
                **geo.map_config(),
                "hazards_url": reverse("hazards:hazard_map_points"),
                "heat": HEAT_LAYER,
            },
        )
        return context


class BlackSpotHeatView(RoleRequiredMixin, View):
    """GET: the heat layer's points of the period (``date_from``/``date_to``, by default the
    rolling window), for the hazard map's "Accident heat" layer."""

    read_roles = STAFF

    def get(self, request: HttpRequest) -> JsonResponse:
        _form, first, last = window(request)
        first, last = filled(first, last)
        return JsonResponse(
            {
                "first": first.isoformat(),
                "last": last.isoformat(),
                "points": heat_points(request.user, first, last),
                "options": HEAT_LAYER,
            }
        )


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
        except TransitionNotAllowed as refused:  # no longer a spot
            messages.error(request, refused.message)
            return redirect("incidents:blackspot_list")
        messages.success(request, _("Hazard investigation #%(id)s opened.") % {"id": hazard.id})
        return redirect(hazard.url)
