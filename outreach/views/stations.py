"""Love stations: the list with today's +1 / −1 tally, the page, the commanders' form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from brigade.core.errors import TransitionNotAllowed
from brigade.core.pageviews import RecordActionView, go_to
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import DUTY, STAFF
from brigade.core.views import PageContextMixin, is_htmx
from outreach import services
from outreach.filtersets import LoveStationFilterSet
from outreach.forms import StationForm, StationTallyForm
from outreach.models import LoveStation, StationVisitDay
from outreach.views.campaigns import ReferenceFormView
from outreach.views.common import OutreachListView, history_entries


class StationFormView(ReferenceFormView):
    form_class = StationForm
    record_kwarg = "station"
    title_new = gettext_lazy("New love station")
    title_edit = gettext_lazy("Change the love station")
    saved = gettext_lazy("Love station saved.")
    service = staticmethod(services.station_save)

    def editable(self) -> QuerySet[LoveStation]:
        return LoveStation.objects.visible_to(self.request.user)


class StationListView(OutreachListView):
    """The love stations with today's visits: officers at a kiosk tap +1 / −1."""

    filterset_class = LoveStationFilterSet
    filter_fields = ("unit", "is_active")
    page_title = gettext_lazy("Love stations")
    show_today = True
    role_flags = {"can_tally": DUTY, "can_manage": STAFF}
    select_related = ("unit", "post")
    ordering = ("-is_active", "unit__code", "name")

    def get_queryset(self) -> QuerySet[LoveStation]:
        return super().get_queryset().with_visits(timezone.localdate())


class StationDetailView(RoleRequiredMixin, PageContextMixin, DetailView):
    """A love station: where and when it is open, its recent days' visits, its history."""

    model = LoveStation
    context_object_name = "station"
    recent_days = 30
    role_flags = {"can_manage": STAFF}

    def get_queryset(self) -> QuerySet[LoveStation]:
        return (
            LoveStation.objects.visible_to(self.request.user)
            .select_related("unit", "post")
            .with_visits(timezone.localdate())
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            visit_days=self.object.visit_days.order_by("-day")[: self.recent_days],
            history=history_entries(self.object),
        )
        return context


def _visits_today(station: LoveStation) -> int:
    return (
        StationVisitDay.objects.filter(station=station, day=timezone.localdate())
        .values_list("visits", flat=True)
        .first()
        or 0
    )


class StationTallyView(RecordActionView):
    """+1 / −1 on today's visits of a station; htmx swaps the counter, else a redirect."""

    model = LoveStation
    read_roles = DUTY
    write_roles = DUTY

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        station = self.get_record()
        form = StationTallyForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Tap +1 or -1."))
        error = ""
        try:
            visits = services.station_tally(station=station, delta=form.cleaned_data["delta"])
        except TransitionNotAllowed as exc:  # the station is closed: back to the list
            messages.error(request, exc.message)
            return go_to(request, "outreach:lovestation_list")
        except ValidationError as exc:
            error = " ".join(exc.messages)
            visits = _visits_today(station)
        if not is_htmx(request):
            if error:
                messages.error(request, f"{station.shown_name}: {error}")
            return redirect(f"{reverse('outreach:lovestation_list')}#station-{station.pk}")
        total = StationVisitDay.objects.filter(station=station).aggregate(
            total=Sum("visits", default=0)
        )["total"]
        context = {"station_id": station.pk, "visits": visits, "error": error, "oob": True}
        context["total"] = total
        return render(request, "outreach/partials/station_count.html", context)
