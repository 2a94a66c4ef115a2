"""The outreach panel on the commanders' dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from brigade.core.kpi import engine
from tests.brigade.factories import OfficerFactory
from tests.outreach.factories import (
    AssistanceEventFactory,
    CommendationFactory,
    PublicityEventFactory,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def test_the_panel_shows_the_last_seven_days_for_the_commanders_unit(client, commander, other_unit):
    unit = commander.officer.unit
    today = timezone.localdate()
    PublicityEventFactory(unit=unit, held_on=today, audience=300, venue_name="实验小学")
    PublicityEventFactory(unit=unit, held_on=today - dt.timedelta(days=6), audience=200)
    PublicityEventFactory(unit=unit, held_on=today - dt.timedelta(days=7), audience=999)
    PublicityEventFactory(unit=other_unit, held_on=today, audience=5000)
    AssistanceEventFactory(unit=unit)
    AssistanceEventFactory(unit=unit, occurred_at=timezone.now() - dt.timedelta(days=30))
    banner = CommendationFactory(officer=OfficerFactory(unit=unit), giver="李女士")
    engine.recompute_all()  # the dashboard shows its panels once the week has figures
    client.force_login(commander)
    page = client.get(reverse("dashboard")).text
    assert 'data-testid="panel-outreach"' in page
    assert 'data-testid="panel-outreach-events">2<' in page
    assert 'data-testid="panel-outreach-people">500<' in page
    assert 'data-testid="panel-outreach-assistance">1<' in page
    assert "实验小学" in page
    assert reverse("outreach:commendation_detail", args=[banner.pk]) in page


def test_officers_get_no_panel(officer):
    from outreach.panels import panel_context

    assert panel_context(officer, None) is None


def test_the_panel_runs_a_fixed_number_of_queries(commander, django_assert_num_queries):
    from outreach.panels import panel_context

    unit = commander.officer.unit
    panel_context(commander, unit.pk)  # the scope is cached on the user from here on
    for _ in range(8):
        PublicityEventFactory(unit=unit, held_on=timezone.localdate())
        CommendationFactory(officer=OfficerFactory(unit=unit))
    with django_assert_num_queries(4):
        context = panel_context(commander, unit.pk)
    assert context is not None and len(context["recent_events"]) == 5
