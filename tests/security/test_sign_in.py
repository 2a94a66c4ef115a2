"""Sign-in hardening: lockout after repeated failures (django-axes) with each documented
way out, and the idle timeout of a session, with the clock moved instead of waited for.

Settings under test (README): AXES_FAILURE_LIMIT failures per username and address lock
the account for AXES_COOLOFF_MINUTES, an admin unlocks with ``axes_reset_username``,
``axes_reset`` or the admin's access attempts; SESSION_IDLE_SECONDS of inactivity ends a
session, and every request starts that period again.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.brigade.factories import OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # the factories' password


def sign_in(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password})


def token(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("api-token"),
        {"username": username, "password": password},
        content_type="application/json",
    )


def lock_out(client: Client, username: str) -> None:
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        refused = sign_in(client, username, "wrong")
        assert refused.status_code == 200  # the form again, with its error
    # the failure that reaches the limit is answered with the lockout page
    assert sign_in(client, username, "wrong").status_code == 429
    assert AccessAttempt.objects.filter(username=username).exists()


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    sun = UserFactory(username="sunhao", roles=["officer"])
    OfficerFactory(user=sun)
    xu = UserFactory(username="xuting", roles=["clerk"])
    OfficerFactory(user=xu)
    admin = UserFactory(username="boss", roles=["admin"], is_staff=True, is_superuser=True)
    return {"officer": sun, "clerk": xu, "admin": admin}


def test_one_failure_short_of_the_limit_still_signs_in(client, people):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "sunhao", "wrong")

    assert sign_in(client, "sunhao").status_code == 302
    # a success clears the count: the next failures start from zero
    assert not AccessAttempt.objects.filter(username="sunhao", failures_since_start__gt=0).exists()


def test_the_limit_locks_the_username_even_with_the_right_password(client, people):
    lock_out(client, "sunhao")

    locked = sign_in(client, "sunhao")
    assert locked.status_code == 429
    assert 'data-testid="locked-out"' in locked.content.decode()
    assert client.get(reverse("brigade:duty")).status_code == 302  # not signed in
    # the API's token sign-in is locked too
    refused = token(client, "sunhao")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    # someone else is not
    assert sign_in(Client(), "xuting").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, people):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        lock_out(client, "sunhao")

        clock.move_to(start + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1))
        assert sign_in(client, "sunhao").status_code == 302
        assert client.get(reverse("brigade:duty")).status_code == 200


def test_trying_again_while_locked_starts_the_cool_off_again(client, people):
    cool_off = settings.AXES_COOLOFF_TIME
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        lock_out(client, "sunhao")

        # one more try just before the lock would lift...
        clock.move_to(start + cool_off - dt.timedelta(minutes=1))
        assert sign_in(client, "sunhao").status_code == 429
        # ...keeps it locked past the first cool-off, until a full one after that try
        clock.move_to(start + cool_off + dt.timedelta(minutes=1))
        assert sign_in(Client(), "sunhao").status_code == 429
        clock.move_to(start + 3 * cool_off)
        assert sign_in(client, "sunhao").status_code == 302


@pytest.mark.parametrize(
    "unlock",
    [
        lambda: call_command("axes_reset_username", "sunhao", verbosity=0),
        lambda: call_command("axes_reset", verbosity=0),
    ],
    ids=["axes_reset_username", "axes_reset"],
)
def test_an_admin_command_unlocks(client, people, unlock):
    lock_out(client, "sunhao")

    unlock()

    assert sign_in(client, "sunhao").status_code == 302
    assert token(Client(), "sunhao").status_code == 200


def test_an_admin_unlocks_from_the_admin_site(client, people):
    lock_out(client, "sunhao")
    admin = Client()
    admin.force_login(people["admin"])
    attempt = AccessAttempt.objects.get(username="sunhao")

    # the admin finds the locked account in the access attempts and deletes the record
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "sunhao" in listing.content.decode()
    deleted = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302

    assert sign_in(client, "sunhao").status_code == 302


# --- idle timeout -------------------------------------------------------------------------


def test_a_session_ends_after_the_idle_period_and_activity_extends_it(client, people):
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert sign_in(client, "sunhao").status_code == 302
        assert client.get(reverse("brigade:duty")).status_code == 200

        # active just inside the period, twice: together longer than one period
        clock.move_to(start + idle - dt.timedelta(minutes=1))
        assert client.get(reverse("brigade:duty")).status_code == 200
        clock.move_to(start + 2 * idle - dt.timedelta(minutes=2))
        assert client.get(reverse("brigade:duty")).status_code == 200

        # then idle for longer than the period: back to the sign-in page
        clock.move_to(start + 3 * idle)
        response = client.get(reverse("brigade:duty"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert "next=" in response["Location"]


def test_an_expired_session_cannot_write(client, people):
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, "sunhao")
        clock.move_to(start + idle + dt.timedelta(seconds=1))
        response = client.post(reverse("brigade:patrollog_start"), {})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_session_cookie_does_not_outlive_the_browser(client, people):
    response = sign_in(client, "sunhao")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert not cookie["expires"] and not cookie["max-age"]  # ends with the browser
