"""The outreach demo data reproduces FIGURES.md rows 16-20, and seeding twice writes
nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import Count, Sum

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRollup
from brigade.core.kpi.weeks import parse_week
from brigade.duty import demo as brigade_demo
from outreach import demo
from outreach.choices import AssistanceKind, CommendationKind, GoalKind, VenueKind
from outreach.models import (
    AssistanceEvent,
    Commendation,
    LoveStation,
    OutreachCampaign,
    PublicityEvent,
    StationVisitDay,
)

pytestmark = pytest.mark.django_db

FIRST_HALF = (dt.date(2022, 1, 1), dt.date(2022, 6, 30))
BY_14_JUNE = (dt.date(2022, 1, 1), dt.date(2022, 6, 14))


def _context() -> brigade_demo.DemoContext:
    context = brigade_demo.DemoContext(stdout=StringIO())
    context.units = brigade_demo.seed_units()
    context.officers = brigade_demo.seed_officers(context.units)
    brigade_demo.seed_posts(context.units)
    return context


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[brigade_demo.DemoContext]:
    """The brigade's units, officers and posts and the outreach part, once for the module,
    rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic(), engine.paused():
        context = _context()
        demo.seed(context)
        try:
            yield context
        finally:
            transaction.set_rollback(True)


def test_rows_19_events_by_venue_kind_as_of_14_june(seeded):
    counts = dict(
        PublicityEvent.objects.filter(held_on__range=BY_14_JUNE)
        .values_list("venue_kind")
        .annotate(n=Count("pk"))
    )
    assert counts[VenueKind.ENTERPRISE] == 6
    assert counts[VenueKind.SCHOOL] == 10
    assert counts[VenueKind.COMMUNITY] == 8
    assert counts[VenueKind.KEY_DATE] == 7


def test_row_20_people_educated_and_consultations_at_events(seeded):
    totals = PublicityEvent.objects.filter(held_on__range=FIRST_HALF).aggregate(
        people=Sum("audience"), consultations=Sum("consultations")
    )
    assert totals == {"people": 15_000, "consultations": 1_500}
    # spread out: no event carries the total, every event educated someone
    audiences = list(PublicityEvent.objects.values_list("audience", flat=True))
    assert min(audiences) > 0 and max(audiences) < 3_000
    months = {d.month for d in PublicityEvent.objects.values_list("held_on", flat=True)}
    assert months == {1, 2, 3, 4, 5, 6}


def test_rows_16_to_18_commendations_assistance_and_stations(seeded):
    banners = Commendation.objects.filter(
        kind=CommendationKind.BANNER, received_on__range=FIRST_HALF
    )
    assert banners.count() == 15
    # each to exactly one officer or unit, counted in that unit
    assert all((c.officer is None) != (c.recipient_unit is None) for c in banners)
    help_ = AssistanceEvent.objects.filter(occurred_at__date__range=FIRST_HALF)
    assert help_.count() == 40
    kinds = set(help_.values_list("kind", flat=True))
    assert kinds == set(AssistanceKind.values)
    assert LoveStation.objects.filter(is_active=True).count() == 5
    assert StationVisitDay.objects.filter(visits__gt=0).exists()


def test_the_yellow_cap_campaign_covers_its_ten_schools(seeded):
    campaign = OutreachCampaign.objects.with_progress().get(name=demo.YELLOW_CAP)
    assert campaign.partner == "市教育局"
    assert campaign.goal_kind == GoalKind.SCHOOLS
    assert (campaign.progress, campaign.goal_target) == (10, 10)


def test_the_engine_reproduces_the_figures_for_week_24(seeded):
    engine.recompute_all()

    def figure(key: str) -> int:
        row = KpiRollup.objects.get(metric=key, week=parse_week("2022-W24"), scope="brigade")
        return int(row.numerator)

    assert figure("outreach.events_by_venue.enterprise") == 6
    assert figure("outreach.events_by_venue.school") == 10
    assert figure("outreach.events_by_venue.community") == 8
    assert figure("outreach.events_by_venue.key_date") == 7
    assert figure("outreach.people_educated") == 15_000
    assert figure("outreach.consultations") == 1_500
    assert figure("outreach.love_stations") == 5
    banners = Commendation.objects.filter(received_on__lte=dt.date(2022, 6, 19)).count()
    assert figure("outreach.commendations") == banners


def test_seeding_again_writes_nothing(seeded):
    def counts() -> dict[str, int]:
        return {m._meta.label: m._default_manager.count() for m in apps.get_models()}

    before = counts()
    demo.seed(seeded)
    assert counts() == before
