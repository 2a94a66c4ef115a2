"""Reads of the outreach app; ``visible_to(user)`` scopes every list to the user's unit."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When

from brigade.core.querysets import BrigadeWideQuerySet, ScopedQuerySet, UnitScopedQuerySet
from brigade.core.scope import scope_of
from brigade.core.typing import Visitor
from outreach.choices import VENUE_GOALS, GoalKind

if TYPE_CHECKING:
    from brigade.duty.models import Officer


class PublicityEventQuerySet(UnitScopedQuerySet):
    def for_list(self) -> PublicityEventQuerySet:
        """Everything a list row shows, in a fixed number of queries."""
        return self.select_related("unit", "campaign", "recorded_by").prefetch_related("officers")

    def held_between(self, first: dt.date | None, last: dt.date | None) -> PublicityEventQuerySet:
        qs = self
        if first:
            qs = qs.filter(held_on__gte=first)
        if last:
            qs = qs.filter(held_on__lte=last)
        return qs

    def totals(self) -> dict[str, int]:
        """Events, people educated, consultations and materials, in one query."""
        return self.aggregate(
            events=Count("pk"),
            people=Sum("audience", default=0),
            consultations=Sum("consultations", default=0),
            materials=Sum("materials", default=0),
        )


class OutreachCampaignQuerySet(BrigadeWideQuerySet):
    """Outreach campaigns are the brigade's: every unit logs events into them."""

    def editable_by(self, user: Visitor) -> OutreachCampaignQuerySet:
        """Every user reads every campaign, but only the lead unit's commanders (or a
        brigade-wide role) change one: a squadron does not rewrite another's goal."""
        scope = scope_of(user)
        if scope.brigade_wide:
            return self.all()
        if scope.unit_id is None:
            return self.none()
        return self.filter(unit_id=scope.unit_id)

    def with_progress(self) -> OutreachCampaignQuerySet:
        """Annotate ``progress``: distinct venues of the goal's kind visited (venue goals),
        events held, or people educated, counting the campaign's linked events."""
        venues = Count(
            "events__venue_name",
            distinct=True,
            filter=Q(events__venue_kind=F("goal_kind")),
        )
        return self.annotate(
            event_count=Count("events", distinct=True),
            progress=Case(
                When(goal_kind__in=list(VENUE_GOALS), then=venues),
                When(goal_kind=GoalKind.EVENTS, then=Count("events", distinct=True)),
                When(goal_kind=GoalKind.PEOPLE, then=Sum("events__audience", default=0)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )


class LoveStationQuerySet(UnitScopedQuerySet):
    def active(self) -> LoveStationQuerySet:
        return self.filter(is_active=True)

    def with_visits(self, day: dt.date) -> LoveStationQuerySet:
        """Annotate ``visits_today`` (on ``day``) and ``visits_total``."""
        return self.annotate(
            visits_on_day=Sum("visit_days__visits", filter=Q(visit_days__day=day), default=0),
            visits_total=Sum("visit_days__visits", default=0),
        )


class StationVisitDayQuerySet(ScopedQuerySet):
    unit_path = "station__unit_id"


class EventPhotoQuerySet(ScopedQuerySet):
    unit_path = "event__unit_id"


class AssistanceEventQuerySet(UnitScopedQuerySet):
    def for_list(self) -> AssistanceEventQuerySet:
        return self.select_related("unit", "recorded_by").prefetch_related("officers")


class CommendationQuerySet(UnitScopedQuerySet):
    def for_list(self) -> CommendationQuerySet:
        return self.select_related("unit", "officer", "recipient_unit")

    def for_officer(self, officer: Officer) -> CommendationQuerySet:
        return self.filter(officer=officer)
