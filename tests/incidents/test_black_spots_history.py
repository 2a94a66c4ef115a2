"""Black spots keep their history: a spot that stops meeting the thresholds is kept, not
current and not listed; found again it is the same row; a cluster whose centre moves to a
neighbouring cell keeps its row; the figure "identified" of a past period counts the spots
first identified then, whether still spots or not; a replay of past nights dates them."""

from __future__ import annotations

import datetime as dt

import h3
import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from brigade.core.dates import local_tz
from brigade.core.kpi import engine
from hazards.models import Hazard
from incidents import black_spots
from incidents.models import Accident, BlackSpot
from tests.incidents.factories import accident_in_cell

pytestmark = pytest.mark.django_db

LIST = "/api/v1/incidents/black-spots/"
REPORT = reverse("dashboard-api:report")
# 1 March 2024: a spot is found; 30 June 2025: its accidents are out of the 365-day window
MARCH = dt.datetime(2024, 3, 1, 2, 0, tzinfo=local_tz())
LATER = dt.datetime(2025, 6, 30, 2, 0, tzinfo=local_tz())
HOME = h3.latlng_to_cell(36.45, 115.98, settings.H3_RESOLUTION)
NEXT = sorted(set(h3.grid_disk(HOME, 1)) - {HOME})[0]  # one of its neighbours


def crash(unit, cell: str, when: dt.datetime) -> None:
    accident_in_cell(unit, cell, when)


def night(at: dt.datetime) -> None:
    """The nightly recompute, run at ``at``."""
    with time_machine.travel(at, tick=False):
        black_spots.recompute_all()


@pytest.fixture
def found(unit) -> BlackSpot:
    """A spot of three accidents in February 2024, found on the night of 1 March."""
    for day in (5, 12, 19):
        crash(unit, HOME, dt.datetime(2024, 2, day, 9, 0, tzinfo=local_tz()))
    night(MARCH)
    return BlackSpot.objects.get()


def test_a_spot_no_longer_found_is_kept_not_current_and_not_listed(
    found, brigade_commander, api_as
):
    assert (found.current, found.rank, found.created_at) == (True, 1, MARCH)

    night(LATER)  # its accidents are out of the window

    [kept] = BlackSpot.objects.all()
    assert (kept.pk, kept.current, kept.rank) == (found.pk, False, 0)
    assert kept.created_at == MARCH  # still first identified on 1 March 2024
    assert kept.accidents == 3  # the figures it had when it was last a spot
    with time_machine.travel(LATER, tick=False):
        client = api_as(brigade_commander)
        assert client.get(LIST).json()["results"] == []
        # its own page still answers (the records of a past period link to it)
        assert client.get(f"{LIST}{kept.pk}/").json()["rank"] == 0


def test_a_spot_found_again_is_the_same_row_first_identified_when_it_was(unit, found):
    night(LATER)
    # three new accidents there in June 2025: a spot again
    for day in (2, 9, 16):
        crash(unit, HOME, dt.datetime(2025, 6, day, 9, 0, tzinfo=local_tz()))
    again_at = LATER + dt.timedelta(days=1)

    night(again_at)

    [again] = BlackSpot.objects.all()
    assert (again.pk, again.current, again.rank) == (found.pk, True, 1)
    assert again.created_at == MARCH
    assert again.computed_at == again_at
    assert again.window_to == again_at.date()


def test_the_recompute_keeps_retired_spots_as_they_are(found):
    night(LATER)
    kept = BlackSpot.objects.get()

    night(LATER + dt.timedelta(days=7))  # nothing changed: nothing written

    again = BlackSpot.objects.get()
    assert (again.computed_at, again.updated_at) == (kept.computed_at, kept.updated_at)


def test_a_cluster_whose_centre_moves_to_a_neighbour_keeps_its_row(unit, found):
    # four more accidents in the next cell: both rings hold the seven, the denser centre
    # (NEXT) takes the cluster
    for day in (1, 8, 15, 22):
        crash(unit, NEXT, dt.datetime(2024, 3, day, 9, 0, tzinfo=local_tz()))
    april = dt.datetime(2024, 4, 1, 2, 0, tzinfo=local_tz())

    night(april)

    [moved] = BlackSpot.objects.all()
    assert (moved.pk, moved.h3_cell, moved.accidents, moved.current) == (
        found.pk,
        NEXT,
        7,
        True,
    )
    assert moved.cells == black_spots.ring(NEXT)
    assert moved.created_at == MARCH  # identified once, on 1 March
    assert moved.computed_at == april
    night(april)  # and again: the same
    assert list(BlackSpot.objects.values_list("pk", "h3_cell")) == [(found.pk, NEXT)]


def test_a_spot_with_a_hazard_keeps_its_cells_a_moved_cluster_is_a_new_spot(unit, found):
    hazard = Hazard.objects.create(unit=unit, element="road", road="东昌路", description="x")
    BlackSpot.objects.filter(pk=found.pk).update(hazard=hazard)
    for day in (1, 8, 15, 22):
        crash(unit, NEXT, dt.datetime(2024, 3, day, 9, 0, tzinfo=local_tz()))

    night(dt.datetime(2024, 4, 1, 2, 0, tzinfo=local_tz()))

    rows = list(BlackSpot.objects.order_by("pk").values_list("pk", "h3_cell", "current"))
    assert rows[0] == (found.pk, HOME, False)
    assert rows[1][1:] == (NEXT, True)


def test_a_replayed_night_dates_the_spots_it_finds(unit):
    for day in (5, 12, 19):
        crash(unit, HOME, dt.datetime(2022, 2, day, 9, 0, tzinfo=local_tz()))
    replayed = dt.datetime(2022, 2, 28, 2, 0, tzinfo=local_tz())

    black_spots.recompute_all(on=dt.date(2022, 2, 27), now=replayed)

    [spot] = BlackSpot.objects.all()
    assert (spot.created_at, spot.computed_at, spot.window_to) == (
        replayed,
        replayed,
        dt.date(2022, 2, 27),
    )
    black_spots.recompute_all()  # today's: out of its window, kept from then
    spot.refresh_from_db()
    assert (spot.created_at, spot.current) == (replayed, False)


def test_identified_in_a_past_period_counts_a_spot_retired_since(found, brigade_commander, client):
    with time_machine.travel(LATER, tick=False):
        black_spots.recompute_all()
        engine.recompute_all()
        client.force_login(brigade_commander)
        h1 = {"from": "2024-01-01", "to": "2024-06-30"}
        figures = {f["key"]: f for f in client.get(REPORT, h1).json()["figures"]}
        figure = figures["incidents.black_spots_found"]
        assert figure["numerator"] == 1
        listed = client.get(figure["records_api"]).json()
        assert (listed["count"], [row["id"] for row in listed["results"]]) == (1, [found.pk])
        page = client.get(figure["records_url"])
        assert page.context["paginator"].count == 1
        # the half year since identified none
        h2 = {"from": "2024-07-01", "to": "2024-12-31"}
        figures = {f["key"]: f for f in client.get(REPORT, h2).json()["figures"]}
        assert figures["incidents.black_spots_found"]["numerator"] == 0
    assert not BlackSpot.objects.get().current


def test_the_on_change_update_keeps_the_row_of_a_moved_cluster(
    unit, found, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(MARCH + dt.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for hour in (1, 2, 3, 4):
            crash(unit, NEXT, dt.datetime(2024, 3, 1, hour, 0, tzinfo=local_tz()))

    [moved] = BlackSpot.objects.all()
    assert (moved.pk, moved.h3_cell, moved.accidents, moved.created_at) == (
        found.pk,
        NEXT,
        7,
        MARCH,
    )


def _history_queries(unit, clusters: int) -> list[int]:
    """The queries of the nights that find, move, retire and find again ``clusters``
    spots (each about 5 km from the others)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    centres = [
        h3.latlng_to_cell(36.30 + 0.05 * i, 115.98, settings.H3_RESOLUTION) for i in range(clusters)
    ]
    neighbours = [sorted(set(h3.grid_disk(c, 1)) - {c})[0] for c in centres]

    def counted(at: dt.datetime) -> int:
        with CaptureQueriesContext(connection) as queries:
            night(at)
        return len(queries)

    for centre in centres:
        for day in (5, 12, 19):
            crash(unit, centre, dt.datetime(2024, 2, day, 9, 0, tzinfo=local_tz()))
    counts = [counted(MARCH)]
    for neighbour in neighbours:  # each cluster's centre moves to its neighbour
        for day in (1, 8, 15, 22):
            crash(unit, neighbour, dt.datetime(2024, 3, day, 9, 0, tzinfo=local_tz()))
    counts.append(counted(dt.datetime(2024, 4, 1, 2, 0, tzinfo=local_tz())))
    counts.append(counted(LATER))  # all out of the window: retired
    for neighbour in neighbours:  # found again
        for day in (2, 9, 16):
            crash(unit, neighbour, dt.datetime(2025, 6, day, 9, 0, tzinfo=local_tz()))
    counts.append(counted(LATER + dt.timedelta(days=1)))
    assert BlackSpot.objects.filter(unit=unit, current=True).count() == clusters
    assert BlackSpot.objects.filter(unit=unit).count() == clusters  # one row per cluster
    return counts


def test_the_history_costs_the_same_queries_for_one_spot_or_many(unit, other_unit):
    one = _history_queries(unit, 1)
    Accident.objects.all().delete()
    BlackSpot.objects.all().delete()
    many = _history_queries(other_unit, 4)
    assert many == one
