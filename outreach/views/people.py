"""An officer's and a unit's outreach: events by venue kind, assistance, commendations."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.views.generic import DetailView

from brigade.core.permissions import RoleRequiredMixin
from brigade.duty.models import Officer, Unit
from outreach.choices import VenueKind
from outreach.models import AssistanceEvent, Commendation, LoveStation, PublicityEvent
from outreach.views.assistance import kind_counts
from outreach.views.common import RECENT, event_totals


def _venue_rows(events: QuerySet[PublicityEvent]) -> list[dict[str, Any]]:
    """Events, people and consultations per venue kind, in one grouped query."""
    found = {
        row["venue_kind"]: row
        for row in events.order_by()
        .values("venue_kind")
        .annotate(
            events=Count("pk", distinct=True),
            people=Sum("audience", default=0),
            consultations=Sum("consultations", default=0),
        )
    }
    return [
        {"kind": kind.value, "label": kind.label, **found[kind.value]}
        for kind in VenueKind
        if kind.value in found
    ]


def _events(events: QuerySet[PublicityEvent]) -> dict[str, Any]:
    return {"venue_rows": _venue_rows(events), "totals": event_totals(events)}


class OfficerOutreachView(RoleRequiredMixin, DetailView):
    """One officer's publicity events, assistance and commendations."""

    model = Officer
    template_name = "outreach/officer_detail.html"
    context_object_name = "officer"

    def get_queryset(self) -> QuerySet[Officer]:
        return Officer.objects.visible_to(self.request.user).select_related("unit")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        officer = self.object
        user = self.request.user
        events = PublicityEvent.objects.visible_to(user).filter(officers=officer)
        assistance = AssistanceEvent.objects.visible_to(user).filter(officers=officer)
        context.update(
            _events(events),
            events=events.select_related("unit").order_by("-held_on", "-pk")[:RECENT],
            assistance=assistance.order_by("-occurred_at", "-pk")[:RECENT],
            assistance_count=assistance.count(),
            commendations=Commendation.objects.visible_to(user)
            .filter(officer=officer)
            .order_by("-received_on", "-pk"),
            filter_query=f"officer={officer.pk}",
        )
        return context


class UnitOutreachView(RoleRequiredMixin, DetailView):
    """A unit's outreach: events by venue kind, assistance by kind, commendations to the
    unit and its officers, its love stations."""

    model = Unit
    template_name = "outreach/unit_detail.html"
    context_object_name = "unit"

    def get_queryset(self) -> QuerySet[Unit]:
        return Unit.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unit = self.object
        events = PublicityEvent.objects.filter(unit=unit)
        assistance = AssistanceEvent.objects.filter(unit=unit)
        commendations = Commendation.objects.filter(unit=unit)
        by_kind, assistance_count = kind_counts(assistance)
        context.update(
            _events(events),
            events=events.order_by("-held_on", "-pk")[:RECENT],
            assistance_by_kind=by_kind,
            assistance_count=assistance_count,
            assistance=assistance.order_by("-occurred_at", "-pk")[:RECENT],
            commendations=commendations.select_related("officer", "recipient_unit").order_by(
                "-received_on", "-pk"
            )[:RECENT],
            commendation_count=commendations.count(),
            stations=LoveStation.objects.filter(unit=unit).order_by("-is_active", "name"),
            filter_query=f"unit={unit.pk}",
        )
        return context
