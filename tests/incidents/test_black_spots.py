"""Black spots: the rule (thresholds, window, rings and merges), the stored spots kept up to
date on change, the API (roles, scope, records_api), opening a hazard from one, and the
effect of a verified rectification."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import h3
import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from brigade.core.dates import local_tz
from brigade.core.tokens import issue_token
from hazards.choices import HazardSource, HazardStatus
from hazards.models import Hazard
from incidents import black_spots
from incidents.choices import Severity, SpotKind
from incidents.models import Accident, BlackSpot, BlackSpotMark
from tests.incidents.factories import AccidentPartyFactory, accident_in_cell

pytestmark = pytest.mark.django_db

# The clock of every test here: the window ends on 2024-06-30 (local).
NOW = dt.datetime(2024, 6, 30, 12, 0, tzinfo=local_tz())
TODAY = NOW.date()
FIRST = TODAY - dt.timedelta(days=364)  # the rolling window's first day (365 days)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def cell_at(lat: float, lng: float) -> str:
    return h3.latlng_to_cell(lat, lng, settings.H3_RESOLUTION)


# a cell in central Liaocheng, one of its neighbours, and a cell far from both
HOME = cell_at(36.45, 115.98)
NEXT = sorted(set(h3.grid_disk(HOME, 1)) - {HOME})[0]
FAR = cell_at(36.50, 116.05)


def crash(unit, cell: str, *, days_ago: int = 10, severity=Severity.INJURY, at=None, **extra):
    """An accident at the centre of ``cell``, ``days_ago`` before the tests' clock."""
    return accident_in_cell(unit, cell, at or NOW - dt.timedelta(days=days_ago), severity, **extra)


def stored() -> list[BlackSpot]:
    return list(BlackSpot.objects.filter(current=True).order_by("rank"))


def recomputed() -> list[BlackSpot]:
    """The spots after the nightly recompute (the tests' changes are never committed, so
    the on-change update, which runs after the commit, is tested on its own)."""
    black_spots.recompute_all()
    return stored()


# --- the rule ------------------------------------------------------------------------------


def test_the_accident_is_placed_in_its_cell(unit):
    assert crash(unit, HOME).h3_cell == HOME


def test_exactly_the_minimum_of_accidents_is_a_spot_one_less_is_not(unit):
    for _ in range(settings.BLACK_SPOT_MIN_ACCIDENTS - 1):
        crash(unit, HOME)
    assert black_spots.compute(FIRST, TODAY) == []

    crash(unit, HOME)

    [spot] = black_spots.compute(FIRST, TODAY)
    assert (spot.h3_cell, spot.tally.accidents) == (HOME, settings.BLACK_SPOT_MIN_ACCIDENTS)


def test_property_only_accidents_do_not_count(unit):
    for _ in range(5):
        crash(unit, HOME, severity=Severity.PROPERTY)
    assert black_spots.compute(FIRST, TODAY) == []


def test_every_threshold_must_be_met(unit, settings):
    settings.BLACK_SPOT_MIN_ACCIDENTS = 3
    settings.BLACK_SPOT_MIN_FATALITIES = 1
    for _ in range(3):
        crash(unit, HOME)
    # three with injuries, none fatal: one fatality short
    assert black_spots.compute(FIRST, TODAY) == []

    crash(unit, HOME, severity=Severity.FATAL)

    [spot] = black_spots.compute(FIRST, TODAY)
    assert (spot.tally.accidents, spot.tally.injuries, spot.tally.fatalities) == (4, 3, 1)


def test_the_windows_first_and_last_days_count_the_day_before_does_not(unit):
    first_day = dt.datetime.combine(FIRST, dt.time(0, 0), tzinfo=local_tz())
    crash(unit, HOME, at=first_day)  # 00:00 of the first day
    crash(unit, HOME, at=NOW.replace(hour=11, minute=59))  # today (the last day)
    crash(unit, HOME, at=first_day - dt.timedelta(minutes=1))  # 23:59 the day before
    assert black_spots.compute(FIRST, TODAY) == []  # two in, one out: short of three

    crash(unit, HOME, at=first_day + dt.timedelta(hours=23, minutes=59))  # the first day

    [spot] = black_spots.compute(FIRST, TODAY)
    assert spot.tally.accidents == 3
    assert black_spots.rolling_window() == (FIRST, TODAY)


def test_a_cluster_across_two_cells_is_one_spot(unit):
    # given: two accidents in one cell, two in the next one (each cell short alone)
    for cell in (HOME, HOME, NEXT, NEXT):
        crash(unit, cell)

    spots = black_spots.compute(FIRST, TODAY)

    # then: one spot with the four, its ring holding both cells
    assert len(spots) == 1
    assert spots[0].tally.accidents == 4
    assert {HOME, NEXT} <= set(spots[0].cells)


def test_spots_whose_rings_do_not_meet_are_two_ranked_by_accidents(unit):
    for _ in range(3):
        crash(unit, HOME)
    for _ in range(4):
        crash(unit, FAR)

    spots = black_spots.compute(FIRST, TODAY)

    assert [(s.rank, s.h3_cell, s.tally.accidents) for s in spots] == [(1, FAR, 4), (2, HOME, 3)]


def test_each_unit_has_its_own_spots(unit, other_unit):
    for _ in range(2):
        crash(unit, HOME)
        crash(other_unit, HOME)
    # two and two: neither unit has three
    assert black_spots.compute(FIRST, TODAY) == []


def test_a_spot_names_its_main_hours_and_its_roads(unit):
    for hour in (8, 8, 17):
        crash(unit, HOME, at=NOW.replace(hour=hour) - dt.timedelta(days=3), road="东昌路")

    [spot] = black_spots.compute(FIRST, TODAY)

    assert spot.main_hours == [{"hour": 8, "accidents": 2}, {"hour": 17, "accidents": 1}]
    assert spot.name == "东昌路"


# --- stored, and kept up to date on change -------------------------------------------------


def test_a_new_accident_updates_the_stored_spots_as_a_full_recompute_would(
    unit, django_capture_on_commit_callbacks
):
    # given: two accidents: no spot
    with django_capture_on_commit_callbacks(execute=True):
        crash(unit, HOME)
        crash(unit, NEXT)
    assert stored() == []

    # when: a third is recorded (after the commit, the update task; eager without a broker)
    with django_capture_on_commit_callbacks(execute=True):
        third = crash(unit, HOME)

    # then: the spot is there, as the full recompute finds it
    [spot] = stored()
    assert (spot.h3_cell, spot.accidents) == (HOME, 3)
    black_spots.recompute_all()  # the nightly run, which also ranks
    [again] = stored()
    assert (again.pk, again.h3_cell, again.accidents, again.rank) == (spot.pk, HOME, 3, 1)

    # when: one is deleted, the spot goes
    with django_capture_on_commit_callbacks(execute=True):
        third.delete()
    assert stored() == []


def test_the_update_of_one_change_costs_a_few_queries_and_describes_the_spot(
    unit, other_unit, django_assert_max_num_queries
):
    # given: a spot's accidents at 08:00 and 17:00 by car and truck, another unit's beside it
    for hour, kind in ((8, "car"), (8, "truck"), (17, "car")):
        accident = crash(unit, HOME, at=NOW.replace(hour=hour) - dt.timedelta(days=3))
        AccidentPartyFactory(accident=accident, vehicle_kind=kind)
    for _ in range(3):
        crash(other_unit, HOME)
    black_spots.recompute_all()
    BlackSpotMark.objects.all().delete()
    # when: one more at 17:00, by car, and the update (as the task runs it)
    fourth = crash(unit, NEXT, at=NOW.replace(hour=17) - dt.timedelta(days=1))
    AccidentPartyFactory(accident=fourth, vehicle_kind="car")
    BlackSpotMark.objects.all().delete()
    BlackSpotMark.objects.create(unit_id=unit.pk, h3_cell=NEXT)
    # the lock, the marks, the cells' counts, the spots kept around them, the kinds, the
    # places, the spots read and written (and the test's savepoint and its release)
    with django_assert_max_num_queries(10):
        assert black_spots.update_marked() == 1
    # then: the spot counts four, described by its own accidents only (not the other unit's)
    spot = BlackSpot.objects.get(unit=unit, current=True)
    assert (spot.h3_cell, spot.accidents) == (HOME, 4)
    assert spot.main_hours == [{"hour": 8, "accidents": 2}, {"hour": 17, "accidents": 2}]
    assert spot.main_kinds == [{"kind": "car", "accidents": 3}, {"kind": "truck", "accidents": 1}]
    # as the full computation finds it
    again = {s.key: s for s in black_spots.compute(FIRST, TODAY)}[(unit.pk, "cell", HOME)]
    assert (again.main_hours, again.main_kinds) == (spot.main_hours, spot.main_kinds)


def test_the_nightly_run_describes_again_only_the_spots_that_changed(unit, monkeypatch):
    from brigade.core.kpi import tracking
    from brigade.duty.choices import PlaceKind
    from brigade.duty.models import Place

    # given: two spots, stored
    for _ in range(3):
        crash(unit, HOME, road="东昌路")
        crash(unit, FAR, road="柳园路")
    black_spots.recompute_all()
    BlackSpotMark.objects.all().delete()
    described: list[str] = []
    real = black_spots.describe

    def spy(spots, *args, **kwargs):  # type: ignore[no-untyped-def]
        described.extend(spot.h3_cell for spot in spots)
        return real(spots, *args, **kwargs)

    monkeypatch.setattr(black_spots, "describe", spy)
    written = {spot.pk: spot.computed_at for spot in stored()}

    # when: nothing changed: nothing is described, nothing written
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        black_spots.recompute_all()
    assert described == []
    assert {spot.pk: spot.computed_at for spot in stored()} == written

    # when: one more at HOME at 23:00 (loaded in bulk: no update on change)
    with tracking.paused():
        crash(unit, HOME, at=NOW.replace(hour=23) - dt.timedelta(days=1))
    black_spots.recompute_all()
    # then: that spot only, now with its 23:00
    assert described == [HOME]
    home = BlackSpot.objects.get(h3_cell=HOME)
    assert home.main_hours == [{"hour": 12, "accidents": 3}, {"hour": 23, "accidents": 1}]

    # when: a vehicle is named on an accident at FAR (the accident changes with it)
    described.clear()
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        AccidentPartyFactory(
            accident=Accident.objects.filter(h3_cell=FAR).first(), vehicle_kind="bus"
        )
    black_spots.recompute_all()
    assert described == [FAR]
    assert BlackSpot.objects.get(h3_cell=FAR).main_kinds == [{"kind": "bus", "accidents": 1}]

    # when: the register gains an intersection at HOME: every spot is named again
    described.clear()
    lat, lng = h3.cell_to_latlng(HOME)
    Place.objects.create(
        name="东昌路与柳园路路口",
        kind=PlaceKind.INTERSECTION,
        latitude=round(lat, 6),
        longitude=round(lng, 6),
    )
    black_spots.recompute_all()
    assert sorted(described) == sorted([HOME, FAR])
    assert BlackSpot.objects.get(h3_cell=HOME).name == "东昌路与柳园路路口"

    # and: what is stored is what describing every spot afresh finds
    fresh = {
        spot.key: (spot.name, spot.main_kinds, spot.main_hours)
        for spot in black_spots.compute(FIRST, TODAY)
    }
    assert {
        (spot.unit_id, spot.kind, spot.h3_cell): (spot.name, spot.main_kinds, spot.main_hours)
        for spot in stored()
    } == fresh


def test_the_full_recompute_is_idempotent(unit):
    for _ in range(3):
        crash(unit, FAR)
    black_spots.recompute_all()
    first = [(s.pk, s.accidents, s.rank) for s in stored()]
    black_spots.recompute_all()
    assert [(s.pk, s.accidents, s.rank) for s in stored()] == first


# --- the API -------------------------------------------------------------------------------

LIST = "/api/v1/incidents/black-spots/"


def spots_in_two_units(unit, other_unit):
    for _ in range(3):
        crash(unit, HOME)
    for _ in range(4):
        crash(other_unit, FAR)
    black_spots.recompute_all()


@pytest.mark.parametrize("persona", ["officer", "clerk"])
def test_officers_and_clerks_cannot_list_black_spots(request, api_as, persona):
    assert api_as(request.getfixturevalue(persona)).get(LIST).status_code == 403


def test_anonymous_is_401(api):
    assert api.get(LIST).status_code == 401


def test_a_squadron_sees_its_own_spots_the_brigade_every_unit(
    unit, other_unit, commander, brigade_commander, api_as
):
    spots_in_two_units(unit, other_unit)

    own = api_as(commander).get(LIST).json()
    every = api_as(brigade_commander).get(LIST).json()

    assert [(r["rank"], r["unit"], r["accidents"]) for r in own["results"]] == [(1, unit.pk, 3)]
    assert [(r["rank"], r["unit"], r["accidents"]) for r in every["results"]] == [
        (1, other_unit.pk, 4),
        (2, unit.pk, 3),
    ]
    assert (own["date_from"], own["date_to"]) == (FIRST.isoformat(), TODAY.isoformat())


def test_each_spots_records_api_counts_its_accidents(
    unit, other_unit, commander, brigade_commander, api_as
):
    spots_in_two_units(unit, other_unit)
    for _ in range(2):  # near the spot, but property only: not counted, not listed
        crash(unit, HOME, severity=Severity.PROPERTY)
    for user in (commander, brigade_commander):
        client = api_as(user)
        rows = client.get(LIST).json()["results"]
        assert rows
        for row in rows:
            listed = client.get(row["records_api"]).json()
            assert listed["count"] == row["accidents"], row["records_api"]


def test_a_past_period_is_computed_by_the_same_rule(unit, brigade_commander, api_as):
    # three accidents in 2023-01; none since
    for day in (3, 4, 5):
        crash(unit, HOME, at=dt.datetime(2023, 1, day, 9, 0, tzinfo=local_tz()))
    client = api_as(brigade_commander)
    assert client.get(LIST).json()["count"] == 0  # out of the rolling window

    body = client.get(LIST, {"from": "2023-01-01", "to": "2023-01-31"}).json()

    [row] = body["results"]
    assert (row["accidents"], row["date_from"], row["date_to"]) == (3, "2023-01-01", "2023-01-31")
    assert client.get(row["records_api"]).json()["count"] == 3


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2024-02-01", "to": "2024-01-01"},
        {"from": "0001-01-01", "to": "2024-01-01"},
        {"from": "2024-01-01", "to": "9999-12-31"},
        {"from": "2024-01-\x00"},
        {"from": "x" * 5000},
    ],
)
def test_a_wrong_window_is_400(brigade_commander, api_as, query):
    assert api_as(brigade_commander).get(LIST, query).status_code == 400


def test_the_list_costs_the_same_queries_for_one_spot_or_many(
    unit, brigade_commander, api_as, django_assert_max_num_queries
):
    client = api_as(brigade_commander)
    for lat in (36.40, 36.45, 36.50, 36.55, 36.60):
        for _ in range(3):
            crash(unit, cell_at(lat, 115.98))
    black_spots.recompute_all()
    BlackSpot.objects.filter(rank=1).update(hazard=_hazard(unit))
    with django_assert_max_num_queries(8):
        assert client.get(LIST).json()["count"] == 5
    with django_assert_max_num_queries(12):
        assert client.get(LIST, {"from": "2024-01-01", "to": "2024-06-30"}).json()["count"] == 5


def test_the_cells_filter_refuses_what_is_not_a_cell(brigade_commander, api_as):
    url = reverse("incidents-api:accident-list")
    answer = api_as(brigade_commander).get(url, {"h3_cells": "abc,'; drop"})
    assert answer.status_code == 400
    assert "h3_cells" in answer.json()


# --- opening a hazard investigation --------------------------------------------------------


def _hazard(unit, **extra):
    return Hazard.objects.create(unit=unit, element="road", road="东昌路", description="x", **extra)


def _open(client, spot, **headers):
    return client.post(f"{LIST}{spot.pk}/open-hazard/", **headers)


def test_a_commander_opens_a_hazard_once_then_409_names_it(unit, commander, api_as):
    # given: a spot of four accidents
    accidents = [crash(unit, HOME, days_ago=d) for d in (5, 6, 7, 8)]
    [spot] = recomputed()
    client = api_as(commander)

    # when: the commander opens a hazard investigation from it
    answer = _open(client, spot)

    # then: the hazard, from accident analysis, at the spot, the latest accident its source
    assert answer.status_code == 201
    hazard = Hazard.objects.get(pk=answer.json()["id"])
    assert hazard.source == HazardSource.ACCIDENT
    assert hazard.unit == unit
    assert (hazard.latitude, hazard.longitude) == (spot.latitude, spot.longitude)
    assert hazard.accident == accidents[0]
    assert all(f"#{a.pk} " in hazard.description for a in accidents)
    spot.refresh_from_db()
    assert spot.hazard == hazard
    assert set(spot.investigated_accidents.all()) == set(accidents)

    # when: again
    again = _open(client, spot)

    # then: 409, naming the open hazard; no second one
    assert again.status_code == 409
    assert again.json()["hazard"]["id"] == hazard.pk
    assert again.json()["hazard"]["url"] == reverse("hazards:hazard_detail", args=[hazard.pk])
    assert Hazard.objects.count() == 1


def test_a_spot_whose_hazard_was_closed_may_be_investigated_again(unit, commander, api_as):
    for _ in range(3):
        crash(unit, HOME)
    [spot] = recomputed()
    spot.hazard = _hazard(unit, status=HazardStatus.REJECTED)
    spot.save()
    assert _open(api_as(commander), spot).status_code == 201


def test_a_spot_no_longer_current_is_not_investigated_409(unit, commander, api_as, client):
    # given: a spot whose accidents then fell below the thresholds (kept, not current)
    accidents = [crash(unit, HOME) for _ in range(3)]
    [spot] = recomputed()
    accidents[0].delete()
    assert recomputed() == []
    # then: opening a hazard there is refused, and none is opened
    response = _open(api_as(commander), spot)
    assert response.status_code == 409
    assert response.json()["state"] == "retired"
    assert Hazard.objects.count() == 0
    assert BlackSpot.objects.get(pk=spot.pk).hazard_id is None
    # and on the page: back to the list with the reason, nothing opened
    client.force_login(commander)
    answer = client.post(reverse("incidents:blackspot_open_hazard", args=[spot.pk]))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("incidents:blackspot_list")
    assert Hazard.objects.count() == 0


def test_a_repeated_request_with_its_key_opens_one_hazard(unit, commander, api):
    for _ in range(3):
        crash(unit, HOME)
    [spot] = recomputed()
    client = api
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(commander)}")
    first = _open(client, spot, HTTP_IDEMPOTENCY_KEY="spot-1")
    second = _open(client, spot, HTTP_IDEMPOTENCY_KEY="spot-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert Hazard.objects.count() == 1


@pytest.mark.parametrize("persona", ["officer", "clerk"])
def test_officers_and_clerks_cannot_open_a_hazard(request, unit, api_as, persona):
    for _ in range(3):
        crash(unit, HOME)
    [spot] = recomputed()
    assert _open(api_as(request.getfixturevalue(persona)), spot).status_code == 403
    assert not Hazard.objects.exists()


def test_another_units_spot_is_404(unit, other_unit, commander, api_as):
    for _ in range(3):
        crash(other_unit, HOME)
    [spot] = recomputed()
    client = api_as(commander)
    assert _open(client, spot).status_code == 404
    assert client.get(f"{LIST}{spot.pk}/").status_code == 404
    assert not Hazard.objects.exists()


def test_the_page_lists_the_spots_and_opens_a_hazard(unit, commander, client):
    for _ in range(3):
        crash(unit, HOME, road="东昌路")
    [spot] = recomputed()
    client.force_login(commander)

    page = client.get(reverse("incidents:blackspot_list"))

    assert page.status_code == 200
    assert 'data-testid="black-spot-1"' in page.text
    assert reverse("incidents:blackspot_open_hazard", args=[spot.pk]) in page.text
    answer = client.post(reverse("incidents:blackspot_open_hazard", args=[spot.pk]))
    hazard = Hazard.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("hazards:hazard_detail", args=[hazard.pk])


# --- the effect of a verified rectification ------------------------------------------------


def test_a_verified_hazard_shows_the_accidents_before_and_after(unit, commander, api_as):
    # given: a hazard at HOME verified 100 days ago
    verified = NOW - dt.timedelta(days=100)
    hazard = _hazard(unit, status=HazardStatus.VERIFIED, verified_at=verified)
    Hazard.objects.filter(pk=hazard.pk).update(h3_cell=HOME)
    # before: 130 and 199 days ago in the ring (201: out of the 100-day window)
    crash(unit, HOME, days_ago=130)
    crash(unit, NEXT, days_ago=199)
    crash(unit, NEXT, days_ago=201)  # out
    crash(unit, HOME, days_ago=100)  # the day of the verification: in neither
    # after: one in the ring, one far, one property only
    crash(unit, HOME, days_ago=20)
    crash(unit, FAR, days_ago=20)
    crash(unit, HOME, days_ago=20, severity=Severity.PROPERTY)

    effect = api_as(commander).get(f"/api/v1/hazards/hazards/{hazard.pk}/").json()["effect"]

    # then: equal windows of 100 days, counted as a direct count counts them
    ring = h3.grid_disk(HOME, 1)
    verified_on = verified.date()

    def direct(first: dt.date, last: dt.date) -> int:
        return sum(
            1
            for a in Accident.objects.filter(severity__in=(Severity.INJURY, Severity.FATAL))
            if a.h3_cell in ring and first <= timezone.localtime(a.occurred_at).date() <= last
        )

    before = direct(verified_on - dt.timedelta(days=100), verified_on - dt.timedelta(days=1))
    after = direct(verified_on + dt.timedelta(days=1), verified_on + dt.timedelta(days=100))
    assert (effect["window_days"], effect["before"], effect["after"]) == (100, before, after)
    assert (before, after) == (2, 1)
    assert effect["change"] == -1
    assert api_as(commander).get(effect["before_records_api"]).json()["count"] == before
    assert api_as(commander).get(effect["after_records_api"]).json()["count"] == after


def test_an_unverified_hazard_has_no_effect(unit, commander, api_as):
    hazard = _hazard(unit)
    answer = api_as(commander).get(f"/api/v1/hazards/hazards/{hazard.pk}/").json()
    assert answer["effect"] is None


def test_kinds_of_spot_are_cells_here(unit):
    for _ in range(3):
        crash(unit, HOME)
    assert [s.kind for s in recomputed()] == [SpotKind.CELL]
    assert urlsplit(black_spots.spot_records_api(stored()[0], FIRST, TODAY)).path == (
        reverse("incidents-api:accident-list")
    )
