"""The demo brigade's black spots (``manage.py seed_demo``): the nightly recompute replayed
over the 2022 half year, so that the half-year report counts the spots found then, each
figure equal to the spots its list gives, and seeding again changes none of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from brigade.core.dates import local_tz
from incidents.demo import replay_nights
from incidents.models import BlackSpot

pytestmark = pytest.mark.django_db

REPORT = reverse("dashboard-api:report")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
H1 = {"from": "2022-01-01", "to": "2022-06-30"}
START = dt.datetime(2022, 1, 1, tzinfo=local_tz())
END = dt.datetime(2022, 7, 1, tzinfo=local_tz())


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo brigade, seeded once for the module inside a transaction rolled back at
    its end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, DEMO_PASSWORD="demo-pass-1"),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        try:
            yield
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def commander_api(seeded) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username="commander"))
    return client


def spots() -> list[tuple[Any, ...]]:
    return list(
        BlackSpot.objects.order_by("pk").values_list(
            "pk", "unit_id", "kind", "h3_cell", "place_id", "created_at", "accidents"
        )
    )


def test_the_half_year_report_counts_the_spots_identified_then(commander_api):
    figures = {f["key"]: f for f in commander_api.get(REPORT, H1).json()["figures"]}
    found = figures["incidents.black_spots_found"]
    in_half_year = BlackSpot.objects.filter(created_at__gte=START, created_at__lt=END)

    assert found["numerator"] > 0
    assert found["numerator"] == in_half_year.count()
    listed = commander_api.get(found["records_api"]).json()
    assert listed["count"] == found["numerator"]
    assert {row["id"] for row in listed["results"]} == set(
        in_half_year.values_list("pk", flat=True)
    )
    # no hazard was opened from a demo spot: none investigated, none treated
    assert figures["incidents.black_spots_investigated"]["numerator"] == 0
    assert figures["incidents.black_spots_treated"]["numerator"] == 0


def test_each_spot_is_dated_by_the_replayed_night_it_was_found_on(seeded):
    nights = {night for _day, night in replay_nights()}
    created = {row[5] for row in spots()}
    assert created and created <= nights
    # found on several nights of the half year, not all at once
    assert len(created) > 1


def test_seeding_again_keeps_the_same_spots_first_identified_on_the_same_nights(seeded):
    before = spots()

    call_command("seed_demo", stdout=StringIO())

    assert spots() == before
