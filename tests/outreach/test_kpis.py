"""The outreach metrics through the KPI engine, against counts made by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiRollup
from brigade.core.kpi.registry import registry
from brigade.core.kpi.weeks import parse_week
from outreach import services
from outreach.choices import AssistanceKind, CommendationKind, GoalKind, VenueKind
from tests.brigade.factories import OfficerFactory
from tests.outreach.factories import (
    AssistanceEventFactory,
    CommendationFactory,
    LoveStationFactory,
    OutreachCampaignFactory,
    PublicityEventFactory,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
BRIGADE = "brigade"


def figure(metric: str, week: str, scope: object = BRIGADE) -> KpiRollup | None:
    scope = scope if scope == BRIGADE else str(scope.pk)
    return KpiRollup.objects.filter(metric=metric, week=parse_week(week), scope=scope).first()


def numerator(metric: str, week: str, scope: object = BRIGADE) -> Decimal:
    row = figure(metric, week, scope)
    return row.numerator if row else Decimal(0)


def test_the_metrics_are_registered_with_their_tiles():
    keys = {m.key: m for m in registry.all() if m.app == "outreach"}
    assert set(keys) == {
        "outreach.events",
        "outreach.events_by_venue",
        "outreach.people_educated",
        "outreach.consultations",
        "outreach.assistance",
        "outreach.assistance_by_kind",
        "outreach.commendations",
        "outreach.love_stations",
        "outreach.campaign_progress",
    }
    tiles = {key for key, m in keys.items() if m.tile}
    assert tiles == {"outreach.events", "outreach.people_educated", "outreach.assistance"}
    assert keys["outreach.love_stations"].window == "cumulative"


def test_events_people_and_consultations_by_unit_and_venue_kind(unit, other_unit):
    # W10 of 2022 is 7-13 March
    PublicityEventFactory(unit=unit, held_on=dt.date(2022, 3, 7), audience=500, consultations=40)
    PublicityEventFactory(
        unit=unit,
        held_on=dt.date(2022, 3, 13),
        venue_kind=VenueKind.ENTERPRISE,
        audience=120,
        consultations=15,
    )
    PublicityEventFactory(
        unit=other_unit,
        held_on=dt.date(2022, 3, 9),
        venue_kind=VenueKind.KEY_DATE,
        audience=2000,
        consultations=100,
    )
    PublicityEventFactory(unit=unit, held_on=dt.date(2022, 3, 14), audience=7)  # next week
    PublicityEventFactory(unit=unit, held_on=dt.date(2021, 12, 20), audience=9)  # last year

    engine.recompute_all()

    assert numerator("outreach.events", "2022-W10") == 3
    assert numerator("outreach.events", "2022-W10", unit) == 2
    assert numerator("outreach.events", "2022-W11") == 4
    assert numerator("outreach.events_by_venue.school", "2022-W10") == 1
    assert numerator("outreach.events_by_venue.enterprise", "2022-W10", unit) == 1
    assert numerator("outreach.events_by_venue.key_date", "2022-W10", other_unit) == 1
    assert numerator("outreach.people_educated", "2022-W10") == 2620
    assert numerator("outreach.people_educated", "2022-W10", unit) == 620
    assert numerator("outreach.consultations", "2022-W10") == 155
    assert numerator("outreach.people_educated", "2022-W11") == 2627
    # the year-to-date sum starts again in 2022: last year's event counted in 2021 only
    assert numerator("outreach.people_educated", "2021-W51") == 9


def test_assistance_in_all_and_by_kind_in_local_time(unit, officer):
    # 23:30 UTC on Sunday 13 March is Monday 14 March in Shanghai: week 11
    AssistanceEventFactory(unit=unit, occurred_at=dt.datetime(2022, 3, 13, 23, 30, tzinfo=dt.UTC))
    AssistanceEventFactory(
        unit=unit,
        occurred_at=dt.datetime(2022, 3, 8, 9, 0, tzinfo=SHANGHAI),
        kind=AssistanceKind.EXAM_ESCORT,
    )
    AssistanceEventFactory(
        unit=unit,
        occurred_at=dt.datetime(2022, 3, 9, 9, 0, tzinfo=SHANGHAI),
        kind=AssistanceKind.EXAM_ESCORT,
    )

    engine.recompute_all()

    assert numerator("outreach.assistance", "2022-W10") == 2
    assert numerator("outreach.assistance", "2022-W11") == 3
    assert numerator("outreach.assistance_by_kind.exam_escort", "2022-W11", unit) == 2
    assert numerator("outreach.assistance_by_kind.medical_escort", "2022-W11") == 1


def test_commendations_count_for_the_officers_unit_or_the_commended_unit(unit, other_unit):
    CommendationFactory(officer=OfficerFactory(unit=unit), received_on=dt.date(2022, 3, 8))
    CommendationFactory(
        officer=None,
        recipient_unit=other_unit,
        unit=other_unit,
        kind=CommendationKind.LETTER,
        received_on=dt.date(2022, 3, 9),
    )

    engine.recompute_all()

    assert numerator("outreach.commendations", "2022-W10") == 2
    assert numerator("outreach.commendations", "2022-W10", unit) == 1
    assert numerator("outreach.commendations", "2022-W10", other_unit) == 1


def test_love_stations_are_a_stock_across_years(unit):
    LoveStationFactory(unit=unit, opened_on=dt.date(2021, 11, 1))
    LoveStationFactory(unit=unit, opened_on=dt.date(2022, 3, 8))
    LoveStationFactory(unit=unit, opened_on=dt.date(2022, 3, 9), is_active=False)

    engine.recompute_all()

    assert numerator("outreach.love_stations", "2021-W50") == 1
    # a stock: the station of 2021 still counts in 2022
    assert numerator("outreach.love_stations", "2022-W10") == 2
    assert numerator("outreach.love_stations", "2022-W20", unit) == 2


def test_campaign_progress_counts_each_school_once_against_the_targets(unit, other_unit):
    # given: a school campaign led by ``unit`` (target 10) and a people campaign (target 5000)
    schools = OutreachCampaignFactory(
        unit=unit, goal_kind=GoalKind.SCHOOLS, goal_target=10, starts_on=dt.date(2022, 3, 1)
    )
    people = OutreachCampaignFactory(
        unit=unit, goal_kind=GoalKind.PEOPLE, goal_target=5000, starts_on=dt.date(2022, 3, 1)
    )
    PublicityEventFactory(
        unit=unit, campaign=schools, venue_name="一小", held_on=dt.date(2022, 3, 8)
    )
    # the same school again next week: not a new school
    PublicityEventFactory(
        unit=unit, campaign=schools, venue_name="一小", held_on=dt.date(2022, 3, 15)
    )
    # another unit's visit counts for the campaign's lead unit
    PublicityEventFactory(
        unit=other_unit, campaign=schools, venue_name="二小", held_on=dt.date(2022, 3, 16)
    )
    # a community event does not cover a school
    PublicityEventFactory(
        unit=unit,
        campaign=schools,
        venue_kind=VenueKind.COMMUNITY,
        venue_name="柳园社区",
        held_on=dt.date(2022, 3, 9),
    )
    PublicityEventFactory(unit=unit, campaign=people, audience=1200, held_on=dt.date(2022, 3, 9))

    engine.recompute_all()

    w10 = figure("outreach.campaign_progress", "2022-W10")
    assert (w10.numerator, w10.denominator) == (1 + 1200, 5010)
    w11 = figure("outreach.campaign_progress", "2022-W11", unit)
    assert (w11.numerator, w11.denominator) == (2 + 1200, 5010)
    assert w11.value == pytest.approx(Decimal(1202) / 5010, abs=Decimal("1e-6"))
    assert figure("outreach.campaign_progress", "2022-W11", other_unit) is None


def test_a_new_event_recomputes_its_week_incrementally(officer, django_capture_on_commit_callbacks):
    engine.recompute_all()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_save(
            by=officer,
            held_on=dt.date(2022, 3, 8),
            venue_kind=VenueKind.COMMUNITY,
            venue_name="柳园社区",
            topic="电动车安全",
            officers=[officer.officer],
            audience=321,
        )
    engine.recompute_dirty()
    assert numerator("outreach.people_educated", "2022-W10") == 321


def test_a_campaign_event_recomputes_the_progress_incrementally(
    officer, unit, django_capture_on_commit_callbacks
):
    campaign = OutreachCampaignFactory(
        unit=unit, goal_kind=GoalKind.SCHOOLS, goal_target=4, starts_on=dt.date(2022, 3, 1)
    )
    engine.recompute_all()
    assert numerator("outreach.campaign_progress", "2022-W10") == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.event_save(
            by=officer,
            held_on=dt.date(2022, 3, 8),
            venue_kind=VenueKind.SCHOOL,
            venue_name="实验小学",
            topic="小黄帽发放",
            officers=[officer.officer],
            campaign=campaign,
        )
    engine.recompute_dirty()
    row = figure("outreach.campaign_progress", "2022-W10", unit)
    assert (row.numerator, row.denominator) == (1, 4)
