"""The accidents' heat layer: its points (the accidents with injuries or deaths of the
window in the user's scope, a fatal one weighing more), embedded in the black-spot page and
served as JSON to the hazard map's "Accident heat" layer, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.urls import reverse

from brigade.core.dates import local_tz
from incidents.choices import Severity
from incidents.models import Accident
from incidents.views.black_spots import HEAT_LAYER, HEAT_WEIGHTS, heat_points
from tests.incidents.factories import AccidentFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 6, 30, 12, 0, tzinfo=local_tz())
TODAY = NOW.date()
FIRST = TODAY - dt.timedelta(days=364)  # the rolling window's first day (365 days)
HEAT = reverse("incidents:blackspot_heat")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def crash(unit, *, days_ago: int = 10, severity=Severity.INJURY, point=True, lat="36.456000"):
    return AccidentFactory(
        unit=unit,
        latitude=lat if point else None,
        longitude="115.985000" if point else None,
        occurred_at=NOW - dt.timedelta(days=days_ago),
        severity=severity,
    )


@pytest.fixture
def accidents(unit, other_unit):
    """In ``unit``: two injury accidents and a fatal one in the window, and what the heat
    leaves out (property damage only, too old, no point); one injury accident in
    ``other_unit``."""
    crash(unit, days_ago=3, lat="36.456001")
    crash(unit, days_ago=30, lat="36.456002")
    crash(unit, days_ago=50, severity=Severity.FATAL, lat="36.456003")
    crash(unit, days_ago=5, severity=Severity.PROPERTY)
    crash(unit, days_ago=400)
    crash(unit, days_ago=7, point=False)
    crash(other_unit, days_ago=9, lat="36.456009")


def serious_in(user, first: dt.date, last: dt.date) -> int:
    """The direct count the heat must match: serious accidents with a point, in scope."""
    return sum(
        1
        for a in Accident.objects.visible_to(user)
        if a.severity in (Severity.INJURY, Severity.FATAL)
        and a.latitude is not None
        and first <= a.occurred_at.astimezone(local_tz()).date() <= last
    )


def test_the_points_are_the_serious_accidents_in_scope_and_window(accidents, commander):
    points = heat_points(commander, FIRST, TODAY)

    assert len(points) == serious_in(commander, FIRST, TODAY) == 3
    # the other unit's accident is not there; a fatal one weighs twice an injury one
    assert sorted(p[0] for p in points) == [36.456001, 36.456002, 36.456003]
    assert {p[0]: p[2] for p in points}[36.456003] == HEAT_WEIGHTS[Severity.FATAL] == 1.0
    assert {p[0]: p[2] for p in points}[36.456001] == HEAT_WEIGHTS[Severity.INJURY] == 0.5


def test_the_brigade_sees_every_units_accidents(accidents, brigade_commander):
    points = heat_points(brigade_commander, FIRST, TODAY)

    assert len(points) == serious_in(brigade_commander, FIRST, TODAY) == 4
    assert 36.456009 in {p[0] for p in points}


def test_the_window_bounds_the_points(accidents, commander):
    last = TODAY - dt.timedelta(days=10)
    points = heat_points(commander, TODAY - dt.timedelta(days=40), last)

    assert [p[0] for p in points] == [36.456002]


def test_the_endpoint_serves_the_pages_points(accidents, commander, client):
    client.force_login(commander)

    served = client.get(HEAT).json()
    page = client.get(reverse("incidents:blackspot_list"))

    assert served["first"] == FIRST.isoformat() and served["last"] == TODAY.isoformat()
    assert served["points"] == page.context["heat"] == heat_points(commander, FIRST, TODAY)
    assert len(served["points"]) == 3
    # drawn the same way on both maps
    assert served["options"] == page.context["map_config"]["heat"] == HEAT_LAYER
    assert 'id="black-spot-heat"' in page.text
    assert "/static/vendor/leaflet.heat/leaflet-heat.js" in page.text
    assert finders.find("vendor/leaflet.heat/leaflet-heat.js")  # served by the app itself


def test_the_endpoint_takes_the_pages_period(accidents, commander, client):
    client.force_login(commander)
    first = (TODAY - dt.timedelta(days=10)).isoformat()

    served = client.get(HEAT, {"date_from": first, "date_to": TODAY.isoformat()}).json()

    assert served["first"] == first
    assert sorted(p[0] for p in served["points"]) == [36.456001]


def test_the_endpoint_runs_the_same_queries_for_any_number_of_points(
    unit, commander, client, django_assert_num_queries
):
    client.force_login(commander)
    crash(unit)
    client.get(HEAT)
    # the session (read, and saved in a savepoint), the user, their roles and officer
    # profile; then the one query of the points
    with django_assert_num_queries(8) as few:
        assert len(client.get(HEAT).json()["points"]) == 1
    for days in range(11, 31):
        crash(unit, days_ago=days)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(HEAT).json()["points"]) == 21


@pytest.mark.parametrize("persona", ["officer", "clerk"])
def test_who_does_not_see_black_spots_gets_no_heat(accidents, persona, client, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(HEAT).status_code == 403


def test_the_hazard_map_offers_the_heat_layer_to_those_who_see_black_spots(
    commander, officer, client
):
    client.force_login(commander)
    page = client.get(reverse("hazards:hazard_map"))
    assert page.context["map_config"]["heat_url"] == HEAT
    assert "/static/vendor/leaflet.heat/leaflet-heat.js" in page.text

    client.force_login(officer)
    page = client.get(reverse("hazards:hazard_map"))
    assert page.context["map_config"]["heat_url"] == ""
    assert "leaflet-heat.js" not in page.text


def test_anonymous_is_sent_to_sign_in(client):
    answer = client.get(HEAT)
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_the_page_runs_the_same_queries_for_any_number_of_accidents(
    unit, commander, client, django_assert_num_queries
):
    client.force_login(commander)
    crash(unit)
    page = reverse("incidents:blackspot_list")
    client.get(page)
    with django_assert_num_queries(11) as few:
        assert len(client.get(page).context["heat"]) == 1
    for days in range(11, 31):
        crash(unit, days_ago=days)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(page).context["heat"]) == 21
